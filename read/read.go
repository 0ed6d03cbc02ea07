// Package read turns what a receiving site scans (an image, a PDF, text
// typed by a USB scanner, a camera frame) into credential texts and hands
// each one to a verify.Verifier. It is the layer between the inputs and the
// judge: verify and policy take texts and link no image, PDF or barcode
// library; everything that decodes pixels is here and in verify/scan.
//
// A Reader is built once over a Verifier with its input limits and decode
// budget, and is safe for concurrent use when the Verifier is.
//
// Import rules: read imports verify, verify/scan and credential among the
// project's packages; verify and policy never import read.
package read

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"passport/verify"
	"passport/verify/scan"
)

// MaxInputBytes caps one input file. It is the barcode reader's own limit
// (scan.MaxInputBytes), so the two cannot drift apart.
const MaxInputBytes = scan.MaxInputBytes

// MaxTextLines caps the credentials read from one text input (a USB scanner
// session pasted into a file), so a huge text file cannot stall the verifier.
const MaxTextLines = 10000

// Reader reads inputs and verifies the credential texts found in them.
type Reader struct {
	verifier *verify.Verifier
	limits   Limits
	scan     scan.Options
}

// Limits bound the work one input may cause.
type Limits struct {
	// MaxInputBytes caps one input (image, PDF or text); larger inputs are
	// refused unread. Zero means MaxInputBytes.
	MaxInputBytes int
	// MaxTextLines caps the credentials read from one text input. Zero
	// means MaxTextLines.
	MaxTextLines int
}

// Option configures a Reader.
type Option func(*Reader) error

// WithDecodeBudget bounds the barcode reading of one image or PDF input:
// budget is the wall-clock time (the request's context stops it earlier),
// work the pixel visits (scan.Options.Work; 0 keeps scan.DefaultWork). An
// input that runs out is unreadable with a "gave up after N ms" reason.
// The default is scan.DefaultBudget, a guard against hangs: interactive
// callers such as the station pass a few seconds.
func WithDecodeBudget(budget time.Duration, work int64) Option {
	return func(r *Reader) error {
		if budget < 0 || work < 0 {
			return fmt.Errorf("read: a decode budget must not be negative (got %v, %d)", budget, work)
		}
		r.scan = scan.Options{Budget: budget, Work: work}
		return nil
	}
}

// WithLimits lowers (or, up to the package maximums, keeps) the input limits.
func WithLimits(l Limits) Option {
	return func(r *Reader) error {
		if l.MaxInputBytes < 0 || l.MaxInputBytes > MaxInputBytes || l.MaxTextLines < 0 || l.MaxTextLines > MaxTextLines {
			return fmt.Errorf("read: limits %+v are outside 0 to %d bytes and 0 to %d lines", l, MaxInputBytes, MaxTextLines)
		}
		if l.MaxInputBytes > 0 {
			r.limits.MaxInputBytes = l.MaxInputBytes
		}
		if l.MaxTextLines > 0 {
			r.limits.MaxTextLines = l.MaxTextLines
		}
		return nil
	}
}

