package layout

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"image"
	"io"
	"strconv"
	"sync"
	"time"
)

// The PDF writer. gofpdf keeps a whole document in memory and parses and
// subsets the fonts again for every document (about 16 ms); a batch of
// 72,000 passports needs neither. This writer streams each page's objects
// to the output as soon as the page is added, keeps only the byte offsets
// for the cross-reference table, and writes the font subsets (the glyphs
// the pages used) at the end. Object numbers 1 to 15 are reserved for the
// catalog, the page tree, the document information and the fonts, so a
// page can refer to fonts that are not written yet.
const (
	objCatalog   = 1
	objPages     = 2
	objInfo      = 3
	objFontBase  = 4 // 6 objects per face: Type0, CIDFont, descriptor, file, ToUnicode, CIDToGIDMap
	objFirstFree = objFontBase + 6*2
)

// pageData is one rendered page: its compressed content stream and the
// images it draws (named /I1, /I2, ... in the content).
type pageData struct {
	wPt, hPt float64
	content  []byte // zlib-compressed
	images   []imageData
}

// imageData is an image XObject: its dictionary entries (without /Type,
// /Subtype and /Length) and its encoded data.
type imageData struct {
	dict string
	data []byte
}

// Passport is one person's rendered pages, ready to be written into a PDF
// by WritePDF or a Stream. It is immutable and safe to share.
type Passport struct {
	pages    []pageData
	used     [2][]uint16 // glyph ids used, per face (regular, bold)
	symbol   *image.Gray // the QR symbol as printed, 1 px per module, quiet zone included
	moduleMM float64     // printed size of one module
}

// Code returns the QR symbol exactly as printed on the passport (one pixel
// per module, quiet zone included) and the printed width of one module in
// millimetres: what a print-quality check needs to simulate a scan.
func (p *Passport) Code() (symbol *image.Gray, moduleMM float64) { return p.symbol, p.moduleMM }

// Pages is the number of pages the passport takes (1 for A4, 2 for a card).
func (p *Passport) Pages() int { return len(p.pages) }

// Size is the approximate number of bytes the passport adds to a PDF.
func (p *Passport) Size() int {
	n := 0
	for _, pg := range p.pages {
		n += len(pg.content) + 300
		for _, im := range pg.images {
			n += len(im.data) + 200
		}
	}
	return n
}

// pdfOut writes one PDF.
type pdfOut struct {
	w       *bufio.Writer
	off     int64
	xref    []int64 // byte offset of each object, by number
	kids    []int
	used    [2]glyphSet
	created time.Time
	err     error
}

