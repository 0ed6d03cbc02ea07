package issue

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"passport/layout"
)

// TestGateRefusalSignsAFreshCredential: the print-quality gate judges one
// exact symbol, so a refused page is signed again with a new credential id;
// only the accepted credential reaches the register and the PDFs.
func TestGateRefusalSignsAFreshCredential(t *testing.T) {
	const n = 20
	iss := testIssuer(t)
	out := t.TempDir()
	var mu sync.Mutex
	seen := map[string][]string{} // staff number → texts the gate saw
	opts := Options{Issuer: iss, OutDir: out, Now: benchNow,
		CheckPage: func(rec *Record, p *layout.Passport, text string) error {
			mu.Lock()
			defer mu.Unlock()
			seen[rec.Person.StaffNumber] = append(seen[rec.Person.StaffNumber], text)
			if len(seen[rec.Person.StaffNumber]) == 1 {
				return errors.New("simulated poor scan did not read the code")
			}
			return nil
		}}
	sum, err := Run(context.Background(), csvOpener(popCSV(t, n)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Issued != n || sum.FailedRows != 0 {
		t.Fatalf("summary %+v, want %d issued after one refusal each", sum, n)
	}
	reg := registerEntries(t, sum.Register, sum.BatchID)
	for staff, texts := range seen {
		if len(texts) != 2 || texts[0] == texts[1] {
			t.Fatalf("%s: gate saw %d texts (distinct: %v), want a refused and a fresh one", staff, len(texts), len(texts) == 2 && texts[0] != texts[1])
		}
		if es := reg[staff]; len(es) != 1 {
			t.Fatalf("%s: %d register entries, want 1 (the refused credential must not be recorded)", staff, len(es))
		}
	}
}

// TestGateRefusesEveryAttempt: a record whose page never passes fails its
// row after gateAttempts tries, naming the gate, and records nothing.
func TestGateRefusesEveryAttempt(t *testing.T) {
	iss := testIssuer(t)
	var mu sync.Mutex
	calls := 0
	opts := Options{Issuer: iss, OutDir: t.TempDir(), Now: benchNow,
		CheckPage: func(rec *Record, p *layout.Passport, text string) error {
			mu.Lock()
			calls++
			mu.Unlock()
			return errors.New("code unreadable")
		}}
	sum, _ := Run(context.Background(), csvOpener(popCSV(t, 1)), opts)
	if sum.Issued != 0 || sum.FailedRows != 1 {
		t.Fatalf("summary %+v, want the one row failed", sum)
	}
	if calls != gateAttempts {
		t.Fatalf("gate called %d times, want %d", calls, gateAttempts)
	}
	if len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0].Error(), "print check failed") {
		t.Fatalf("errors %v, want one naming the print check", sum.Errors)
	}
}
