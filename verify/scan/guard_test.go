package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
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

// settledGoroutines waits briefly for goroutines that are finishing and
// returns how many are left.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 100 && n > want; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// TestPNGDecoderPanics injects a panic on each side of the PNG decoder's two
// goroutines: the caller gets ErrInternal (not "damaged file", not a crash),
// the panic is counted, and no goroutine is left behind blocked on a channel.
func TestPNGDecoderPanics(t *testing.T) {
	// Rows long enough, and a page tall enough, that the inflater reports
	// progress many times and can fill the channel while the rows side is gone.
	data := encodePNG(t, noiseGray(600, 2000, 3).asImage())
	for _, where := range []string{"row", "inflate"} {
		t.Run(where, func(t *testing.T) {
			calls := 0
			pngTestHook = func(w string) {
				if w == where {
					if calls++; calls == 3 {
						var rows []int
						_ = rows[calls] // an index out of range, as a real bug would be
					}
				}
			}
			t.Cleanup(func() { pngTestHook = nil })
			before, goroutines := ownPanics.Load(), runtime.NumGoroutine()
			_, err := ImageContext(context.Background(), data, Options{})
			expectOwnPanic(t, before, err)
			if !strings.Contains(err.Error(), "index out of range") {
				t.Errorf("error %q does not name the panic", err)
			}
			if n := settledGoroutines(goroutines); n > goroutines {
				buf := make([]byte, 1<<16)
				t.Fatalf("%d goroutines left behind:\n%s", n-goroutines, buf[:runtime.Stack(buf, true)])
			}
		})
	}
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
		defer catch(&err, false)
		f()
		return nil
	}
	top := func(f func()) (err error) {
		defer catch(&err, true)
		return boundary(f)
	}
	before := ownPanics.Load()
	err := top(func() { _ = strings.Repeat("x", -1) })
	if !errors.Is(err, errForeignPanic) || ownPanics.Load() != before {
		t.Fatalf("a panic in package strings gave %v and counted %d", err, ownPanics.Load()-before)
	}
	err = top(func() { _ = strings.Map(func(r rune) rune { return rune(ownIndex(int(r))) }, "a") })
	expectOwnPanic(t, before, err)
	if !strings.Contains(err.Error(), "ownIndex") {
		t.Errorf("error %q does not name the reader's function", err)
	}
}
