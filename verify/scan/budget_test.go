package scan

import (
	"context"
	"errors"
	"testing"
	"time"

	"passport/verify/scan/internal/work"
)

// TestBudgetDefaults: the clock of budgets made without a caller's (work's
// DefaultTime) is the reader's DefaultBudget, and a spent budget reports a
// *BudgetError that matches ErrBudget and ErrNoBarcode.
func TestBudgetDefaults(t *testing.T) {
	if work.DefaultTime != DefaultBudget {
		t.Errorf("work.DefaultTime %v, DefaultBudget %v: make them equal", work.DefaultTime, DefaultBudget)
	}
	b := newBudget(context.Background(), Options{Budget: time.Hour, Work: 10})
	if err := failed(b); err != nil {
		t.Fatalf("fresh budget failed: %v", err)
	}
	b.Spend(11)
	var be *BudgetError
	if err := failed(b); !errors.As(err, &be) || be.Limit != "work" || be.Work != 11 || !errors.Is(err, ErrBudget) || !errors.Is(err, ErrNoBarcode) {
		t.Errorf("spent budget: %v (%+v)", err, be)
	}
}
