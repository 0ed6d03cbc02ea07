package scan

import (
	"time"

	"passport/verify/scan/imagedec"
)

// Every limit the reader enforces lives here, with the reason for its size.

const (
	// DefaultBudget is the wall-clock time Read, Image, PDF and Decode (and the
	// ...Context functions given a zero Options.Budget) may spend on one input. It is
	// a guard against a hang, not the bound that matters: the work budget
	// (DefaultWork) stops hostile inputs first and does not depend on the machine's
	// load, while a genuine but hard scan on a machine shared with builds (or under
	// the race detector) can take tens of seconds and must not be cut short by a
	// clock. Interactive callers pass a short Options.Budget and the request's
	// context: about 2 s for an uploaded scan, 300 ms for a camera frame
	// (BenchmarkLiveCamera in fixtures/degrade and in station).
	DefaultBudget = 2 * time.Minute

	// DefaultWork is the work budget, in pixel visits (see Options.Work), of one
	// call with a zero Options.Work. Every strategy on a blank 300-dpi A4 page
	// (nothing is found, so everything runs) costs 0.17 × 10⁹, on a blank
	// 40-megapixel image 0.75 × 10⁹, and the hardest images of the fixtures/degrade
	// corpus (steep phone photos, 12 MP) at most about 0.8 × 10⁹; the budget is over
	// twice the largest.
	DefaultWork = 2_000_000_000

	// maxPDFPageObjects is how many page objects (/Type /Page, counted in the
	// file's uncompressed bytes before pdfcpu parses anything) a PDF may declare.
	// pdfcpu builds the whole page tree in memory: a 23 MB PDF of 190 000 pages took
	// 769 MB. A batch of passports printed together is a few hundred pages.
	maxPDFPageObjects = 5000

	// MaxPixels is the largest image (width × height) that Image, Decode and PDF will
	// process; see imagedec.MaxPixels.
	MaxPixels = imagedec.MaxPixels

	// MaxInputBytes is the largest image or PDF file accepted. A 600-dpi colour A4 scan
	// saved as PNG is about 60 MiB; anything bigger is not a passport page.
	MaxInputBytes = 64 << 20

	// MaxPDFPages is the number of pages of a PDF that are searched. A batch of passports
	// printed together (one person a page) is the largest expected document; past this
	// the remaining pages are ignored rather than letting one upload occupy the reader.
	MaxPDFPages = 100

	// MaxPDFImages is the number of images decoded from one PDF in total. Scanner PDFs
	// hold one image a page and ours hold one QR image a page, so four a page on average
	// at the page limit is generous; it stops a PDF with thousands of tiny images from
	// turning into thousands of decode attempts.
	MaxPDFImages = 4 * MaxPDFPages

	// maxPDFObjects bounds the objects pdfcpu will expand from a cross-reference
	// stream, and the /Size a trailer may declare (checked before parsing). Our own
	// one-page PDFs have about 15 objects, a 100-page scanner PDF a few hundred, and a
	// 1000-page batch of ours 15 000; 50 000 leaves room for odd producers while
	// refusing the page trees that cost pdfcpu hundreds of megabytes.
	maxPDFObjects = 50_000

	// maxPDFDecodeBytes bounds the bytes one filter may inflate a stream to. A single
	// MaxPixels RGB image is 120 MB; a little more covers row predictor bytes.
	maxPDFDecodeBytes = imagedec.MaxPDFImageBytes

	// maxPDFRecursion bounds nesting of PDF objects (arrays in dictionaries in ...).
	// Real files nest fewer than 20 levels.
	maxPDFRecursion = 50

	// halfFirstMinPixels is the size of page whose first read is of the page
	// halved (readHalved): 4 megapixels, a 300-dpi A4 scan (8.7 MP) or a phone
	// photo; a 200-dpi scan (3.9 MP) has modules of 4 to 5 pixels, too few to
	// halve, and is read at full size.
	halfFirstMinPixels = 4_000_000

	// minUsefulSide is the smallest width or height an image can have and still hold a
	// QR code: version 1 is 21 modules plus a 1-module quiet zone each side at 1 pixel
	// a module. Smaller PDF images (logos, rules) are skipped without decoding.
	minUsefulSide = 21
)
