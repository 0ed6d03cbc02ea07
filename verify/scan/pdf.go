package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	for page := 1; page <= pages && images < MaxPDFImages && b.OK(); page++ {
		seen := map[string]bool{}
		for _, objNr := range pdfcpu.ImageObjNrs(ctx, page) {
			if images >= MaxPDFImages || !b.OK() {
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
			found, err := readPage(g, b)
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
	if err := failed(b); err != nil {
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

// pdfImage decodes one image XObject to a luminance plane (imagedec.PDFImage).
func pdfImage(ctx *model.Context, obj *model.ImageObject, page, objNr int) (*gray, error) {
	d, err := imagedec.PDFImage(ctx, obj, page, objNr)
	if err != nil {
		return nil, err
	}
	return fromDec(d), nil
}
