// Package scan finds and reads the QR codes in an image or a PDF. It knows nothing
// about credentials: it returns the text of every barcode it can read.
//
// The reader is gozxing's QR reader behind a list of strategies (a region, a
// prefilter, a sampler and a binarizer each) that one planner tries in order until
// one reads; each strategy is there because an image of the gating corpus needs it
// (strategy.go, docs/scanning.md). The stages are packages: image decoding
// (imagedec), the grey plane and filters (internal/raster), detection and sampling
// (internal/detect), the budget (internal/work), and the search, here.
//
// Camera frames (hint.go): ReadFrame reads Options.Region first, where the previous
// frame had the code, and reports in Frame.Region where this frame had it (or its
// finder patterns) for the caller to pass with the next frame.
package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"unicode"
	"unicode/utf8"

	"passport/verify/scan/imagedec"
	"passport/verify/scan/internal/detect"
	"passport/verify/scan/internal/guard"
)

// Code is one barcode found.
type Code struct {
	// Text is the barcode's content exactly as encoded.
	Text string
	// Format is the symbology as gozxing names it, e.g. "QR_CODE".
	Format string
	// Page is the 1-based PDF page the code was found on, or 0 for an image.
	Page int
}

// Kind is the kind of an input as sniffed from its first bytes.
type Kind int

// The kinds of input Sniff recognises.
const (
	// KindUnknown is anything else (binary data of an unsupported format, empty input).
	KindUnknown Kind = iota
	// KindImage is a PNG, JPEG, GIF, BMP, TIFF or WebP file.
	KindImage
	// KindPDF is a PDF document.
	KindPDF
	// KindText is valid UTF-8 made only of printable characters and white space,
	// such as a credential pasted into a file.
	KindText
)

// String returns the kind's lower-case name, for messages.
func (k Kind) String() string {
	switch k {
	case KindImage:
		return "image"
	case KindPDF:
		return "pdf"
	case KindText:
		return "text"
	}
	return "unknown"
}

// Errors returned by this package; callers test them with errors.Is. Returned errors
// usually wrap one of these with detail about the input.
var (
	// ErrTooLarge means the input exceeds one of the limits in limits.go (MaxPixels,
	// MaxInputBytes, the decoded size, the PDF's objects or pages); the wrapping
	// error names which.
	ErrTooLarge = imagedec.ErrTooLarge
	// ErrNotImage means the input is not an image or PDF this package can read.
	ErrNotImage = imagedec.ErrNotImage
	// ErrNoBarcode means the input was read but no barcode in it could be decoded.
	ErrNoBarcode = errors.New("scan: no readable QR code found; rescan flat at 300 dpi with the whole code in view and in focus")
)

// pdfSearchWindow is how far into a file the %PDF- header may start: PDF readers
// accept up to 1024 bytes of leading junk (ISO 32000-1, annex H.3, note 3).
const pdfSearchWindow = 1024

// Sniff reports what kind of input data holds, from its magic bytes: a PDF header
// within the first 1024 bytes, then PNG, JPEG, GIF, BMP, TIFF and WebP signatures,
// then text when data is non-empty valid UTF-8 of printable characters and white space.
func Sniff(data []byte) Kind {
	head := data
	if len(head) > pdfSearchWindow {
		head = head[:pdfSearchWindow]
	}
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return KindPDF
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(data, []byte("\xff\xd8\xff")),
		bytes.HasPrefix(data, []byte("GIF87a")),
		bytes.HasPrefix(data, []byte("GIF89a")),
		bytes.HasPrefix(data, []byte("BM")) && len(data) >= 26,
		bytes.HasPrefix(data, []byte("II*\x00")),
		bytes.HasPrefix(data, []byte("MM\x00*")),
		len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP":
		return KindImage
	}
	if len(data) == 0 || !utf8.Valid(data) {
		return KindUnknown
	}
	for _, r := range string(data) {
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return KindUnknown
		}
	}
	return KindText
}

// Read finds the barcodes in an image or PDF file's bytes, dispatching on Sniff,
// within DefaultBudget and DefaultWork. Text input is the caller's business: Read
// returns ErrNotImage for it, as for anything else it cannot read.
func Read(data []byte) ([]Code, error) {
	return ReadContext(context.Background(), data, Options{})
}