// New makes a Reader that verifies what it reads with v.
func New(v *verify.Verifier, opts ...Option) (*Reader, error) {
	if v == nil {
		return nil, errors.New("read: no verifier")
	}
	r := &Reader{verifier: v, limits: Limits{MaxInputBytes: MaxInputBytes, MaxTextLines: MaxTextLines}}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Verify verifies every credential found in one input (an image, a PDF,
// or text with one credential per line). It returns at least one Result;
// when ctx is cancelled before the work is done it returns one unreadable
// result saying so.
func (r *Reader) Verify(ctx context.Context, name string, data []byte) []verify.Result {
	if err := ctx.Err(); err != nil {
		return []verify.Result{verify.Unreadable(name, err)}
	}
	texts, err := r.codes(ctx, data)
	if err != nil {
		return []verify.Result{verify.Unreadable(name, err)}
	}
	return r.verifier.VerifyTexts(ctx, name, texts, scan.Sniff(data) != scan.KindText)
}

// VerifyFrame verifies the credentials in one camera frame (an image) read
// with scan.ReadFrame under opts: its Budget and Work (0 keeps the Reader's
// decode budget) and its Region, the part to read first (where the previous
// frame had the code). Besides the results, shaped as Verify's, it returns
// what the reader saw, whose Region the caller passes with the next frame.
func (r *Reader) VerifyFrame(ctx context.Context, name string, data []byte, opts scan.Options) ([]verify.Result, scan.Frame) {
	if err := ctx.Err(); err != nil {
		return []verify.Result{verify.Unreadable(name, err)}, scan.Frame{}
	}
	if len(data) > r.limits.MaxInputBytes {
		return []verify.Result{verify.Unreadable(name, &verify.InputError{Code: verify.ReasonInputTooLarge,
			Message: fmt.Sprintf("the frame is larger than any camera picture (over %d MB)", r.limits.MaxInputBytes>>20)})}, scan.Frame{}
	}
	if opts.Budget <= 0 {
		opts.Budget = r.scan.Budget
	}
	if opts.Work <= 0 {
		opts.Work = r.scan.Work
	}
	f, err := scan.ReadFrame(ctx, data, opts)
	if len(f.Codes) == 0 {
		if err == nil {
			err = scan.ErrNoBarcode
		}
		return []verify.Result{verify.Unreadable(name, scanFailure(err))}, f
	}
	return r.verifier.VerifyTexts(ctx, name, textsOf(f.Codes), true), f
}

// Codes reads the credential texts in one input with the package's default
// limits: barcodes in an image or PDF, or one text per non-empty line. A
// non-nil error means nothing could be read, and carries the reason (a
// *verify.InputError).
func Codes(ctx context.Context, data []byte) ([]string, error) {
	r := &Reader{limits: Limits{MaxInputBytes: MaxInputBytes, MaxTextLines: MaxTextLines}}
	return r.codes(ctx, data)
}

func (r *Reader) codes(ctx context.Context, data []byte) ([]string, error) {
	if len(data) > r.limits.MaxInputBytes {
		return nil, &verify.InputError{Code: verify.ReasonInputTooLarge,
			Message: fmt.Sprintf("the file is larger than any passport scan (over %d MB)", r.limits.MaxInputBytes>>20)}
	}
	switch scan.Sniff(data) {
	case scan.KindImage, scan.KindPDF:
		found, err := scan.ReadContext(ctx, data, r.scan)
		if err != nil && len(found) == 0 {
			return nil, scanFailure(err)
		}
		return textsOf(found), nil
	case scan.KindText:
		var texts []string
		for _, line := range strings.Split(string(data), "\n") {
			// A scanner's stray prefix or suffix is dropped as the station
			// drops it; a line with no code in it is verified as typed, so
			// it gets its own bad_prefix result.
			if code, ok := verify.ExtractCode(line); ok {
				line = code
			}
			if line = strings.TrimSpace(line); line != "" {
				texts = append(texts, line)
			}
			if len(texts) >= r.limits.MaxTextLines {
				break
			}
		}
		if len(texts) == 0 {
			return nil, &verify.InputError{Code: verify.ReasonNoBarcode, Message: "the text input is empty"}
		}
		return texts, nil
	}
	return nil, &verify.InputError{Code: verify.ReasonUnsupportedInput, Message: "this is not an image (PNG, JPEG, GIF), a PDF or text"}
}

// scanFailure is the reason for a scan that read nothing.
func scanFailure(err error) error {
	switch {
	case errors.Is(err, scan.ErrBudget):
		return &verify.InputError{Code: verify.ReasonNoBarcode, Message: "no barcode was read: " + strings.TrimPrefix(err.Error(), "scan: ")}
	case errors.Is(err, scan.ErrTooLarge):
		return &verify.InputError{Code: verify.ReasonInputTooLarge, Message: "the image or PDF is too large to read safely: " + err.Error()}
	case errors.Is(err, scan.ErrNoBarcode):
		return &verify.InputError{Code: verify.ReasonNoBarcode, Message: "no barcode was found: rescan the whole page, flat, in good light (at least 150 dpi)"}
	}
	return &verify.InputError{Code: verify.ReasonUnreadableInput, Message: "the file could not be read: " + err.Error()}
}

func textsOf(found []scan.Code) []string {
	texts := make([]string, 0, len(found))
	for _, c := range found {
		texts = append(texts, c.Text)
	}
	return texts
}
