// Package scan finds and reads the QR codes in an image or a PDF. It knows nothing
// about credentials: it returns the text of every barcode it can read.
//
// The reader is gozxing's QR reader behind a list of strategies (binarizers, filters,
// rescaling, rotation, inversion) tried in order until one reads; see strategy.go and
// docs/scanning.md for why each exists.
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
	"image/color"
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
	// ErrTooLarge means the input exceeds one of the limits in limits.go (MaxPixels,
	// MaxInputBytes, the decoded size, the PDF's objects or pages); the wrapping
	// error names which.
	ErrTooLarge = errors.New("scan: input too large to read safely")
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

// Read finds the barcodes in an image or PDF file's bytes, dispatching on Sniff,
// within DefaultBudget and DefaultWork. Text input is the caller's business: Read
// returns ErrNotImage for it, as for anything else it cannot read.
func Read(data []byte) ([]Code, error) {
	return ReadContext(context.Background(), data, Options{})
}

// ReadContext is Read bounded by ctx and opts: it stops with a *BudgetError
// (errors.Is ErrBudget) when ctx is cancelled or the budget in opts runs out.
func ReadContext(ctx context.Context, data []byte, opts Options) (codes []Code, err error) {
	defer catch(&err, true)
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
// take over maxDecodedBytes, is refused with ErrTooLarge before any pixel is decoded.
func Image(data []byte) ([]Code, error) {
	return ImageContext(context.Background(), data, Options{})
}

// ImageContext is Image bounded by ctx and opts (see ReadContext).
func ImageContext(ctx context.Context, data []byte, opts Options) (codes []Code, err error) {
	defer catch(&err, true)
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%w: the file is %d bytes, over the limit of %d MiB; scan at 300 dpi or crop to the page", ErrTooLarge, len(data), MaxInputBytes>>20)
	}
	b := newBudget(ctx, opts)
	g, err := decodeImageFile(data)
	if err != nil {
		return nil, err
	}
	codes, _, err = decodeRegionFirst(g, opts.Region, b)
	return codes, err
}

// decodeImageFile decodes an image file to grey: a PNG with decodePNG, which
// writes the grey plane directly, anything else (or an interlaced PNG) with
// decodeImageStd.
func decodeImageFile(data []byte) (*gray, error) {
	if g, err := decodePNG(data); !errors.Is(err, errPNGFallback) {
		return g, err
	}
	return decodeImageStd(data)
}

// decodeImageStd checks an image file's header against MaxPixels and
// maxDecodedBytes, then decodes it with the registered decoders and converts it to
// grey. The decoded image is dropped on return, so only the grey plane outlives
// this call.
func decodeImageStd(data []byte) (*gray, error) {
	img, format, err := decodeStd(data)
	if err != nil {
		return nil, err
	}
	if img == nil {
		return nil, fmt.Errorf("%w: %s image decoder returned no image", ErrNotImage, format)
	}
	return toGray(img), nil
}

// decodeStd is decodeImageStd's call into the image decoders, where a panic (on
// a file crafted against one of them) means the file cannot be read.
func decodeStd(data []byte) (img image.Image, format string, err error) {
	defer func() {
		if errors.Is(err, errForeignPanic) {
			img, err = nil, fmt.Errorf("%w: %v", ErrNotImage, err)
		}
	}()
	defer catch(&err, false)
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", ErrNotImage
		}
		return nil, "", fmt.Errorf("%w: image header is damaged (%v); save the scan again", ErrNotImage, err)
	}
	if err := checkDecodedSize(cfg); err != nil {
		return nil, format, fmt.Errorf("%s image: %w", format, err)
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, format, fmt.Errorf("%w: %s image is damaged (%v); save the scan again", ErrNotImage, format, err)
	}
	return img, format, nil
}

// checkDecodedSize refuses an image whose header promises more than MaxPixels
// pixels, or more than maxDecodedBytes once decoded (a 16-bit colour image takes
// 8 bytes a pixel).
func checkDecodedSize(cfg image.Config) error {
	return checkDecodedBytes(cfg.Width, cfg.Height, bytesPerPixel(cfg.ColorModel))
}

// checkDecodedBytes refuses a w×h image of bpp bytes a pixel when decoded, as
// checkDecodedSize does.
func checkDecodedBytes(w, h, bpp int) error {
	if err := checkSize(w, h); err != nil {
		return err
	}
	if n := int64(w) * int64(h) * int64(bpp); n > maxDecodedBytes {
		return fmt.Errorf("%w: %d×%d pixels at %d bytes a pixel would take %d MB to decode (limit %d MB); save the scan with 8 bits a channel, in grey, or at a lower resolution",
			ErrTooLarge, w, h, bpp, n/1_000_000, maxDecodedBytes/1_000_000)
	}
	return nil
}

// bytesPerPixel is the memory a decoder's image of this colour model takes a pixel;
// unknown models count as the largest (16-bit RGBA).
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// checkSize refuses dimensions that are not positive or exceed MaxPixels.
func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image has no pixels (%d×%d)", ErrNotImage, w, h)
	}
	if int64(w)*int64(h) > MaxPixels {
		return fmt.Errorf("%w: %d×%d pixels is over the limit of %d megapixels; scan at 300 dpi or crop to the page", ErrTooLarge, w, h, MaxPixels/1_000_000)
	}
	return nil
}

// Decode reads every barcode in a decoded image with DefaultStrategies, within
// DefaultBudget and DefaultWork. It returns ErrNoBarcode when none can be read and
// ErrTooLarge for an image over MaxPixels.
func Decode(img image.Image) ([]Code, error) {
	return DecodeContext(context.Background(), img, Options{})
}

// DecodeContext is Decode bounded by ctx and opts (see ReadContext).
func DecodeContext(ctx context.Context, img image.Image, opts Options) (codes []Code, err error) {
	defer catch(&err, true)
	codes, _, err = decodeWith(img, DefaultStrategies(), newBudget(ctx, opts))
	return codes, err
}

// DecodeWith reads barcodes from img trying strategies in order, stopping at the first
// that reads anything, and also returns that strategy's name (for measuring which
// strategies earn their cost). Identical texts are returned once. It runs within
// DefaultBudget and DefaultWork.
func DecodeWith(img image.Image, strategies []Strategy) (codes []Code, name string, err error) {
	defer catch(&err, true)
	return decodeWith(img, strategies, newBudget(context.Background(), Options{}))
}

func decodeWith(img image.Image, strategies []Strategy, b *budget) ([]Code, string, error) {
	if img == nil {
		return nil, "", fmt.Errorf("%w: no image given", ErrNotImage)
	}
	r := img.Bounds()
	if err := checkSize(r.Dx(), r.Dy()); err != nil {
		return nil, "", err
	}
	return decodeGray(toGray(img), strategies, b)
}
