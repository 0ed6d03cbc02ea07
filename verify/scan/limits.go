package scan

// Every limit the reader enforces lives here, with the reason for its size.

const (
	// MaxPixels is the largest image (width × height) that Image, Decode and PDF will
	// process. An A4 page scanned at 600 dpi is 4961 × 7016 ≈ 34.8 megapixels and a
	// 48-megapixel phone photo is the largest common camera output; 40 megapixels covers
	// the first with headroom while keeping a decoded RGBA image (4 bytes a pixel) near
	// 160 MiB, which a verifier station with a few GiB of memory can afford. Larger
	// inputs are refused with ErrTooLarge before any pixel is decoded.
	MaxPixels = 40_000_000

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

	// maxPDFObjects bounds the objects pdfcpu will expand from a cross-reference stream.
	// Our own one-page PDFs have about 15 objects and a 100-page scanner PDF a few
	// hundred; 200 000 leaves room for odd producers while refusing a /Size of millions.
	maxPDFObjects = 200_000

	// maxPDFDecodeBytes bounds the bytes one filter may inflate a stream to. A single
	// MaxPixels RGB image is 120 MB; a little more covers row predictor bytes.
	maxPDFDecodeBytes = 3*MaxPixels + 16<<20

	// maxPDFRecursion bounds nesting of PDF objects (arrays in dictionaries in ...).
	// Real files nest fewer than 20 levels.
	maxPDFRecursion = 50

	// maxWorkPixels bounds the images the fallback strategies create (for example a 2×
	// upscale): they are skipped when their output would exceed this, so one strategy
	// never needs more than about 40 MB for the luminance plane and 5 MB for the bit matrix.
	maxWorkPixels = MaxPixels

	// minUsefulSide is the smallest width or height an image can have and still hold a
	// QR code: version 1 is 21 modules plus a 1-module quiet zone each side at 1 pixel
	// a module. Smaller PDF images (logos, rules) are skipped without decoding.
	minUsefulSide = 21
)
