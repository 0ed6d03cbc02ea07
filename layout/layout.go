// Package layout renders staff passports as printable A4 PDF pages: the
// holder's details, employment checks and Core Skills training tables, the
// passport's validity, and the signed credential as a QR code.
//
// The QR code is embedded as a DeviceGray 8-bit image at one pixel per
// module with its quiet zone included, so that the verifier can extract it
// from our own PDFs without a renderer. The PDFs are written by a small
// streaming writer (pdfwrite.go) with CIDFontType2 subsets of DejaVu Sans.
package layout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"io"
	"strings"
	"sync"
	"time"

	"passport/credential"
)

// Defaults and bounds for Options.
const (
	// DefaultECC is the QR error-correction level used when Options.ECC is
	// empty: at a fixed printed size M read at least as well as Q in our
	// scanning measurements (bigger modules beat more redundancy).
	DefaultECC = "M"

	// DefaultCodeWidthMM is the printed width of the QR symbol, without its
	// quiet zone, when Options.CodeWidthMM is zero.
	DefaultCodeWidthMM = 60

	// MinCodeWidthMM is the smallest code width accepted: below 55 mm a
	// version 21 code (about 1000 characters at M) has modules under 0.55 mm,
	// fewer than 3.5 pixels each in a 150-dpi scan.
	MinCodeWidthMM = 55

	// MaxCodeWidthMM is the largest code width that still leaves room for
	// the holder's details beside the code on an A4 page.
	MaxCodeWidthMM = 80

	// PixelsPerModule is the resolution of the embedded QR image. Modules
	// are whole pixels, so the image stays crisp at any zoom; 1 is enough
	// because PDF viewers and printers scale it without interpolation
	// (/Interpolate is false by default), and verify/scan upscales small
	// images before decoding.
	PixelsPerModule = 1
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW, pageH = 210.0, 297.0
	marginX      = 18.0 // left and right margins; the QR code stays at least this far from the edges
	marginTop    = 15.0
	marginBottom = 15.0
	contentW     = pageW - 2*marginX
	ptToMM       = 25.4 / 72
)

// Colours (RGB). Text is black or near-black for contrast; the accent is a
// dark blue that stays legible on a monochrome printer.
var (
	colText    = [3]int{0, 0, 0}
	colLabel   = [3]int{64, 64, 64}
	colAccent  = [3]int{0, 48, 135}
	colRule    = [3]int{170, 170, 170}
	colHeadBG  = [3]int{226, 233, 243}
	colZebraBG = [3]int{245, 246, 248}
	colBoxBG   = [3]int{236, 242, 250}
	colExpired = [3]int{160, 0, 0}
)

// Layouts accepted in Options.Layout.
const (
	// LayoutA4 is one A4 portrait page per person with the full record.
	LayoutA4 = "a4"
	// LayoutCard is a credit-card-size (ID-1, 85.6 × 54 mm) card for card
	// printers: the front carries the photo, name, role and validity, the
	// back the code; it takes two pages per person (front, back).
	LayoutCard = "card"
)

// Options control printing; the zero value gives the defaults chosen for
// scanning (A4, QR ECC level M, a code 60 mm wide plus its 4-module quiet
// zone, kept at least 15 mm from every page edge).
type Options struct {
	// ECC is the QR error-correction level: "L", "M", "Q" or "H"; "" means "M".
	ECC string
	// CodeWidthMM is the printed width of the QR symbol without its quiet
	// zone on the A4 layout; 0 means 60. It must be between MinCodeWidthMM
	// and MaxCodeWidthMM. The card layout always uses the full card height.
	CodeWidthMM float64
	// Created is the creation date written into the PDF metadata; zero means
	// the time of NewDocument.
	Created time.Time
	// Layout is LayoutA4 ("" means A4) or LayoutCard.
	Layout string
	// Contact is how a receiving site reaches the issuer to confirm a
	// passport (the e-mail address given to 'keys new --contact'), printed
	// as ConfirmPrefix+Contact on the A4 page and the back of the card;
	// "" prints no line. It is not part of the signed record.
	Contact string
}

// ConfirmPrefix starts the issuer's contact line on the paper.
const ConfirmPrefix = "To confirm this passport: "

// MaxContactLen caps Options.Contact: the longest e-mail address SMTP
// carries (RFC 5321), and about what fits beside the code on a card.
const MaxContactLen = 254

// Renderer lays out passports with fixed options. It is safe for
// concurrent use: a batch renders pages on every core with one Renderer.
type Renderer struct {
	opts  Options
	cov   map[rune]bool
	faces [2]*face
	// footers caches the A4 footer's fixed lines per type scale.
	footers sync.Map
}

