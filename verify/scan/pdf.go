package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"regexp"
	"strconv"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"passport/verify/scan/imagedec"
	"passport/verify/scan/internal/guard"
)

// disablePDFConfig stops pdfcpu from creating a configuration directory in the user's
// home on first use: the verifier must not write files as a side effect of reading.
var disablePDFConfig sync.Once

// pdfConfig returns a pdfcpu configuration with our limits and relaxed validation
// (scanner software writes slightly non-conforming PDFs).
func pdfConfig() *model.Configuration {
	disablePDFConfig.Do(func() { model.ConfigPath = "disable" })
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.EXTRACTIMAGES
	conf.Limits.MaxStreamBytes = MaxInputBytes
	conf.Limits.MaxDecodeBytes = maxPDFDecodeBytes
	conf.Limits.MaxImagePixels = MaxPixels
	conf.Limits.MaxImageBytes = maxPDFDecodeBytes
	conf.Limits.MaxObjectCount = maxPDFObjects
	conf.Limits.MaxObjectStreamCount = maxPDFObjects
	conf.Limits.MaxXRefEntries = maxPDFObjects
	conf.Limits.MaxRecursionDepth = maxPDFRecursion
	return conf
}

// PDF extracts the images on each page of a PDF (up to MaxPDFPages pages and
// MaxPDFImages images) and decodes the barcodes in each, without rendering the pages:
// a QR code must be an embedded image (as the layout package and scanners write it),
// not drawn with vector operators. Codes carry their 1-based page number; identical
// texts on one page are returned once.
//
// PDF runs within DefaultBudget and DefaultWork, shared by all its pages.
func PDF(data []byte) ([]Code, error) {
	return PDFContext(context.Background(), data, Options{})
}

// PDFContext is PDF bounded by ctx and opts (see ReadContext). The budget covers
// the whole document; when it runs out after a page has yielded codes, those codes
// are returned without an error, as for pages past MaxPDFPages.
func PDFContext(cctx context.Context, data []byte, opts Options) (_ []Code, err error) {
	defer guard.Catch(&err, true)
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%w: the file is %d bytes, over the limit of %d MiB; scan at 300 dpi or crop to the page", ErrTooLarge, len(data), MaxInputBytes>>20)
	}
	if Sniff(data) != KindPDF {
		return nil, fmt.Errorf("%w: no %%PDF- header", ErrNotImage)
	}
	if err := checkPDFSize(data); err != nil {
		return nil, err
	}
	b := newBudget(cctx, opts)
	ctx, err := readPDF(data)
	if err != nil {
		return nil, fmt.Errorf("%w: PDF is damaged or encrypted (%v); export it again without a password or scan to an image", ErrNotImage, err)
	}
	pages := min(ctx.PageCount, MaxPDFPages)
	var (
		codes   []Code
		images  int
		problem error
	)
	for page := 1; page <= pages && images < MaxPDFImages && b.ok(); page++ {
		seen := map[string]bool{}
		for _, objNr := range pdfcpu.ImageObjNrs(ctx, page) {
			if images >= MaxPDFImages || !b.ok() {
				break
			}
			obj := ctx.Optimize.ImageObjects[objNr]
			if obj == nil || obj.ImageDict == nil || !worthDecoding(obj.ImageDict) {
				continue
			}
			images++
			g, err := pdfImage(ctx, obj, page, objNr)
			if err != nil {
				if problem == nil {
					problem = fmt.Errorf("page %d image %d: %w", page, objNr, err)
				}
				continue
			}
			found, _, err := decodeGray(g, DefaultStrategies(), b)
			if err != nil && !errors.Is(err, ErrNoBarcode) && problem == nil {
				problem = err
			}
			for _, c := range found {
				if !seen[c.Text] {
					seen[c.Text] = true
					c.Page = page
					codes = append(codes, c)
				}
			}
		}
	}
	if len(codes) > 0 {
		return codes, nil
	}
	if err := b.failed(); err != nil {
		return nil, err
	}
	if images == 0 {
		return nil, fmt.Errorf("%w: the PDF has no images on its first %d pages (a QR code drawn as vector graphics is not read); print it and scan it, or give the original image", ErrNoBarcode, pages)
	}
	if errors.Is(problem, ErrTooLarge) {
		// An image too large to decode may be the one with the code: say so,
		// and how to save it, rather than that no code was found.
		return nil, problem
	}
	if problem != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoBarcode, problem)
	}
	return nil, ErrNoBarcode
}

