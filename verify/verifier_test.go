package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"passport/trust"
)

func TestNewVerifierOptions(t *testing.T) {
	store := trust.NewMemoryStore()
	if _, err := NewVerifier(nil); err == nil {
		t.Error("a Verifier without a trust store was built")
	}
	for _, o := range []Option{WithClock(nil), WithSkew(-time.Second), WithSkew(48 * time.Hour)} {
		if _, err := NewVerifier(store, o); err == nil {
			t.Error("a bad option was accepted")
		}
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	v, err := NewVerifier(store, WithClock(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	r := v.VerifyTexts(context.Background(), "lines", []string{"SP1:A", "SP1:B"}, false)
	if len(r) != 2 {
		t.Fatalf("%d results from 2 texts", len(r))
	}
	if !r[0].VerifiedAt.Equal(at) {
		t.Errorf("VerifiedAt %v, want the fixed clock %v", r[0].VerifiedAt, at)
	}
	// A cancelled request does no work and says why.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = v.VerifyTexts(ctx, "cancelled", []string{"SP1:A"}, false)
	if len(r) != 1 || r[0].Status != StatusUnreadable || !strings.Contains(r[0].Reasons[0].Message, "canceled") {
		t.Fatalf("cancelled: %+v", r)
	}
}