// NewRenderer checks the options and loads the fonts (once per process).
func NewRenderer(opts Options) (*Renderer, error) {
	if _, err := parseECC(opts.ECC); err != nil {
		return nil, err
	}
	opts.ECC = strings.ToUpper(strings.TrimSpace(opts.ECC))
	if opts.CodeWidthMM == 0 {
		opts.CodeWidthMM = DefaultCodeWidthMM
	}
	if opts.ECC == "" {
		// On a card the code is only 47 mm wide: level L keeps the version,
		// and so the module count, low enough for 0.55 mm modules.
		opts.ECC = DefaultECC
		if strings.EqualFold(strings.TrimSpace(opts.Layout), LayoutCard) {
			opts.ECC = "L"
		}
	}
	if !(opts.CodeWidthMM >= MinCodeWidthMM && opts.CodeWidthMM <= MaxCodeWidthMM) {
		return nil, fmt.Errorf("layout: QR code width %.1f mm is out of range (use %d to %d mm)", opts.CodeWidthMM, MinCodeWidthMM, MaxCodeWidthMM)
	}
	switch strings.ToLower(strings.TrimSpace(opts.Layout)) {
	case "", LayoutA4:
		opts.Layout = LayoutA4
	case LayoutCard:
		opts.Layout = LayoutCard
	default:
		return nil, fmt.Errorf("layout: unknown layout %q (use %q or %q)", opts.Layout, LayoutA4, LayoutCard)
	}
	if opts.Created.IsZero() {
		opts.Created = time.Now()
	}
	opts.Contact = strings.TrimSpace(opts.Contact)
	if len(opts.Contact) > MaxContactLen || strings.IndexFunc(opts.Contact, credential.UnsafeRune) >= 0 {
		return nil, fmt.Errorf("layout: the issuer's contact %.40q is not a line of at most %d characters", opts.Contact, MaxContactLen)
	}
	cov, err := fontCoverage()
	if err != nil {
		return nil, err
	}
	fs, err := loadFaces()
	if err != nil {
		return nil, err
	}
	return &Renderer{opts: opts, cov: cov, faces: fs}, nil
}

// Options returns the options in effect, with defaults filled in.
func (r *Renderer) Options() Options { return r.opts }

// Render lays out the passport of c, with text (the full "SP1:..."
// credential text) as the QR payload and an optional photo. The
// organisation name is taken from c.Body.Employment.OrgName.
func (r *Renderer) Render(c *credential.Claims, text string, photo *Photo) (p *Passport, err error) {
	if c == nil {
		return nil, errors.New("layout: a passport needs claims, got nil")
	}
	if text == "" {
		return nil, errors.New("layout: a passport needs the credential text for the QR code, got an empty string")
	}
	m, err := encodeMatrix(text, r.opts.ECC)
	if err != nil {
		return nil, err
	}
	qr, err := qrImage(m)
	if err != nil {
		return nil, err
	}
	defer func() {
		if x := recover(); x != nil {
			p, err = nil, fmt.Errorf("layout: rendering the passport page failed: %v", x)
		}
	}()
	if err := checkFieldLengths(c); err != nil {
		return nil, err
	}
	if err := checkPrintableName(c.Body.Person, r.cov); err != nil {
		return nil, err
	}
	cvs, err := r.fit(c, qr, m.n, photo)
	if err != nil {
		return nil, err
	}
	p = &Passport{symbol: m.image(1), moduleMM: r.opts.CodeWidthMM / float64(m.n)}
	if r.opts.Layout == LayoutCard {
		p.moduleMM = cardCodeMM / float64(m.n+2*QuietZoneModules)
	}
	var used [2]glyphSet
	for _, cv := range cvs {
		p.pages = append(p.pages, cv.page())
		used[0].union(&cv.used[0])
		used[1].union(&cv.used[1])
	}
	p.used[0], p.used[1] = used[0].list(), used[1].list()
	return p, nil
}

