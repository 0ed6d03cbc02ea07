package layout

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"passport/credential"
)

// VerifyInstruction is the line printed under the details telling the reader
// how to check the page.
const VerifyInstruction = "To verify: scan this code with `passport verify` or the site's verifier station. " +
	"Do not accept if the details above differ."

// Type sizes in points. Body text is at least 11 pt; labels and table cells 10 pt.
const (
	sizeName     = 24.0
	sizeNameMin  = 22.0
	sizeOrg      = 15.0
	sizeOrgSmall = 13.0
	sizeHeading  = 12.0
	sizeRole     = 13.0
	sizeBody     = 11.0
	sizeTable    = 10.0
	sizeLabel    = 10.0
	sizeValidity = 13.0
)

// page draws one passport page.
type page struct {
	r   *Renderer
	pdf *canvas
	c   *credential.Claims
}

func (p *page) txt(s string) string { return clean(s, p.r.cov) }

func (p *page) font(style string, size float64, col [3]int) {
	p.pdf.SetFont(fontFamily, style, size)
	p.pdf.SetTextColor(col[0], col[1], col[2])
}

// lineH is a comfortable line height in mm for a type size in points.
func lineH(size float64) float64 { return size * ptToMM * 1.3 }

// wrap splits s into lines no wider than w in the current font. It breaks
// at spaces and after hyphens (double-barrelled names), and inside a word
// only when the word alone is wider than the line.
func (p *page) wrap(s string, w float64) []string {
	var tokens []string // each token carries the separator that follows it
	for _, word := range strings.Fields(s) {
		for word != "" {
			i := strings.IndexRune(word, '-')
			if i <= 0 || i == len(word)-1 {
				tokens = append(tokens, word)
				break
			}
			tokens = append(tokens, word[:i+1])
			word = word[i+1:]
		}
		tokens[len(tokens)-1] += " "
	}
	var lines []string
	line := ""
	for _, tok := range tokens {
		if cand := line + tok; p.pdf.GetStringWidth(strings.TrimSpace(cand)) <= w {
			line = cand
			continue
		}
		if line != "" {
			lines = append(lines, strings.TrimSpace(line))
			line = ""
		}
		// A token wider than the whole line is broken by characters.
		for utf8.RuneCountInString(tok) > 1 && p.pdf.GetStringWidth(strings.TrimSpace(tok)) > w {
			r := []rune(tok)
			n := len(r) - 1
			for n > 1 && p.pdf.GetStringWidth(string(r[:n])) > w {
				n--
			}
			lines = append(lines, string(r[:n]))
			tok = string(r[n:])
		}
		line = tok
	}
	if line = strings.TrimSpace(line); line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// wrapAtMost wraps s into at most n lines, ending the last with an ellipsis
// when text had to be left out.
func (p *page) wrapAtMost(s string, w float64, n int) []string {
	lines := p.wrap(s, w)
	if len(lines) > n {
		lines = append(lines[:n-1], p.fit(strings.Join(lines[n-1:], " ")+"…", w))
	}
	return lines
}

// fit shortens s with an ellipsis until it fits width w in the current font.
func (p *page) fit(s string, w float64) string {
	if p.pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
		if p.pdf.GetStringWidth(t) <= w {
			return t
		}
	}
	return ""
}

// text writes lines starting at (x, y) and returns the y below them.
func (p *page) text(x, y, w float64, lines []string, size float64, align string) float64 {
	h := lineH(size)
	for _, l := range lines {
		p.pdf.SetXY(x, y)
		p.pdf.CellFormat(w, h, l, "", 0, align, false, 0, "")
		y += h
	}
	return y
}