// ReadContext is Read bounded by ctx and opts: it stops with a *BudgetError
// (errors.Is ErrBudget) when ctx is cancelled or the budget in opts runs out.
func ReadContext(ctx context.Context, data []byte, opts Options) (codes []Code, err error) {
	defer guard.Catch(&err, true)
	switch k := Sniff(data); k {
	case KindImage:
		return ImageContext(ctx, data, opts)
	case KindPDF:
		return PDFContext(ctx, data, opts)
	default:
		return nil, fmt.Errorf("%w (input looks like %s)", ErrNotImage, k)
	}
}

// Image decodes every barcode in an image file's bytes (PNG, JPEG, GIF, BMP, TIFF or
// WebP) within DefaultBudget and DefaultWork. The dimensions and colour model are read
// from the header first, and an image over MaxPixels, or whose decoded pixels would
// take over imagedec's limit, is refused with ErrTooLarge before any pixel is decoded.
func Image(data []byte) ([]Code, error) {
	return ImageContext(context.Background(), data, Options{})
}

// ImageContext is Image bounded by ctx and opts (see ReadContext).
func ImageContext(ctx context.Context, data []byte, opts Options) (codes []Code, err error) {
	defer guard.Catch(&err, true)
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%w: the file is %d bytes, over the limit of %d MiB; scan at 300 dpi or crop to the page", ErrTooLarge, len(data), MaxInputBytes>>20)
	}
	b := newBudget(ctx, opts)
	g, err := decodeImageFile(data)
	if err != nil {
		return nil, err
	}
	if opts.Region.Empty() {
		return readPage(g, b)
	}
	codes, _, err = decodeRegionFirst(g, opts.Region, b)
	return codes, err
}

// readPage reads a whole page or image: halved first when it is big
// (readHalved), then at full size with every strategy.
func readPage(g *gray, b *budget) ([]Code, error) {
	if codes := readHalved(g, b); len(codes) > 0 {
		return codes, nil
	}
	codes, _, err := decodeGray(g, defaultStrategies(), b)
	return codes, err
}

// readHalved is the first read of a page of halfFirstMinPixels or more (a
// 300-dpi scan, a phone photo): the page halved in each direction, binarized
// and searched once, as defaultStrategies' first strategy does at full size.
// A code printed to be read at 150 dpi has modules of 3 pixels or more there,
// and the binarizer's and finder scan's passes over a quarter of the pixels
// are most of the cost of reading a clean page. It returns nothing for a
// smaller page, or when the halved page reads nothing; the caller then reads
// the page at full size with every strategy, so what the reader can read is
// unchanged (a page with a second, smaller code beside one the halved page
// reads is the exception: that code is not looked for).
func readHalved(g *gray, b *budget) []Code {
	if len(g.Pix) < halfFirstMinPixels || !b.Spend(int64(len(g.Pix))) {
		return nil
	}
	texts, _ := detect.Read(g.Downscaled2(), false, b)
	return qrCodes(texts)
}

// decodeImageFile decodes an image file to the reader's grey plane (imagedec.Decode).
func decodeImageFile(data []byte) (*gray, error) {
	d, err := imagedec.Decode(data)
	if err != nil {
		return nil, err
	}
	return fromDec(d), nil
}

// Decode reads every barcode in a decoded image with defaultStrategies, within
// DefaultBudget and DefaultWork. It returns ErrNoBarcode when none can be read and
// ErrTooLarge for an image over MaxPixels.
func Decode(img image.Image) ([]Code, error) {
	return DecodeContext(context.Background(), img, Options{})
}

// DecodeContext is Decode bounded by ctx and opts (see ReadContext).
func DecodeContext(ctx context.Context, img image.Image, opts Options) (codes []Code, err error) {
	defer guard.Catch(&err, true)
	codes, _, err = decodeWith(img, defaultStrategies(), newBudget(ctx, opts))
	return codes, err
}

func decodeWith(img image.Image, strategies []strategy, b *budget) ([]Code, string, error) {
	if img == nil {
		return nil, "", fmt.Errorf("%w: no image given", ErrNotImage)
	}
	r := img.Bounds()
	if err := imagedec.CheckSize(r.Dx(), r.Dy()); err != nil {
		return nil, "", err
	}
	return decodeGray(toGray(img), strategies, b)
}