// fit lays out the passport at the largest scale of fitScales at which
// every field fits whole, and fails when none does.
func (r *Renderer) fit(c *credential.Claims, qr imageData, modules int, photo *Photo) ([]*canvas, error) {
	var err error
	if r.opts.Layout == LayoutCard {
		for _, k := range fitScales {
			var cvs []*canvas
			if cvs, err = r.card(c, qr, photo, k); err == nil {
				return cvs, nil
			}
		}
		return nil, err
	}
	// Most full records need a scale below the first: each scale is tried
	// on a dry canvas (measuring only), and the page drawn once, at the
	// first scale that fits. The table rows are the same at every scale.
	memo := &pageMemo{}
	for _, k := range fitScales {
		dry := &page{r: r, pdf: &canvas{fs: r.faces, wMM: pageW, hMM: pageH, dry: true}, c: c, scale: k, memo: memo}
		dry.render(qr, modules, photo)
		if err = dry.err; err != nil {
			continue
		}
		cv := newCanvas(r.faces, pageW, pageH)
		pg := &page{r: r, pdf: cv, c: c, scale: k, memo: memo}
		pg.render(qr, modules, photo)
		if pg.err != nil { // the dry run measured the same page
			return nil, fmt.Errorf("layout: the page fitted when measured but not when drawn: %v", pg.err)
		}
		return []*canvas{cv}, nil
	}
	return nil, err
}

// qrImage is the QR symbol with its quiet zone as an image XObject at one
// pixel per module: PDF images are drawn without interpolation unless they
// ask for it, so the modules print as crisp squares at any size, and the
// image is 16 times smaller (and faster) than one at 4 pixels per module.
func qrImage(m *matrix) (imageData, error) {
	img := m.image(PixelsPerModule)
	z, err := grayIDAT(img, PixelsPerModule)
	if err != nil {
		return imageData{}, fmt.Errorf("layout: encoding the QR image: %v", err)
	}
	w := img.Bounds().Dx()
	return imageData{
		dict: fmt.Sprintf("/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms <</Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns %d>>", w, w, w),
		data: z,
	}, nil
}

// Document is a PDF with one or more passport pages, kept in memory until
// Write: for a few passports. A batch uses a Renderer and a Stream. A
// Document is not safe for concurrent use.
type Document struct {
	r       *Renderer
	ps      []*Passport
	pages   int
	written bool
}

// NewDocument starts an empty PDF.
func NewDocument(opts Options) (*Document, error) {
	r, err := NewRenderer(opts)
	if err != nil {
		return nil, err
	}
	return &Document{r: r}, nil
}

// Pages is the number of passports added so far.
func (d *Document) Pages() int { return d.pages }

// AddPassport adds the passport of c (one A4 page, or a card's two
// pages), with text (the full "SP1:..." credential text) as the QR
// payload. The organisation name is taken from c.Body.Employment.OrgName.
func (d *Document) AddPassport(c *credential.Claims, text string) error {
	if d.written {
		return errors.New("layout: AddPassport after Write; start a new Document")
	}
	p, err := d.r.Render(c, text, nil)
	if err != nil {
		return err
	}
	d.ps = append(d.ps, p)
	d.pages++
	return nil
}

// grayIDAT encodes a QR image drawn at px pixels per module as zlib data
// with PNG row filters (PDF's /Predictor 15). Each module row's first
// pixel row uses the Sub filter (zeros except at module edges) and the px-1
// rows that repeat it use Up (all zeros), so the compressor sees long runs
// of zeros and BestSpeed already packs them well.
func grayIDAT(img *image.Gray, px int) ([]byte, error) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	raw := make([]byte, 0, h*(w+1))
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		if y%px != 0 {
			raw = append(raw, 2) // Up: identical to the row above
			raw = append(raw, make([]byte, w)...)
			continue
		}
		raw = append(raw, 1) // Sub: difference from the pixel to the left
		prev := byte(0)
		for _, v := range row {
			raw = append(raw, v-prev)
			prev = v
		}
	}
	return deflate(raw), nil
}

// grayPNG encodes a QR image drawn at px pixels per module as an 8-bit
// grayscale PNG (the same data as grayIDAT, in PNG chunks).
func grayPNG(img *image.Gray, px int) ([]byte, error) {
	z, err := grayIDAT(img, px)
	if err != nil {
		return nil, err
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 0 // 8-bit, grayscale; compression, filter, interlace 0
	pngChunk(&out, "IHDR", ihdr)
	pngChunk(&out, "IDAT", z)
	pngChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

func pngChunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out.WriteString(typ)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}

// Write writes the PDF. It can be called once; the Document is finished after it.
func (d *Document) Write(w io.Writer) error {
	if d.written {
		return errors.New("layout: Write called twice; a Document is written once")
	}
	if d.pages == 0 {
		return errors.New("layout: the document has no pages; call AddPassport first")
	}
	d.written = true
	if err := WritePDF(w, d.r.opts.Created, d.ps...); err != nil {
		return fmt.Errorf("layout: writing the PDF: %v", err)
	}
	return nil
}