func (p *page) render(qr imageData, modules int, photo *Photo) {
	pdf, c := p.pdf, p.c
	emp := c.Body.Employment

	// Header: what this is and who issued it.
	y := marginTop
	p.font("B", sizeLabel, colAccent)
	p.text(marginX, y, contentW, []string{"STAFF PASSPORT"}, sizeLabel, "L")
	if code := p.txt(emp.OrgCode); code != "" {
		p.font("", sizeLabel, colLabel)
		p.text(marginX, y, contentW, []string{"Organisation code " + code}, sizeLabel, "R")
	}
	y += lineH(sizeLabel) + 0.5
	org := p.txt(emp.OrgName)
	if org == "" {
		org = "(organisation name missing)"
	}
	orgSize := sizeOrg
	p.font("B", orgSize, colText)
	if len(p.wrap(org, contentW)) > 1 {
		orgSize = sizeOrgSmall
		p.font("B", orgSize, colText)
	}
	y = p.text(marginX, y, contentW, p.wrapAtMost(org, contentW, 2), orgSize, "L")
	y += 1.5
	pdf.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	pdf.SetLineWidth(0.6)
	pdf.Line(marginX, y, pageW-marginX, y)
	y += 6

	// Right column: the QR code, with its quiet zone inside the image.
	code := p.r.opts.CodeWidthMM
	imgW := code * float64(modules+2*QuietZoneModules) / float64(modules)
	qx, qy := pageW-marginX-imgW, y-QuietZoneModules*code/float64(modules)
	if qy < marginTop {
		qy = marginTop
	}
	pdf.image(qr, qx, qy, imgW, imgW)
	qrBottom := qy + imgW
	p.font("", sizeLabel, colLabel)
	qrBottom = p.text(qx, qrBottom-1, imgW, []string{"Scan to verify"}, sizeLabel, "C")

	// Left column: the holder.
	colW := qx - marginX - 6
	px, pw := marginX, colW
	if photo != nil {
		ph := photoW * float64(photo.H) / float64(photo.W)
		pdf.image(photo.image(), marginX, y, photoW, ph)
		px, pw = marginX+photoW+4, colW-photoW-4
		left := p.person(px, y, pw)
		left = max(left, y+ph+3)
		y = p.validity(max(left, qrBottom) + 4)
		footer := p.footerHeight()
		p.tables(y+6, pageH-marginBottom-footer-4)
		p.footer(pageH - marginBottom - footer)
		return
	}
	left := p.person(px, y, pw)

	// Validity band, full width, then the tables down to the footer.
	y = p.validity(max(left, qrBottom) + 4)
	footer := p.footerHeight()
	tablesTop := y + 6
	p.tables(tablesTop, pageH-marginBottom-footer-4)
	p.footer(pageH - marginBottom - footer)
}

// person draws the name, role, identifiers and validity in the left column
// and returns the y below them.
func (p *page) person(x, y, w float64) float64 {
	pdf, c := p.pdf, p.c
	per, emp := c.Body.Person, c.Body.Employment

	name := p.txt(per.Name)
	if name == "" {
		name = "(name missing)"
	}
	size := sizeName
	p.font("B", size, colText)
	for size > sizeNameMin && pdf.GetStringWidth(name) > w {
		size -= 0.5
		p.font("B", size, colText)
	}
	lines := p.wrapAtMost(name, w, 3)
	y = p.text(x, y, w, lines, size, "L")
	if latin := latinName(per.LatinName); latin != "" && latin != strings.ToUpper(name) {
		p.font("", sizeLabel, colLabel)
		y = p.text(x, y, w, p.wrapAtMost(p.txt("Latin-script name: "+latin), w, 2), sizeLabel, "L")
	}
	y += 2.5

	if role := p.txt(emp.Role); role != "" {
		p.font("B", sizeRole, colText)
		y = p.text(x, y, w, p.wrapAtMost(role, w, 2), sizeRole, "L")
	}
	if group := p.txt(emp.StaffGroup); group != "" {
		p.font("", sizeBody, colText)
		y = p.text(x, y, w, p.wrapAtMost(group, w, 2), sizeBody, "L")
	}
	y += 3

	reg := p.txt(per.Registration)
	if reg == "" {
		reg = "none recorded"
	}
	staff := p.txt(per.StaffNumber)
	if staff == "" {
		staff = "—"
	}
	rows := [][2]string{
		{"Staff number", staff},
		{"Professional registration", reg},
		{"Date of birth", per.DateOfBirth.Human()},
		{"In post since", emp.Start.Human()},
	}
	labelW := 47.0
	for _, r := range rows {
		p.font("", sizeLabel, colLabel)
		pdf.SetXY(x, y)
		pdf.CellFormat(labelW, lineH(sizeBody), r[0], "", 0, "L", false, 0, "")
		p.font("B", sizeBody, colText)
		vl := p.wrapAtMost(r[1], w-labelW, 2)
		y = p.text(x+labelW, y, w-labelW, vl, sizeBody, "L") + 0.6
	}
	y += 3

	return y
}

