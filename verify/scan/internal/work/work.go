// Package work is the reader's budget: the time and the work (pixel visits)
// one call of verify/scan may spend, charged by the filters, the detectors and
// the search alike so that every stage stops at the same point. Package scan
// turns a budget's Stop into its exported *BudgetError.
package work

import (
	"context"
	"time"
)

// DefaultTime is the wall-clock bound of a budget made without a caller's clock
// (Prepaid with no parent, AfterRead): verify/scan's DefaultBudget, which its
// tests hold equal to this.
const DefaultTime = 2 * time.Minute

// Stop says why a budget ran out: how long it ran, how much work it did, and
// what ran out.
type Stop struct {
	// Elapsed is the time from the budget's start to running out.
	Elapsed time.Duration
	// Work is the work done, in pixel visits.
	Work int64
	// Limit names what ran out: "time", "work", or "cancelled" (the context).
	Limit string
	// Cause is the context's error when Limit is "cancelled", else nil.
	Cause error
}

// Budget tracks one call's time and work. Its first failure is sticky, so every
// loop that checks it unwinds with the same Stop.
type Budget struct {
	ctx      context.Context
	start    time.Time
	deadline time.Time
	work     int64
	maxWork  int64
	stop     *Stop
}

// New returns a budget of d wall-clock time and maxWork pixel visits that also
// stops when ctx (nil means none) is done.
func New(ctx context.Context, d time.Duration, maxWork int64) *Budget {
	if ctx == nil {
		ctx = context.Background()
	}
	now := time.Now()
	return &Budget{ctx: ctx, start: now, deadline: now.Add(d), maxWork: maxWork}
}

// Prepaid is the budget of a step whose work its caller has already charged to
// its own budget (parent), such as the module size estimate inside a transform
// whose cost the planner charged: the step may do that much work, and stops
// when parent is cancelled or out of time. With no parent (nil) only the work
// and DefaultTime bound it.
func Prepaid(parent *Budget, work int64) *Budget {
	now := time.Now()
	b := &Budget{ctx: context.Background(), start: now, deadline: now.Add(DefaultTime), maxWork: work}
	if parent != nil {
		b.ctx, b.deadline = parent.ctx, parent.deadline
	}
	return b
}

// AfterRead is the budget of a step taken after the read itself to tell the
// caller where the code is or why none was read: the next camera frame needs
// that most when the read's budget is spent, so the step is not cut off by the
// read's clock or work, but it has its own fixed work allowance and stops when
// the request is cancelled.
func (b *Budget) AfterRead(work int64) *Budget {
	now := time.Now()
	return &Budget{ctx: b.ctx, start: now, deadline: now.Add(DefaultTime), maxWork: work}
}

// Share returns a budget for part of b's remaining time, with b's context and
// remaining work; the caller adds its work back to b (Add).
func (b *Budget) Share(part float64) *Budget {
	left := time.Until(b.deadline)
	return &Budget{ctx: b.ctx, start: time.Now(), deadline: time.Now().Add(time.Duration(part * float64(left))),
		maxWork: b.maxWork - b.work}
}

// Add counts work done on b's behalf under another budget (a Share) without
// checking the limit; the next Spend or OK does.
func (b *Budget) Add(n int64) { b.work += n }

// Spend adds n pixel visits and reports whether the decode may go on.
func (b *Budget) Spend(n int64) bool {
	if b.stop != nil {
		return false
	}
	b.work += n
	if b.work > b.maxWork {
		b.fail("work", nil)
		return false
	}
	return b.OK()
}

// OK reports whether the decode may go on: no failure yet, context live, time left.
func (b *Budget) OK() bool {
	if b.stop != nil {
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

func (b *Budget) fail(limit string, cause error) {
	b.stop = &Stop{Elapsed: time.Since(b.start), Work: b.work, Limit: limit, Cause: cause}
}

// Stopped returns why the budget ran out, or nil while it has not.
func (b *Budget) Stopped() *Stop { return b.stop }

// Work returns the work done so far, in pixel visits.
func (b *Budget) Work() int64 { return b.work }
