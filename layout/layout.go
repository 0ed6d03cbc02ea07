// Package layout renders staff passports as printable A4 PDF pages: the
// holder's details, employment checks and Core Skills training tables, the
// passport's validity, and the signed credential as a QR code.
//
// The QR code is embedded as a DeviceGray 8-bit PNG image with an integer
// number of pixels per module and its quiet zone included, so that the
// verifier can extract it from our own PDFs without a renderer.
package layout

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"

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
	// are whole pixels, so the image stays crisp at any zoom; 4 is enough
	// because PDF viewers and printers scale it without interpolation.
	PixelsPerModule = 4
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

// Options control printing; the zero value gives the defaults chosen for
// scanning (QR ECC level M, a code 60 mm wide plus its 4-module quiet zone,
// kept at least 15 mm from every page edge).
type Options struct {
	// ECC is the QR error-correction level: "L", "M", "Q" or "H"; "" means "M".
	ECC string
	// CodeWidthMM is the printed width of the QR symbol without its quiet
	// zone; 0 means 60. It must be between MinCodeWidthMM and MaxCodeWidthMM.
	CodeWidthMM float64
	// Created is the creation date written into the PDF metadata; zero means
	// the time of NewDocument.
	Created time.Time
}

// Document is a PDF with one or more passport pages. It is not safe for
// concurrent use; use one Document per goroutine.
type Document struct {
	pdf     *gofpdf.Fpdf
	opts    Options
	cov     map[rune]bool
	pages   int
	written bool
	err     error // sticky: a failed page leaves the PDF unusable
}

// NewDocument starts an empty PDF. It parses the embedded fonts once; each
// AddPassport then only lays out text and one image.
func NewDocument(opts Options) (*Document, error) {
	if _, err := parseECC(opts.ECC); err != nil {
		return nil, err
	}
	if opts.ECC == "" {
		opts.ECC = DefaultECC
	}
	opts.ECC = strings.ToUpper(strings.TrimSpace(opts.ECC))
	if opts.CodeWidthMM == 0 {
		opts.CodeWidthMM = DefaultCodeWidthMM
	}
	if !(opts.CodeWidthMM >= MinCodeWidthMM && opts.CodeWidthMM <= MaxCodeWidthMM) {
		return nil, fmt.Errorf("layout: QR code width %.1f mm is out of range (use %d to %d mm)", opts.CodeWidthMM, MinCodeWidthMM, MaxCodeWidthMM)
	}
	if opts.Created.IsZero() {
		opts.Created = time.Now()
	}
	cov, err := fontCoverage()
	if err != nil {
		return nil, err
	}
	pdf := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", SizeStr: "A4", OrientationStr: "P"})
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, marginBottom)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(opts.Created)
	pdf.SetModificationDate(opts.Created)
	pdf.SetCreator("passport", true)
	pdf.SetTitle("Staff passport", true)
	pdf.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("layout: loading the embedded fonts: %v", err)
	}
	return &Document{pdf: pdf, opts: opts, cov: cov}, nil
}

// Pages is the number of passport pages added so far.
func (d *Document) Pages() int { return d.pages }

// AddPassport adds one A4 page for the claims, with text (the full "SP1:..."
// credential text) as the QR payload. The organisation name is taken from
// c.Body.Employment.OrgName. After an error the Document is unusable.
func (d *Document) AddPassport(c *credential.Claims, text string) (err error) {
	if d.err != nil {
		return d.err
	}
	if d.written {
		return errors.New("layout: AddPassport after Write; start a new Document")
	}
	if c == nil {
		return errors.New("layout: AddPassport needs claims, got nil")
	}
	if text == "" {
		return errors.New("layout: AddPassport needs the credential text for the QR code, got an empty string")
	}
	img, n, err := d.qrPNG(text)
	if err != nil {
		return err
	}
	// gofpdf panics on some malformed input; turn that into an error and
	// poison the document, whose internal state is then unknown.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("layout: rendering the passport page failed: %v", r)
			d.err = err
		}
	}()
	d.pages++
	p := &page{d: d, pdf: d.pdf, c: c}
	p.render(img, n)
	if e := d.pdf.Error(); e != nil {
		d.err = fmt.Errorf("layout: rendering page %d: %v", d.pages, e)
		return d.err
	}
	return nil
}

// grayPNG encodes a QR image drawn at px pixels per module as an 8-bit
// grayscale PNG. It is much faster than image/png for this content: each
// module row's first pixel row uses the Sub filter (zeros except at module
// edges) and the px-1 rows that repeat it use Up (all zeros), so the
// compressor sees long runs of zeros and BestSpeed already packs them well.
func grayPNG(img *image.Gray, px int) ([]byte, error) {
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
	var z bytes.Buffer
	zw, _ := zlibPool.Get().(*zlib.Writer)
	if zw == nil {
		var err error
		if zw, err = zlib.NewWriterLevel(&z, zlib.BestSpeed); err != nil {
			return nil, err
		}
	} else {
		zw.Reset(&z)
	}
	defer zlibPool.Put(zw)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 0 // 8-bit, grayscale; compression, filter, interlace 0
	pngChunk(&out, "IHDR", ihdr)
	pngChunk(&out, "IDAT", z.Bytes())
	pngChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// zlibPool reuses compressors: a new one allocates about a megabyte.
var zlibPool sync.Pool

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

// qrPNG encodes text as a PNG QR image and returns the modules per side
// (without quiet zone).
func (d *Document) qrPNG(text string) ([]byte, int, error) {
	m, err := encodeMatrix(text, d.opts.ECC)
	if err != nil {
		return nil, 0, err
	}
	b, err := grayPNG(m.image(PixelsPerModule), PixelsPerModule)
	if err != nil {
		return nil, 0, fmt.Errorf("layout: encoding the QR image: %v", err)
	}
	return b, m.n, nil
}

// Write writes the PDF. It can be called once; the Document is finished after it.
func (d *Document) Write(w io.Writer) error {
	if d.err != nil {
		return d.err
	}
	if d.written {
		return errors.New("layout: Write called twice; a Document is written once")
	}
	if d.pages == 0 {
		return errors.New("layout: the document has no pages; call AddPassport first")
	}
	d.written = true
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("layout: writing the PDF: %v", err)
	}
	return nil
}
