// Package scan finds and reads the QR codes in an image or a PDF. It knows nothing
// about credentials: it returns the text of every barcode it can read.
//
// The reader is gozxing's QR reader behind a list of strategies (binarizers, filters,
// rescaling, rotation, inversion) tried in order until one reads; see strategy.go and
// SCANNING.md for why each exists.
package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF for image.Decode
	_ "image/jpeg" // register JPEG for image.Decode
	_ "image/png"  // register PNG for image.Decode
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/bmp"  // register BMP for image.Decode
	_ "golang.org/x/image/tiff" // register TIFF for image.Decode (also what pdfcpu renders some PDF images to)
	_ "golang.org/x/image/webp" // register WebP for image.Decode
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
	// ErrTooLarge means the input exceeds MaxPixels or MaxInputBytes.
	ErrTooLarge = errors.New("scan: input too large (over 40 megapixels or 64 MiB); scan at 300 dpi or crop to the page")
	// ErrNotImage means the input is not an image or PDF this package can read.
	ErrNotImage = errors.New("scan: input is not a PNG, JPEG, GIF, BMP, TIFF or WebP image or a PDF; save the scan in one of those formats")
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

// Read finds the barcodes in an image or PDF file's bytes, dispatching on Sniff.
// Text input is the caller's business: Read returns ErrNotImage for it, as for
// anything else it cannot read.
func Read(data []byte) ([]Code, error) {
	switch k := Sniff(data); k {
	case KindImage:
		return Image(data)
	case KindPDF:
		return PDF(data)
	default:
		return nil, fmt.Errorf("%w (input looks like %s)", ErrNotImage, k)
	}
}

// Image decodes every barcode in an image file's bytes (PNG, JPEG, GIF, BMP, TIFF or
// WebP). The dimensions are read from the header first and an image over MaxPixels is
// refused with ErrTooLarge before any pixel is decoded.
func Image(data []byte) ([]Code, error) {
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%w: file is %d bytes", ErrTooLarge, len(data))
	}
	img, err := decodeImageFile(data)
	if err != nil {
		return nil, err
	}
	return Decode(img)
}

// decodeImageFile checks an image file's header against MaxPixels, then decodes it.
func decodeImageFile(data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: image decoder failed: %v", ErrNotImage, r)
		}
	}()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, ErrNotImage
		}
		return nil, fmt.Errorf("%w: image header is damaged (%v); save the scan again", ErrNotImage, err)
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("%s image: %w", format, err)
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s image is damaged (%v); save the scan again", ErrNotImage, format, err)
	}
	return img, nil
}

// checkSize refuses dimensions that are not positive or exceed MaxPixels.
func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image has no pixels (%d×%d)", ErrNotImage, w, h)
	}
	if int64(w)*int64(h) > MaxPixels {
		return fmt.Errorf("%w: %d×%d pixels is over %d", ErrTooLarge, w, h, MaxPixels)
	}
	return nil
}

// Decode reads every barcode in a decoded image with DefaultStrategies. It returns
// ErrNoBarcode when none can be read and ErrTooLarge for an image over MaxPixels.
func Decode(img image.Image) ([]Code, error) {
	codes, _, err := DecodeWith(img, DefaultStrategies())
	return codes, err
}

// DecodeWith reads barcodes from img trying strategies in order, stopping at the first
// that reads anything, and also returns that strategy's name (for measuring which
// strategies earn their cost). Identical texts are returned once.
func DecodeWith(img image.Image, strategies []Strategy) ([]Code, string, error) {
	if img == nil {
		return nil, "", fmt.Errorf("%w: no image given", ErrNotImage)
	}
	b := img.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, "", err
	}
	return decodeGray(toGray(img), strategies)
}
