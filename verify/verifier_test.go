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
	for _, o := range []Option{WithClock(nil), WithSkew(-time.Second), WithSkew(48 * time.Hour),
		WithLimits(Limits{MaxInputBytes: MaxInputBytes + 1}), WithLimits(Limits{MaxTextLines: -1})} {
		if _, err := NewVerifier(store, o); err == nil {
			t.Error("a bad option was accepted")
		}
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	v, err := NewVerifier(store, At(at), WithLimits(Limits{MaxInputBytes: 100, MaxTextLines: 2}))
	if err != nil {
		t.Fatal(err)
	}
	// The limits are the Verifier's, not the package maximums.
	r := v.Verify(context.Background(), "big", []byte(strings.Repeat("x", 101)))
	if len(r) != 1 || r[0].Status != StatusUnreadable || r[0].Reasons[0].Code != ReasonInputTooLarge {
		t.Fatalf("over the Verifier's byte limit: %+v", r)
	}
	r = v.Verify(context.Background(), "lines", []byte("SP1:A\nSP1:B\nSP1:C\n"))
	if len(r) != 2 {
		t.Fatalf("%d results from a 3-line input with MaxTextLines 2", len(r))
	}
	if !r[0].VerifiedAt.Equal(at) {
		t.Errorf("VerifiedAt %v, want the fixed clock %v", r[0].VerifiedAt, at)
	}
	// A cancelled request does no work and says why.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = v.Verify(ctx, "cancelled", []byte("SP1:A"))
	if len(r) != 1 || r[0].Status != StatusUnreadable || !strings.Contains(r[0].Reasons[0].Message, "canceled") {
		t.Fatalf("cancelled: %+v", r)
	}
}
