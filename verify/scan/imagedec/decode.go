// Package imagedec turns image files (PNG, JPEG, GIF, BMP, TIFF, WebP) and the
// images of a PDF (PDFImage) into the reader's 8-bit grey plane. Every file is bounded from its header before any
// pixel is decoded: more than MaxPixels pixels, or a decoded image over
// maxDecodedBytes, is refused with ErrTooLarge. PNG and baseline JPEG files go
// through this package's own decoders (pngdec.go, jpegdec.go), which write grey
// directly; the rest go through the registered standard decoders.
//
// The package imports nothing of the project but verify/scan/internal/guard,
// whose Catch it defers around the goroutines it starts and the third-party
// decoders it calls, so a panic in its own code is counted as the reader's.
package imagedec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // register GIF for image.Decode
	_ "image/jpeg" // register JPEG for image.Decode
	_ "image/png"  // register PNG for image.Decode

	_ "golang.org/x/image/bmp"  // register BMP for image.Decode
	_ "golang.org/x/image/tiff" // register TIFF for image.Decode (also what pdfcpu renders some PDF images to)
	_ "golang.org/x/image/webp" // register WebP for image.Decode

	"passport/verify/scan/internal/guard"
)

// Errors returned by this package, shared with verify/scan (which exports them
// under the same names); callers test them with errors.Is.
var (
	// ErrTooLarge means the input exceeds one of the reader's size limits; the
	// wrapping error names which.
	ErrTooLarge = errors.New("scan: input too large to read safely")
	// ErrNotImage means the input is not an image or PDF the reader can read.
	ErrNotImage = errors.New("scan: input is not a PNG, JPEG, GIF, BMP, TIFF or WebP image or a PDF; save the scan in one of those formats")
)

const (
	// MaxPixels is the largest image (width × height) the reader will decode (and
	// verify/scan's Image, Decode and PDF will process). An A4 page scanned at 600 dpi is 4961 × 7016 ≈ 34.8 megapixels and a
	// 48-megapixel phone photo is the largest common camera output; 40 megapixels covers
	// the first with headroom while keeping a decoded RGBA image (4 bytes a pixel) near
	// 160 MiB, which a verifier station with a few GiB of memory can afford. Larger
	// inputs are refused with ErrTooLarge before any pixel is decoded.
	MaxPixels = 40_000_000

	// maxDecodedBytes bounds the memory of one decoded image before it is turned
	// into 8-bit grey. The image file's header gives its size and colour model, so a
	// 40-megapixel 16-bit RGBA PNG (320 MB decoded from a 478 KB file; it took a
	// station to 938 MB) is refused before any pixel is decoded,
	// while a 40-megapixel 8-bit RGBA image (160 MB) still passes. decodePNG
	// (pngdec.go) writes grey directly, but a colour PNG's raw rows are held
	// whole beside the plane, so the limit stays; the message says to save the
	// scan with 8 bits a channel.
	maxDecodedBytes = 4 * MaxPixels
)

// Gray is an 8-bit luminance plane of Width × Height pixels, row-major with no
// padding: Pix[y*Width+x] is the pixel at (x, y).
type Gray struct {
	Width, Height int
	Pix           []byte
}

func newGray(w, h int) *Gray {
	return &Gray{Width: w, Height: h, Pix: make([]byte, w*h)}
}

// Decode decodes an image file to grey: a PNG with decodePNG and a baseline
// JPEG with decodeJPEG, which write the grey plane directly, anything else (an
// interlaced PNG, a progressive JPEG, any JPEG decodeJPEG leaves) with
// decodeImageStd.
func Decode(data []byte) (*Gray, error) {
	if g, err := decodePNG(data); !errors.Is(err, errPNGFallback) {
		return g, err
	}
	if g, err := decodeJPEG(data); err == nil {
		return g, nil
	}
	return decodeImageStd(data)
}

// decodeImageStd checks an image file's header against MaxPixels and
// maxDecodedBytes, then decodes it with the registered decoders and converts it to
// grey. The decoded image is dropped on return, so only the grey plane outlives
// this call.
func decodeImageStd(data []byte) (*Gray, error) {
	img, format, err := decodeStd(data)
	if err != nil {
		return nil, err
	}
	if img == nil {
		return nil, fmt.Errorf("%w: %s image decoder returned no image", ErrNotImage, format)
	}
	return adopt(img), nil
}

