package scan

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"
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

// budget tracks one call's time and work. Its first failure is sticky, so every
// loop that checks it unwinds with the same error.
type budget struct {
	ctx      context.Context
	start    time.Time
	deadline time.Time
	work     int64
	maxWork  int64
	err      *BudgetError
}

func newBudget(ctx context.Context, o Options) *budget {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.Work <= 0 {
		o.Work = DefaultWork
	}
	now := time.Now()
	return &budget{ctx: ctx, start: now, deadline: now.Add(o.Budget), maxWork: o.Work}
}

// prepaid is the budget of a step whose work its caller has already charged to
// its own budget (parent), such as the module size estimate inside a transform
// whose cost decodeRun.filter charged: the step may do that much work, and
// stops when parent is cancelled or out of time. With no parent (nil) only the
// work and DefaultBudget bound it.
func prepaid(parent *budget, work int64) *budget {
	now := time.Now()
	b := &budget{ctx: context.Background(), start: now, deadline: now.Add(DefaultBudget), maxWork: work}
	if parent != nil {
		b.ctx, b.deadline = parent.ctx, parent.deadline
	}
	return b
}

// afterRead is the budget of a step ReadFrame takes after the read itself to
// tell the caller where the code is or why none was read (locate,
// edgeSteepness): the next frame needs that most when the read's budget is
// spent, so the step is not cut off by the read's clock or work, but it has
// its own fixed work allowance and stops when the request is cancelled.
func (b *budget) afterRead(work int64) *budget {
	now := time.Now()
	return &budget{ctx: b.ctx, start: now, deadline: now.Add(DefaultBudget), maxWork: work}
}

// spend adds n pixel visits and reports whether the decode may go on.
func (b *budget) spend(n int64) bool {
	if b.err != nil {
		return false
	}
	b.work += n
	if b.work > b.maxWork {
		b.fail("work", nil)
		return false
	}
	return b.ok()
}

// ok reports whether the decode may go on: no failure yet, context live, time left.
func (b *budget) ok() bool {
	if b.err != nil {
		return false
	}
	if err := b.ctx.Err(); err != nil {
		b.fail("cancelled", err)
		return false
	}
	if time.Now().After(b.deadline) {
		b.fail("time", nil)
		return false
	}
	return true
}

func (b *budget) fail(limit string, cause error) {
	b.err = &BudgetError{Elapsed: time.Since(b.start), Work: b.work, Limit: limit, Cause: cause}
}

// failed returns the budget's error, or nil while it has not run out.
func (b *budget) failed() error {
	if b.err == nil {
		return nil
	}
	return b.err
}
