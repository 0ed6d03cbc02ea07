package work

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSpendStopsAtTheLimit: work up to the limit goes on, the first visit over
// it stops the budget, and the stop is sticky with the work done.
func TestSpendStopsAtTheLimit(t *testing.T) {
	b := New(context.Background(), time.Hour, 100)
	if !b.Spend(100) || b.Stopped() != nil {
		t.Fatalf("spending exactly the limit stopped: %+v", b.Stopped())
	}
	if b.Spend(1) {
		t.Fatal("spending past the limit went on")
	}
	s := b.Stopped()
	if s == nil || s.Limit != "work" || s.Work != 101 {
		t.Fatalf("stop %+v, want the work limit at 101 visits", s)
	}
	if b.OK() || b.Stopped() != s {
		t.Error("the stop is not sticky")
	}
}

// TestOKStopsOnCancelAndTime: a cancelled context and a passed deadline each
// stop the budget, naming the cause.
func TestOKStopsOnCancelAndTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := New(ctx, time.Hour, 1<<40)
	if b.OK() || b.Stopped().Limit != "cancelled" || !errors.Is(b.Stopped().Cause, context.Canceled) {
		t.Errorf("cancelled context: stop %+v", b.Stopped())
	}
	b = New(context.Background(), -time.Second, 1<<40)
	if b.OK() || b.Stopped().Limit != "time" {
		t.Errorf("passed deadline: stop %+v", b.Stopped())
	}
}

// TestChildBudgets: Prepaid follows its parent's context but not its work,
// Share gets the parent's remaining work and Add brings its work back.
func TestChildBudgets(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	parent := New(ctx, time.Hour, 10)
	parent.Spend(10)
	p := Prepaid(parent, 50)
	if !p.Spend(50) || p.Spend(1) {
		t.Errorf("prepaid budget of 50 visits: stop %+v", p.Stopped())
	}
	s := parent.Share(0.5)
	if s.Spend(1) {
		t.Error("a share of a spent budget has work left")
	}
	parent = New(ctx, time.Hour, 10)
	s = parent.Share(0.5)
	s.Spend(4)
	parent.Add(s.Work())
	if parent.Work() != 4 {
		t.Errorf("parent work %d after adding its share's 4", parent.Work())
	}
	cancel()
	if Prepaid(parent, 50).OK() || parent.AfterRead(50).OK() {
		t.Error("a child budget goes on after its parent's context is cancelled")
	}
	if !Prepaid(nil, 5).Spend(5) {
		t.Error("a prepaid budget with no parent stopped within its work")
	}
}