// validity draws the full-width band with the passport's validity period
// and returns the y below it.
func (p *page) validity(y float64) float64 {
	pdf, c := p.pdf, p.c
	const padX, padY = 4.0, 2.5
	w := contentW - 2*padX
	p.font("B", sizeValidity, colText)
	vlines := p.wrap("Valid from "+humanTime(c.NotBefore)+" to "+humanTime(c.Expires), w)
	issued := "Issued " + humanTime(c.IssuedAt)
	if iss := p.txt(c.Issuer); iss != "" {
		issued += " by " + iss
	}
	p.font("", sizeLabel, colText)
	ilines := p.wrapAtMost(issued, w, 2)
	boxH := 2*padY + float64(len(vlines))*lineH(sizeValidity) + float64(len(ilines))*lineH(sizeLabel)
	pdf.SetFillColor(colBoxBG[0], colBoxBG[1], colBoxBG[2])
	pdf.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	pdf.SetLineWidth(0.4)
	pdf.Rect(marginX, y, contentW, boxH, "FD")
	ty := y + padY
	p.font("B", sizeValidity, colText)
	ty = p.text(marginX+padX, ty, w, vlines, sizeValidity, "L")
	p.font("", sizeLabel, colText)
	p.text(marginX+padX, ty, w, ilines, sizeLabel, "L")
	return y + boxH
}

// latinName turns an ICAO 9303 name ("NGUYEN<THI<LAN", "SMITH<<JOHN") into
// spaced words for reading, with a comma after the primary identifier
// (surname) when the name has one: "SMITH, JOHN".
func latinName(s string) string {
	words := func(s string) string {
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' || unicode.IsSpace(r) }), " ")
	}
	primary, secondary, ok := strings.Cut(s, "<<")
	if p, sec := words(primary), words(secondary); ok && p != "" && sec != "" {
		return p + ", " + sec
	}
	return words(s)
}

// humanTime prints a time as the unambiguous date "02 Jan 2006" (its UTC
// calendar date, as credential.DateOf), or "—" when unset.
func humanTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return credential.DateOf(t).Human()
}

// Table geometry in mm.
const (
	rowHMax    = 6.6
	rowHMin    = 5.2
	headRowH   = 7.0
	titleH     = 8.0
	tablesGap  = 5.0
	noteH      = 6.0
	expiredTag = " (expired)"
)

type column struct {
	title string
	w     float64
}

type cell struct {
	text    string
	expired bool
}

// tables draws the employment checks and training tables between top and
// bottom, shrinking row height and, for records too long for one page,
// leaving rows out with a note that the code holds the complete record.
func (p *page) tables(top, bottom float64) {
	c := p.c
	issued := credential.DateOf(c.IssuedAt)
	expired := func(d credential.Date) bool { return !d.IsZero() && !c.IssuedAt.IsZero() && d.Before(issued) }
	done := func(d credential.Date) cell { return cell{text: d.Human()} }
	expires := func(d credential.Date) cell { return cell{text: d.Human(), expired: expired(d)} }

	var checks [][]cell
	for _, ch := range c.Body.Checks {
		outcome := capitalise(ch.Outcome.String())
		if lvl := p.txt(ch.Level); lvl != "" {
			outcome += " · " + lvl
		}
		checks = append(checks, []cell{{text: ch.Type.String()}, {text: outcome}, done(ch.Done), expires(ch.Expires)})
	}
	var training [][]cell
	for _, t := range c.Body.Training {
		training = append(training, []cell{{text: t.Subject.String()}, done(t.Completed), expires(t.Expires)})
	}

	avail := bottom - top - 2*(titleH+headRowH) - tablesGap
	need := float64(max(len(checks), 1) + max(len(training), 1)) // an empty table still has its "none" row
	rowH := min(rowHMax, max(rowHMin, avail/need))
	note := ""
	if need*rowH > avail {
		fit := int((avail - noteH) / rowH)
		// Keep every check if possible: the training list is the longer
		// and lower-stakes one.
		nc := min(len(checks), max(fit-1, 1))
		nt := max(min(len(training), fit-max(nc, 1)), 0)
		note = fmt.Sprintf("%d more rows not shown here; the QR code holds the complete record.", len(checks)-nc+len(training)-nt)
		checks, training = checks[:nc], training[:nt]
	}

	y := p.table(top, "Employment checks", []column{{"Check", 47}, {"Outcome / level", 54}, {"Done", 29}, {"Expires", 44}}, checks, rowH, "No employment checks recorded.")
	y += tablesGap
	y = p.table(y, "Core Skills training", []column{{"Subject", 101}, {"Completed", 29}, {"Expires", 44}}, training, rowH, "No training recorded.")
	if note != "" {
		p.font("", sizeLabel, colLabel)
		p.text(marginX, y+1, contentW, []string{note}, sizeLabel, "L")
	}
}