var (
	// pdfPageObject matches a page object's type entry, not the /Pages nodes.
	pdfPageObject = regexp.MustCompile(`/Type\s*/Page\b`)
	// pdfSize matches a trailer's or cross-reference stream's object count.
	pdfSize = regexp.MustCompile(`/Size\s+(\d{1,12})`)
)

// checkPDFSize refuses, before pdfcpu parses anything, a PDF that declares more than
// maxPDFObjects objects in a trailer or cross-reference stream, or holds more than
// maxPDFPageObjects page objects in its uncompressed bytes: pdfcpu builds the whole
// page tree and object table in memory. Pages inside compressed object streams are
// not counted here; pdfcpu's own MaxObjectCount limit covers those.
func checkPDFSize(data []byte) error {
	for _, m := range pdfSize.FindAllSubmatch(data, -1) {
		if n, err := strconv.ParseInt(string(m[1]), 10, 64); err == nil && n > maxPDFObjects {
			return fmt.Errorf("%w: the PDF declares %d objects (limit %d); send only the pages with the passport", ErrTooLarge, n, maxPDFObjects)
		}
	}
	if n := len(pdfPageObject.FindAllIndex(data, maxPDFPageObjects+1)); n > maxPDFPageObjects {
		return fmt.Errorf("%w: the PDF has over %d pages; send only the pages with the passport", ErrTooLarge, maxPDFPageObjects)
	}
	return nil
}

// readPDF parses, validates and optimizes a PDF, turning a panic in pdfcpu into
// an error.
func readPDF(data []byte) (ctx *model.Context, err error) {
	defer guard.Catch(&err, false)
	return api.ReadValidateAndOptimize(bytes.NewReader(data), pdfConfig())
}

// worthDecoding reports whether an image's declared size could hold a QR code and is
// within MaxPixels, so masks, rules and logos are skipped without decoding them.
func worthDecoding(sd *types.StreamDict) bool {
	if b := sd.BooleanEntry("ImageMask"); b != nil && *b {
		return false // a stencil mask carries no colour of its own
	}
	w, h := sd.IntEntry("Width"), sd.IntEntry("Height")
	if w == nil || h == nil || *w < minUsefulSide || *h < minUsefulSide {
		return false
	}
	return int64(*w)*int64(*h) <= MaxPixels
}

// pdfImage decodes one image XObject to a luminance plane.
func pdfImage(ctx *model.Context, obj *model.ImageObject, page, objNr int) (g *gray, err error) {
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
	data, err := io.ReadAll(io.LimitReader(img.Reader, maxPDFDecodeBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPDFDecodeBytes {
		return nil, fmt.Errorf("%w: image data over %d bytes", ErrTooLarge, maxPDFDecodeBytes)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s image header: %w", img.FileType, err)
	}
	if err := imagedec.CheckConfig(cfg); err != nil {
		return nil, err
	}
	decoded, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s image: %w", img.FileType, err)
	}
	g = toGray(decoded)
	// pdfcpu applies /Decode when it renders raw samples to PNG, but hands DCT data
	// over as the JPEG file it is, so a /Decode [1 0] (inverted) scan is fixed here.
	if inverted && img.FileType == "jpg" {
		g = g.inverted()
	}
	return g, nil
}

// checkPDFImageSize applies to an image XObject, from its dictionary and before
// any of its samples are inflated, the limits a PNG's header is held to
// (imagedec.CheckConfig): pdfcpu inflates the raw samples (width × height ×
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
	if err := imagedec.CheckDecodedBytes(*w, *h, bpp); err != nil {
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