func newPDFOut(w io.Writer, created time.Time) *pdfOut {
	o := &pdfOut{w: bufio.NewWriterSize(w, 64<<10), xref: make([]int64, objFirstFree), created: created}
	o.write([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"))
	return o
}

func (o *pdfOut) write(b []byte) {
	if o.err != nil {
		return
	}
	n, err := o.w.Write(b)
	o.off += int64(n)
	o.err = err
}

func (o *pdfOut) newObj() int {
	o.xref = append(o.xref, 0)
	return len(o.xref) - 1
}

// object writes object num with dict and, if stream is not nil, its stream.
func (o *pdfOut) object(num int, dict string, stream []byte) {
	o.xref[num] = o.off
	o.write(objectBytes(num, dict, stream))
}

func objectBytes(num int, dict string, stream []byte) []byte {
	var b []byte
	b = strconv.AppendInt(b, int64(num), 10)
	b = append(b, " 0 obj\n"...)
	b = append(b, dict...)
	if stream != nil {
		b = append(b, "\nstream\n"...)
		b = append(b, stream...)
		b = append(b, "\nendstream"...)
	}
	return append(b, "\nendobj\n"...)
}

// add writes the pages of p.
func (o *pdfOut) add(p *Passport) {
	for i := range p.used {
		for _, g := range p.used[i] {
			o.used[i].add(g)
		}
	}
	for _, pg := range p.pages {
		page, content := o.newObj(), o.newObj()
		var xobj bytes.Buffer
		for i, im := range pg.images {
			n := o.newObj()
			o.object(n, fmt.Sprintf("<</Type /XObject /Subtype /Image %s /Length %d>>", im.dict, len(im.data)), im.data)
			fmt.Fprintf(&xobj, "/I%d %d 0 R ", i+1, n)
		}
		o.object(content, fmt.Sprintf("<</Filter /FlateDecode /Length %d>>", len(pg.content)), pg.content)
		o.object(page, fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources <</ProcSet [/PDF /Text /ImageB /ImageC] /Font <</F1 %d 0 R /F2 %d 0 R>> /XObject <<%s>>>> /Contents %d 0 R>>",
			objPages, pg.wPt, pg.hPt, objFontBase, objFontBase+6, xobj.String(), content), nil)
		o.kids = append(o.kids, page)
	}
}

// finish writes the fonts, the page tree, the catalog and the
// cross-reference table. With cache, font subsets are looked up in (and
// added to) the per-process cache; use it for small documents whose glyph
// sets repeat.
func (o *pdfOut) finish(fs [2]*face, cache bool) error {
	for i, f := range fs {
		used := o.used[i].list()
		var objs []fontObj
		if cache {
			objs = cachedFontObjects(f, i, used)
		} else {
			objs = fontObjects(f, i, used)
		}
		for _, fo := range objs {
			o.xref[fo.num] = o.off
			o.write(fo.data)
		}
	}
	t := o.created.UTC().Format("20060102150405")
	o.object(objInfo, fmt.Sprintf("<</Title (Staff passport) /Creator (passport) /Producer (passport layout) /CreationDate (D:%sZ) /ModDate (D:%sZ)>>", t, t), nil)
	var kids bytes.Buffer
	for i, k := range o.kids {
		if i > 0 {
			kids.WriteByte(' ')
		}
		kids.WriteString(strconv.Itoa(k))
		kids.WriteString(" 0 R")
	}
	o.object(objPages, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", kids.String(), len(o.kids)), nil)
	o.object(objCatalog, fmt.Sprintf("<</Type /Catalog /Pages %d 0 R>>", objPages), nil)
	start := o.off
	var x bytes.Buffer
	fmt.Fprintf(&x, "xref\n0 %d\n0000000000 65535 f \n", len(o.xref))
	for _, off := range o.xref[1:] {
		fmt.Fprintf(&x, "%010d 00000 n \n", off)
	}
	id := sha256.Sum256([]byte(fmt.Sprint(o.off, t, len(o.kids))))
	fmt.Fprintf(&x, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>]>>\nstartxref\n%d\n%%%%EOF\n", len(o.xref), objCatalog, objInfo, id[:16], id[:16], start)
	o.write(x.Bytes())
	if o.err != nil {
		return o.err
	}
	return o.w.Flush()
}

type fontObj struct {
	num  int
	data []byte
}

// baseText is printed on every page, so its glyphs are in every subset:
// small documents then share the same subsets and the cache hits.
const baseText = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~—…·’‘“”"

// fontCacheMax bounds the subset cache: each entry is two font subsets of
// about 20 KB, so the cache stays under 10 MB.
const fontCacheMax = 256

var fontCache struct {
	sync.Mutex
	m map[string][]fontObj
}

func cachedFontObjects(f *face, idx int, used []uint16) []fontObj {
	var set glyphSet
	for _, r := range baseText {
		set.add(f.glyph(r))
	}
	for _, g := range used {
		set.add(g)
	}
	used = set.list()
	key := make([]byte, 1+2*len(used))
	key[0] = byte(idx)
	for i, g := range used {
		key[1+2*i], key[2+2*i] = byte(g>>8), byte(g)
	}
	fontCache.Lock()
	objs, ok := fontCache.m[string(key)]
	fontCache.Unlock()
	if ok {
		return objs
	}
	objs = fontObjects(f, idx, used)
	fontCache.Lock()
	if fontCache.m == nil || len(fontCache.m) >= fontCacheMax {
		fontCache.m = map[string][]fontObj{}
	}
	fontCache.m[string(key)] = objs
	fontCache.Unlock()
	return objs
}

// fontObjects builds the six objects of a composite (Type0, Identity-H)
// font for the glyphs used. Character codes in the content are the
// original glyph ids; the CIDToGIDMap maps them to the subset's ids.
func fontObjects(f *face, idx int, used []uint16) []fontObj {
	base := objFontBase + 6*idx
	font, newID := f.subset(used)
	h := sha256.New()
	for _, g := range used {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	name := string(tag) + "+" + f.name
	scale := func(v int) int { return v * 1000 / f.upem }

	var w bytes.Buffer
	w.WriteString("[")
	maxCID := 0
	for _, g := range used {
		fmt.Fprintf(&w, "%d [%d] ", g, scale(int(f.adv[g])))
		maxCID = max(maxCID, int(g))
	}
	w.WriteString("]")
	c2g := make([]byte, 2*(maxCID+1))
	for old, nw := range newID {
		if int(old) <= maxCID {
			c2g[2*int(old)], c2g[2*int(old)+1] = byte(nw>>8), byte(nw)
		}
	}

	var cmap bytes.Buffer
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var chars []uint16
	for _, g := range used {
		if f.runeOf[g] != 0 {
			chars = append(chars, g)
		}
	}
	for len(chars) > 0 {
		n := min(len(chars), 100)
		fmt.Fprintf(&cmap, "%d beginbfchar\n", n)
		for _, g := range chars[:n] {
			fmt.Fprintf(&cmap, "<%04X> <%04X>\n", g, f.runeOf[g])
		}
		cmap.WriteString("endbfchar\n")
		chars = chars[n:]
	}
	cmap.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")

	fontZ, c2gZ, cmapZ := deflate(font), deflate(c2g), deflate(cmap.Bytes())
	return []fontObj{
		{base, objectBytes(base, fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>", name, base+1, base+4), nil)},
		{base + 1, objectBytes(base+1, fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor %d 0 R /DW 600 /W %s /CIDToGIDMap %d 0 R>>", name, base+2, w.String(), base+5), nil)},
		{base + 2, objectBytes(base+2, fmt.Sprintf("<</Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV %d /FontFile2 %d 0 R>>",
			name, scale(int(f.bbox[0])), scale(int(f.bbox[1])), scale(int(f.bbox[2])), scale(int(f.bbox[3])), scale(int(f.ascent)), scale(int(f.descent)), scale(int(f.capHeight)), 80+60*idx, base+3), nil)},
		{base + 3, objectBytes(base+3, fmt.Sprintf("<</Filter /FlateDecode /Length %d /Length1 %d>>", len(fontZ), len(font)), fontZ)},
		{base + 4, objectBytes(base+4, fmt.Sprintf("<</Filter /FlateDecode /Length %d>>", len(cmapZ)), cmapZ)},
		{base + 5, objectBytes(base+5, fmt.Sprintf("<</Filter /FlateDecode /Length %d>>", len(c2gZ)), c2gZ)},
	}
}

var deflaters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// deflate compresses b with zlib at BestSpeed (page content and fonts
// compress to a third or less; better levels cost more than they save).
func deflate(b []byte) []byte {
	var out bytes.Buffer
	zw := deflaters.Get().(*zlib.Writer)
	zw.Reset(&out)
	zw.Write(b)
	zw.Close()
	deflaters.Put(zw)
	return out.Bytes()
}

// WritePDF writes a complete PDF holding the passports' pages in order,
// with font subsets that small documents share (cached per process). It is
// safe for concurrent use.
func WritePDF(w io.Writer, created time.Time, ps ...*Passport) error {
	fs, err := loadFaces()
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return fmt.Errorf("layout: the document has no pages; render a passport first")
	}
	o := newPDFOut(w, created)
	for _, p := range ps {
		o.add(p)
	}
	return o.finish(fs, true)
}

// Stream writes a PDF of any number of passports page by page: memory
// stays flat however many are added (the PDF keeps a few bytes per page
// for its cross-reference table). Fonts are subset to the glyphs of all
// pages and written by Close. A Stream is not safe for concurrent use.
type Stream struct {
	o      *pdfOut
	fs     [2]*face
	pages  int
	closed bool
}

// NewStream starts a PDF on w.
func NewStream(w io.Writer, created time.Time) (*Stream, error) {
	fs, err := loadFaces()
	if err != nil {
		return nil, err
	}
	return &Stream{o: newPDFOut(w, created), fs: fs}, nil
}

// Add writes the pages of p.
func (s *Stream) Add(p *Passport) error {
	if s.closed {
		return fmt.Errorf("layout: Add after Close")
	}
	s.o.add(p)
	s.pages += len(p.pages)
	if s.o.err != nil {
		return fmt.Errorf("layout: writing the PDF: %v", s.o.err)
	}
	return nil
}

// Pages is the number of pages written so far.
func (s *Stream) Pages() int { return s.pages }

// Close writes the fonts and the PDF trailer. It does not close the
// underlying writer.
func (s *Stream) Close() error {
	if s.closed {
		return fmt.Errorf("layout: Close called twice")
	}
	s.closed = true
	if s.pages == 0 {
		return fmt.Errorf("layout: the document has no pages")
	}
	if err := s.o.finish(s.fs, false); err != nil {
		return fmt.Errorf("layout: writing the PDF: %v", err)
	}
	return nil
}
