package layout

import (
	"strconv"
	"strings"
)

// canvas records the drawing of one page as PDF content operators. Its
// methods mirror the few gofpdf calls the page code used (millimetres,
// origin at the top left, text cells with gofpdf's baseline rule), so the
// layout code reads the same; the output is what pdfOut writes.
type canvas struct {
	fs         [2]*face
	wMM, hMM   float64
	ops        []byte
	face       int     // 0 regular, 1 bold
	sizePt     float64 // font size
	fontSet    bool    // the Tf in effect matches face and sizePt
	text, fill [3]int
	draw       [3]int
	curFill    [3]int // rg in effect, or -1s
	curDraw    [3]int
	lineW      float64
	x, y       float64
	used       [2]glyphSet
	images     []imageData
	// dry measures without drawing: every method keeps the state layout
	// decisions read (fonts, sizes, position) but writes no operators.
	// Trying a type scale that turns out not to fit costs only its
	// measuring (Renderer.fit).
	dry bool
}

const kPt = 72 / 25.4 // points per millimetre

func newCanvas(fs [2]*face, wMM, hMM float64) *canvas {
	c := &canvas{fs: fs, wMM: wMM, hMM: hMM, curFill: [3]int{-1, -1, -1}, curDraw: [3]int{-1, -1, -1}}
	c.ops = make([]byte, 0, 8<<10)
	return c
}

func (c *canvas) num(v float64) {
	c.ops = strconv.AppendFloat(c.ops, v, 'f', 2, 64)
	c.ops = append(c.ops, ' ')
}

func (c *canvas) op(s string) { c.ops = append(c.ops, s...); c.ops = append(c.ops, '\n') }

func (c *canvas) rgb(col [3]int, cur *[3]int, opr string) {
	if c.dry || *cur == col {
		return
	}
	*cur = col
	for _, v := range col {
		c.num(float64(v) / 255)
	}
	c.op(opr)
}

// SetFont selects the regular ("") or bold ("B") face at size points.
func (c *canvas) SetFont(_ string, style string, size float64) {
	f := 0
	if strings.Contains(style, "B") {
		f = 1
	}
	if f != c.face || size != c.sizePt {
		c.face, c.sizePt, c.fontSet = f, size, false
	}
}

func (c *canvas) SetTextColor(r, g, b int) { c.text = [3]int{r, g, b} }
func (c *canvas) SetFillColor(r, g, b int) { c.fill = [3]int{r, g, b} }
func (c *canvas) SetDrawColor(r, g, b int) { c.draw = [3]int{r, g, b} }
func (c *canvas) SetXY(x, y float64)       { c.x, c.y = x, y }

func (c *canvas) SetLineWidth(w float64) {
	if w != c.lineW {
		c.lineW = w
		if c.dry {
			return
		}
		c.num(w * kPt)
		c.op("w")
	}
}

// GetStringWidth is the width of s in millimetres in the current font.
func (c *canvas) GetStringWidth(s string) float64 {
	return c.fs[c.face].width(s) * c.sizePt / kPt
}

// CellFormat writes txt in a cell of w×h mm at the current position,
// aligned "L", "C" or "R" (a trailing "M" is accepted: text is always
// centred vertically on gofpdf's rule, baseline at half the cell height
// plus 0.3 of the font size).
func (c *canvas) CellFormat(w, h float64, txt, _ string, _ int, align string, _ bool, _ int, _ string) {
	if txt == "" {
		return
	}
	if c.dry {
		c.x += w
		return
	}
	dx := 0.0
	switch {
	case strings.Contains(align, "R"):
		dx = w - c.GetStringWidth(txt)
	case strings.Contains(align, "C"):
		dx = (w - c.GetStringWidth(txt)) / 2
	}
	sizeMM := c.sizePt / kPt
	c.rgb(c.text, &c.curFill, "rg")
	c.ops = append(c.ops, "BT "...)
	if !c.fontSet {
		c.ops = append(c.ops, "/F"...)
		c.ops = strconv.AppendInt(c.ops, int64(c.face+1), 10)
		c.ops = append(c.ops, ' ')
		c.num(c.sizePt)
		c.ops = append(c.ops, "Tf "...)
		c.fontSet = true // the text state outlives BT ... ET
	}
	c.num((c.x + dx) * kPt)
	c.num((c.hMM - (c.y + h/2 + 0.3*sizeMM)) * kPt)
	c.ops = append(c.ops, "Td <"...)
	f := c.fs[c.face]
	used := &c.used[c.face]
	const hex = "0123456789ABCDEF"
	for _, r := range txt {
		g := f.glyph(r)
		used.add(g)
		c.ops = append(c.ops, hex[g>>12], hex[g>>8&15], hex[g>>4&15], hex[g&15])
	}
	c.ops = append(c.ops, "> Tj ET\n"...)
	c.x += w
}

// Line draws a line from (x1, y1) to (x2, y2).
func (c *canvas) Line(x1, y1, x2, y2 float64) {
	if c.dry {
		return
	}
	c.rgb(c.draw, &c.curDraw, "RG")
	c.num(x1 * kPt)
	c.num((c.hMM - y1) * kPt)
	c.ops = append(c.ops, "m "...)
	c.num(x2 * kPt)
	c.num((c.hMM - y2) * kPt)
	c.op("l S")
}

// Rect draws a rectangle: style "F" fills, "D" strokes, "FD" does both.
func (c *canvas) Rect(x, y, w, h float64, style string) {
	if c.dry {
		return
	}
	fill, stroke := strings.Contains(style, "F"), strings.Contains(style, "D") || style == ""
	if fill {
		c.rgb(c.fill, &c.curFill, "rg")
	}
	if stroke {
		c.rgb(c.draw, &c.curDraw, "RG")
	}
	c.num(x * kPt)
	c.num((c.hMM - y - h) * kPt)
	c.num(w * kPt)
	c.num(h * kPt)
	switch {
	case fill && stroke:
		c.op("re B")
	case fill:
		c.op("re f")
	default:
		c.op("re S")
	}
}

// image draws an image XObject at (x, y) sized w×h mm.
func (c *canvas) image(im imageData, x, y, w, h float64) {
	if c.dry {
		return
	}
	c.images = append(c.images, im)
	c.ops = append(c.ops, "q "...)
	c.num(w * kPt)
	c.ops = append(c.ops, "0 0 "...)
	c.num(h * kPt)
	c.num(x * kPt)
	c.num((c.hMM - y - h) * kPt)
	c.ops = append(c.ops, "cm /I"...)
	c.ops = strconv.AppendInt(c.ops, int64(len(c.images)), 10)
	c.op(" Do Q")
}

// page finishes the canvas as a compressed page.
func (c *canvas) page() pageData {
	return pageData{wPt: c.wMM * kPt, hPt: c.hMM * kPt, content: deflate(c.ops), images: c.images}
}