// table draws a titled table and returns the y below it.
func (p *page) table(y float64, title string, cols []column, rows [][]cell, rowH float64, empty string) float64 {
	pdf := p.pdf
	p.font("B", sizeHeading, colAccent)
	p.text(marginX, y, contentW, []string{title}, sizeHeading, "L")
	y += titleH

	const pad = 2.0
	pdf.SetFillColor(colHeadBG[0], colHeadBG[1], colHeadBG[2])
	pdf.Rect(marginX, y, contentW, headRowH, "F")
	p.font("B", sizeLabel, colText)
	x := marginX
	for _, col := range cols {
		pdf.SetXY(x+pad, y)
		pdf.CellFormat(col.w-2*pad, headRowH, col.title, "", 0, "LM", false, 0, "")
		x += col.w
	}
	y += headRowH

	pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	pdf.SetLineWidth(0.2)
	if len(rows) == 0 {
		p.font("", sizeTable, colLabel)
		pdf.SetXY(marginX+pad, y)
		pdf.CellFormat(contentW-2*pad, rowH, empty, "", 0, "LM", false, 0, "")
		y += rowH
		pdf.Line(marginX, y, marginX+contentW, y)
		return y
	}
	for i, r := range rows {
		if i%2 == 1 {
			pdf.SetFillColor(colZebraBG[0], colZebraBG[1], colZebraBG[2])
			pdf.Rect(marginX, y, contentW, rowH, "F")
		}
		x := marginX
		for j, col := range cols {
			if j >= len(r) {
				break
			}
			cl := r[j]
			s := cl.text
			if cl.expired {
				p.font("", sizeTable, colExpired)
				s += expiredTag
			} else {
				p.font("", sizeTable, colText)
			}
			pdf.SetXY(x+pad, y)
			pdf.CellFormat(col.w-2*pad, rowH, p.fit(s, col.w-2*pad), "", 0, "LM", false, 0, "")
			x += col.w
		}
		y += rowH
		pdf.Line(marginX, y, marginX+contentW, y)
	}
	return y
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// footer lines, measured by footerHeight and drawn by footer.
func (p *page) footerLines() (verify, id []string) {
	p.font("B", sizeBody, colText)
	verify = p.wrap(VerifyInstruction, contentW)
	p.font("", sizeLabel, colLabel)
	cid := p.c.IDString()
	if cid == "" {
		cid = "— (missing)"
	}
	id = p.wrap("Credential id "+cid, contentW)
	return verify, id
}

func (p *page) footerHeight() float64 {
	v, id := p.footerLines()
	return 3 + float64(len(v))*lineH(sizeBody) + 1 + float64(len(id))*lineH(sizeLabel)
}

// footer draws the verification instruction and the credential id at y.
func (p *page) footer(y float64) {
	pdf := p.pdf
	pdf.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	pdf.SetLineWidth(0.4)
	pdf.Line(marginX, y, pageW-marginX, y)
	y += 3
	v, id := p.footerLines()
	p.font("B", sizeBody, colText)
	y = p.text(marginX, y, contentW, v, sizeBody, "L") + 1
	p.font("", sizeLabel, colLabel)
	p.text(marginX, y, contentW, id, sizeLabel, "L")
}
