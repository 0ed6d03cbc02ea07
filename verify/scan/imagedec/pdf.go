package imagedec

import (
	"errors"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"passport/verify/scan/internal/guard"
)

// MaxPDFImageBytes bounds the bytes of one image extracted from a PDF (and of
// one stream a PDF filter may inflate). A single MaxPixels RGB image is 120 MB;
// a little more covers row predictor bytes.
const MaxPDFImageBytes = 3*MaxPixels + 16<<20

// PDFImage decodes one image XObject of a PDF pdfcpu has read (on page, 1-based,
// object number objNr) to grey. The image's dictionary is checked as a PNG's
// header is (CheckDecodedBytes) before any of its samples are inflated, and its
// data is read through MaxPDFImageBytes. A panic in pdfcpu or a standard decoder
// is an error; one in the reader's code goes on to the caller's guard.
func PDFImage(ctx *model.Context, obj *model.ImageObject, page, objNr int) (g *Gray, err error) {
	defer func() {
		if err != nil {
			g = nil
		}
	}()
	defer guard.Catch(&err, false)
	sd := obj.ImageDict
	if err := checkPDFImageSize(ctx, sd); err != nil {
		return nil, err
	}
	inverted := decodeInverted(sd) // read before extraction decodes the stream in place
	img, err := pdfcpu.ExtractImage(ctx, sd, false, obj.ResourceNames[page-1], objNr, false)
	if err != nil {
		return nil, err
	}
	defer func() { sd.Content = nil }() // free the decoded stream; each image is read once
	if img == nil || img.Reader == nil {
		return nil, errors.New("image could not be extracted")
	}
	switch img.FileType {
	case "png", "jpg", "tif":
	default:
		return nil, fmt.Errorf("%s images are not supported; scan to JPEG or PNG", img.FileType)
	}
	data, err := io.ReadAll(io.LimitReader(img.Reader, MaxPDFImageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxPDFImageBytes {
		return nil, fmt.Errorf("%w: image data over %d bytes", ErrTooLarge, MaxPDFImageBytes)
	}
	// The same decoders as a file's: pdfcpu hands over a scan-to-PDF's JPEG as
	// the file it is, and other images rendered to PNG or TIFF.
	if g, err = Decode(data); err != nil {
		return nil, fmt.Errorf("%s image: %w", img.FileType, err)
	}
	// pdfcpu applies /Decode when it renders raw samples to PNG, but hands DCT data
	// over as the JPEG file it is, so a /Decode [1 0] (inverted) scan is fixed here.
	if inverted && img.FileType == "jpg" {
		for i, v := range g.Pix {
			g.Pix[i] = 255 - v
		}
	}
	return g, nil
}

// checkPDFImageSize applies to an image XObject, from its dictionary and before
// any of its samples are inflated, the limits a PNG's header is held to
// (CheckConfig): pdfcpu inflates the raw samples (width × height ×
// components × bits per component) and renders them to an image, so a small
// Flate stream of a large 16-bit image would otherwise cost hundreds of
// megabytes. The size counted is that of the decoded image: 1 or 2 bytes a
// pixel for one component of 8 or 16 bits, 4 or 8 for three or four (RGBA,
// CMYK, 16-bit RGBA), and a byte a component beyond that. An unknown colour
// space counts as four components.
func checkPDFImageSize(ctx *model.Context, sd *types.StreamDict) error {
	w, h := sd.IntEntry("Width"), sd.IntEntry("Height")
	if w == nil || h == nil {
		return errors.New("image has no width or height")
	}
	bpc := 8
	if b := sd.IntEntry("BitsPerComponent"); b != nil {
		bpc = *b
	}
	if bpc < 1 || bpc > 16 {
		return fmt.Errorf("%w: image has %d bits a component; save the scan again", ErrNotImage, bpc)
	}
	n, err := pdfcpu.ColorSpaceComponents(ctx.XRefTable, sd)
	if err != nil || n <= 0 {
		n = 4
	}
	bpp := n * (bpc + 7) / 8
	switch {
	case n == 1:
	case n <= 4 && bpc <= 8:
		bpp = 4
	case n <= 4:
		bpp = 8
	}
	if err := CheckDecodedBytes(*w, *h, bpp); err != nil {
		return fmt.Errorf("PDF image (%d components, %d bits each): %w", n, bpc, err)
	}
	return nil
}

// decodeInverted reports whether an image's /Decode array maps the first component
// from 1 to 0, i.e. the samples are stored inverted.
func decodeInverted(sd *types.StreamDict) bool {
	a := sd.ArrayEntry("Decode")
	if len(a) < 2 {
		return false
	}
	num := func(o types.Object) float64 {
		switch v := o.(type) {
		case types.Integer:
			return float64(v)
		case types.Float:
			return float64(v)
		}
		return 0
	}
	return num(a[0]) > num(a[1])
}
