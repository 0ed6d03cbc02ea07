package station

import "time"

// Every limit the station enforces lives here, with the reason for its size.

const (
	// DefaultMaxBodyBytes caps one POST /api/verify body. A phone photo is
	// 3–12 MB as JPEG and a 300-dpi colour A4 scan as PNG about 25 MB; 32 MB
	// takes both while keeping 50 concurrent uploads under 2 GB of memory.
	// Config.MaxBodyBytes (serve --max-upload) lowers or raises it, never
	// above read.MaxInputBytes.
	DefaultMaxBodyBytes = 32 << 20

	// MaxTextBodyBytes caps a text body (credential texts typed by a USB
	// scanner or posted by another system). One passport text is 1–3 KB;
	// 64 KB holds a few dozen, and stops one request from making thousands
	// of verifications (and thousands of log rows).
	MaxTextBodyBytes = 64 << 10

	// DefaultBodiesInFlightBytes caps the request bytes held in memory at
	// once, over all requests: 8 full-size uploads. A body takes its room
	// only once its first firstBodyStep bytes have arrived (until then it
	// holds probe room, probeBudget), so clients that send slowly cannot
	// hold it. With the decoders'
	// own bounds (Decoders at a time, each within the scan package's
	// pixel limits) this keeps the station under the 2 GB promised for 50
	// concurrent 32 MB uploads, whatever their number: the others wait for
	// room (bodyWait), then get 503 "busy". Text bodies of up to
	// MaxTextBodyBytes do not count, so a USB scanner is never kept waiting
	// by uploads. Config.BodiesInFlightBytes changes it.
	DefaultBodiesInFlightBytes = 8 * DefaultMaxBodyBytes

	// DefaultDecodeBudget is the wall-clock time one uploaded image or PDF
	// may spend in the barcode reader. A genuine 300-dpi
	// page reads in well under a second on a desk PC; a hostile image (a
	// tiling of finder patterns) used to hold a decoder for minutes, so
	// two of them made the station answer 503 to genuine scans. The
	// request's context stops a decode sooner when the client hangs up.
	// Config.DecodeBudget (serve --decode-budget) changes it.
	DefaultDecodeBudget = 3 * time.Second

	// DefaultCameraBudget is the time one camera frame may spend in the
	// barcode reader. A frame that does not read in 300 ms is better
	// replaced by the next one, a moment later and often sharper, than
	// decoded for seconds while the person holds still: measured on the
	// synthetic webcam sequence (BenchmarkLiveCamera in fixtures/degrade
	// and station). Config.CameraBudget (serve --camera-budget) changes it.
	DefaultCameraBudget = 300 * time.Millisecond

	// maxHeaderBytes caps request headers: the page and API send a few
	// hundred bytes; 16 KB leaves room for proxies and cookies.
	maxHeaderBytes = 16 << 10

	// maxFileNameRunes caps the upload name echoed in results and logs.
	maxFileNameRunes = 120
)

// Timeouts of the HTTP server. A slow or stalled client cannot hold a
// connection (and its goroutine and buffer) for longer than these.
const (
	// readHeaderTimeout: a browser or curl sends its headers at once.
	readHeaderTimeout = 5 * time.Second
	// readTimeout covers the whole request body: 32 MB over a slow office
	// LAN (10 Mbit/s) takes about 27 s.
	readTimeout = 60 * time.Second
	// writeTimeout covers reading the body, waiting for a decoder and
	// decoding a many-page PDF.
	writeTimeout = 120 * time.Second
	// idleTimeout closes kept-alive connections the page is not using.
	idleTimeout = 120 * time.Second
	// bodyWait is how long a request waits for room among the bodies in
	// flight (DefaultBodiesInFlightBytes) before the server answers 503.
	bodyWait = 10 * time.Second
	// minUploadRate and minRateGrace: an upload must average at least 32 KB
	// a second once it has run 5 s, or it is cut with 408 and its room and
	// connection are freed. A 32 MB scan over a slow office LAN (10 Mbit/s)
	// arrives at 1.2 MB a second; a client trickling a byte every few
	// seconds only holds a connection, and is cut.
	minUploadRate = 32 << 10
	minRateGrace  = 5 * time.Second
	// decodeWait is how long a request waits for a free decoder before
	// the server answers 503 "busy, try again".
	decodeWait = 30 * time.Second
)

// Log retention.
const (
	// DefaultRetention is how long verification log rows are kept: a year
	// for annual audits, plus a month of slack for the audit to happen.
	DefaultRetention = 395 * 24 * time.Hour
)

// probeBudget is the room for the first bytes of bodies (firstBodyStep
// each), apart from the main budget: a sixteenth of it, at least 16 bodies.
// 8 MB by default: 32 bodies starting at once, however slowly they arrive
// (slow ones are cut after minRateGrace).
func probeBudget(inFlight int64) int64 {
	return max(inFlight/16, 16*firstBodyStep)
}
