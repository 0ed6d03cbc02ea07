package scan

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"passport/verify/scan/internal/guard"
)

// TestMain fails the package's tests when any of them hit a panic in the
// reader's own code, even one the top-level guard turned into an error that
// the test itself did not look at. Tests that inject a panic take their count
// back (expectOwnPanic).
func TestMain(m *testing.M) {
	code := m.Run()
	if n := ownPanics.Load(); n != 0 {
		msg := "(no stack)"
		if p := lastOwnPanic.Load(); p != nil {
			msg = *p
		}
		fmt.Fprintf(os.Stderr, "FAIL: %d panic(s) in the reader's own code were caught by its guard; the last:\n%s\n", n, msg)
		code = 1
	}
	os.Exit(code)
}

// expectOwnPanic checks that err is the guard's ErrInternal for exactly one
// panic of this package's code, and takes that panic back from the count
// TestMain checks.
func expectOwnPanic(t *testing.T, before int64, err error) {
	t.Helper()
	if !errors.Is(err, ErrInternal) {
		t.Fatalf("got %v, want ErrInternal", err)
	}
	if n := ownPanics.Load() - before; n != 1 {
		t.Fatalf("%d own panics counted, want 1", n)
	}
	ownPanics.Add(-1)
}

func ownIndex(i int) int {
	var rows []int
	return rows[i]
}

// TestGuardTellsOwnFromForeign: a panic inside a third-party function is
// forgiven where the reader calls third-party decoders, while one that starts
// in the reader's own code (here called back from the standard library, as
// gozxing calls the reader's luminance source) goes on to the top-level guard
// as ErrInternal.
func TestGuardTellsOwnFromForeign(t *testing.T) {
	boundary := func(f func()) (err error) {
		defer guard.Catch(&err, false)
		f()
		return nil
	}
	top := func(f func()) (err error) {
		defer guard.Catch(&err, true)
		return boundary(f)
	}
	before := ownPanics.Load()
	err := top(func() { _ = strings.Repeat("x", -1) })
	if !errors.Is(err, guard.ErrForeignPanic) || ownPanics.Load() != before {
		t.Fatalf("a panic in package strings gave %v and counted %d", err, ownPanics.Load()-before)
	}
	err = top(func() { _ = strings.Map(func(r rune) rune { return rune(ownIndex(int(r))) }, "a") })
	expectOwnPanic(t, before, err)
	if !strings.Contains(err.Error(), "ownIndex") {
		t.Errorf("error %q does not name the reader's function", err)
	}
}