// adopt is FromImage for an image the caller hands over and drops (a
// decoder's output): the plane of a grey JPEG, or the Y plane of a colour one,
// when its rows are not padded, becomes the grey plane as it is, without a
// copy. Copying a 300-dpi A4 page is 8.7 MB written and as much fresh memory
// faulted in, in a process that reads one page and exits.
func adopt(img image.Image) *Gray {
	var (
		pix    []byte
		stride int
		r      image.Rectangle
	)
	switch m := img.(type) {
	case *image.Gray:
		pix, stride, r = m.Pix, m.Stride, m.Rect
	case *image.YCbCr:
		pix, stride, r = m.Y, m.YStride, m.Rect
	default:
		return FromImage(img)
	}
	w, h := r.Dx(), r.Dy()
	if r.Min != (image.Point{}) || stride != w || len(pix) < w*h {
		return FromImage(img)
	}
	return &Gray{Width: w, Height: h, Pix: pix[: w*h : w*h]}
}

// decodeStd is decodeImageStd's call into the image decoders, where a panic (on
// a file crafted against one of them) means the file cannot be read.
func decodeStd(data []byte) (img image.Image, format string, err error) {
	defer func() {
		if errors.Is(err, guard.ErrForeignPanic) {
			img, err = nil, fmt.Errorf("%w: %v", ErrNotImage, err)
		}
	}()
	defer guard.Catch(&err, false)
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", ErrNotImage
		}
		return nil, "", fmt.Errorf("%w: image header is damaged (%v); save the scan again", ErrNotImage, err)
	}
	if err := CheckConfig(cfg); err != nil {
		return nil, format, fmt.Errorf("%s image: %w", format, err)
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, format, fmt.Errorf("%w: %s image is damaged (%v); save the scan again", ErrNotImage, format, err)
	}
	return img, format, nil
}

// CheckConfig refuses an image whose header promises more than MaxPixels
// pixels, or more than maxDecodedBytes once decoded (a 16-bit colour image takes
// 8 bytes a pixel).
func CheckConfig(cfg image.Config) error {
	return CheckDecodedBytes(cfg.Width, cfg.Height, bytesPerPixel(cfg.ColorModel))
}

// CheckDecodedBytes refuses a w×h image of bpp bytes a pixel when decoded, as
// CheckConfig does.
func CheckDecodedBytes(w, h, bpp int) error {
	if err := CheckSize(w, h); err != nil {
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

// CheckSize refuses dimensions that are not positive or exceed MaxPixels.
func CheckSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image has no pixels (%d×%d)", ErrNotImage, w, h)
	}
	if int64(w)*int64(h) > MaxPixels {
		return fmt.Errorf("%w: %d×%d pixels is over the limit of %d megapixels; scan at 300 dpi or crop to the page", ErrTooLarge, w, h, MaxPixels/1_000_000)
	}
	return nil
}

// FromImage converts any image to a luminance plane, with fast paths for the types the
// standard decoders return. Transparent pixels are composited onto white paper.
func FromImage(img image.Image) *Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := newGray(w, h)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.Pix[y*w:(y+1)*w], m.Pix[off:off+w])
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.Pix[y*w:(y+1)*w], m.Y[off:off+w])
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[4*x : 4*x+4]
				l := luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))
				a := uint32(p[3])
				dst[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[4*x : 4*x+4]
				// Premultiplied: composite onto white by adding the uncovered part.
				dst[x] = byte(luma(uint32(p[0]), uint32(p[1]), uint32(p[2])) + 255 - uint32(p[3]))
			}
		}
	case *image.Gray16:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = src[2*x] // the high byte
			}
		}
	case *image.NRGBA64:
		// 16-bit scans: the high bytes, without an At() (and an allocation) a pixel.
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[8*x : 8*x+8]
				l := luma(uint32(p[0]), uint32(p[2]), uint32(p[4]))
				a := uint32(p[6])
				dst[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA64:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[8*x : 8*x+8]
				dst[x] = byte(min(luma(uint32(p[0]), uint32(p[2]), uint32(p[4]))+255-uint32(p[6]), 255))
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			lut[i] = colorLuma(c)
		}
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = lut[src[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			dst := g.Pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = colorLuma(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return g
}

// luma is the ITU-R BT.601 luminance of 8-bit components.
func luma(r, g, b uint32) uint32 { return (299*r + 587*g + 114*b + 500) / 1000 }

// colorLuma converts any colour to luminance composited onto white.
func colorLuma(c color.Color) byte {
	r, g, b, a := c.RGBA() // premultiplied, 16-bit
	l := luma(r>>8, g>>8, b>>8) + (0xffff-a)>>8
	if l > 255 {
		l = 255
	}
	return byte(l)
}
