package scan

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"passport/verify/scan/internal/work"
)

// ErrBudget means a decode gave up before reading a code because its time or work
// budget ran out or its context was cancelled. The error returned is a *BudgetError;
// it also matches ErrNoBarcode, so a caller that only knows that error still reports
// "no code read" rather than a failure of the program.
var ErrBudget = errors.New("scan: gave up")

// Options bound one call of the ...Context functions. The zero value means the
// defaults (DefaultBudget, DefaultWork).
type Options struct {
	// Budget is the wall-clock time the call may take, image decoding included;
	// 0 means DefaultBudget. The context's own deadline applies too: whichever
	// comes first stops the decode.
	Budget time.Duration
	// Work caps the work the call may do, counted in pixel visits (each pass of a
	// filter or binarizer over an image counts its pixels, each grid sampling
	// attempt the modules it samples); 0 means DefaultWork. Unlike Budget it does
	// not depend on the machine's speed or load, so the same input always stops at
	// the same point.
	Work int64
	// Region, when not empty, is the part of an image (in its pixels) to read
	// first, with a margin: where the previous frame of a camera had its code
	// (Frame.Region). The whole image is read after it if it gives nothing and
	// the budget has time left. PDFs ignore it.
	Region image.Rectangle
}

// BudgetError reports a decode that gave up: how long it ran, how much work it
// did, and why it stopped.
type BudgetError struct {
	// Elapsed is the time from the start of the call to giving up.
	Elapsed time.Duration
	// Work is the work done, in pixel visits (see Options.Work).
	Work int64
	// Limit names what ran out: "time", "work", or "cancelled" (the context).
	Limit string
	// Cause is the context's error when Limit is "cancelled", else nil.
	Cause error
}

// Error implements error.
func (e *BudgetError) Error() string {
	ms := e.Elapsed.Milliseconds()
	switch e.Limit {
	case "cancelled":
		return fmt.Sprintf("scan: gave up after %d ms: the request was cancelled (%v)", ms, e.Cause)
	case "work":
		return fmt.Sprintf("scan: gave up after %d ms without reading a code: the work budget (%d million pixel visits) is spent; crop the image to the code or rescan it flat at 300 dpi", ms, e.Work/1_000_000)
	}
	return fmt.Sprintf("scan: gave up after %d ms without reading a code: the time budget is spent; crop the image to the code or rescan it flat at 300 dpi", ms)
}

// Is makes errors.Is(err, ErrBudget) and errors.Is(err, ErrNoBarcode) true.
func (e *BudgetError) Is(target error) bool { return target == ErrBudget || target == ErrNoBarcode }

// Unwrap returns the context's error, if the context stopped the decode.
func (e *BudgetError) Unwrap() error { return e.Cause }

// budget is one call's time and work budget (package work), charged by every
// stage of the reader.
type budget = work.Budget

func newBudget(ctx context.Context, o Options) *budget {
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.Work <= 0 {
		o.Work = DefaultWork
	}
	return work.New(ctx, o.Budget, o.Work)
}

// failed returns b's error, a *BudgetError, or nil while b has not run out.
func failed(b *budget) error {
	s := b.Stopped()
	if s == nil {
		return nil
	}
	return &BudgetError{Elapsed: s.Elapsed, Work: s.Work, Limit: s.Limit, Cause: s.Cause}
}
