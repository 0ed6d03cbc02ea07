package verify_test

import (
	"context"
	"testing"
	"time"

	"passport/read"
	"passport/trust"
	"passport/verify"
)

// readInput verifies one input as `passport verify` does: read (package
// read, the layer above verify) finds the texts, the verifier judges them at
// now. Tests here use it for pages that carry several codes.
func readInput(t *testing.T, name string, data []byte, st trust.TrustStore, now time.Time) []verify.Result {
	t.Helper()
	return newReader(t, st, now, 0).Verify(context.Background(), name, data)
}

func newReader(t *testing.T, st trust.TrustStore, now time.Time, budget time.Duration) *read.Reader {
	t.Helper()
	v, err := verify.NewVerifier(st, verify.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := read.New(v, read.WithDecodeBudget(budget, 0))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
