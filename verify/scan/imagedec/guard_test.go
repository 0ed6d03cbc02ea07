package imagedec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"passport/verify/scan/internal/guard"
)

// TestMain fails the package's tests when any of them hit a panic in the
// reader's own code, even one a guard turned into an error that the test
// itself did not look at. Tests that inject a panic take their count back
// (expectOwnPanic).
func TestMain(m *testing.M) {
	code := m.Run()
	if n := guard.OwnPanics.Load(); n != 0 {
		msg := "(no stack)"
		if p := guard.LastOwnPanic.Load(); p != nil {
			msg = *p
		}
		fmt.Fprintf(os.Stderr, "FAIL: %d panic(s) in the reader's own code were caught by its guard; the last:\n%s\n", n, msg)
		code = 1
	}
	os.Exit(code)
}

// guardedDecode is Decode behind the top-level guard, as verify/scan calls it.
func guardedDecode(data []byte) (g *Gray, err error) {
	defer guard.Catch(&err, true)
	return Decode(data)
}

// expectOwnPanic checks that err is the guard's ErrInternal for exactly one
// panic of the reader's code, and takes that panic back from the count
// TestMain checks.
func expectOwnPanic(t *testing.T, before int64, err error) {
	t.Helper()
	if !errors.Is(err, guard.ErrInternal) {
		t.Fatalf("got %v, want ErrInternal", err)
	}
	if n := guard.OwnPanics.Load() - before; n != 1 {
		t.Fatalf("%d own panics counted, want 1", n)
	}
	guard.OwnPanics.Add(-1)
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

// noisePNG is a w×h grey PNG of random pixels.
func noisePNG(t testing.TB, w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(3, 3))
	for i := range img.Pix {
		img.Pix[i] = byte(r.IntN(256))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPNGDecoderPanics injects a panic on each side of the PNG decoder's two
// goroutines: the caller's guard gets ErrInternal (not "damaged file", not a crash),
// the panic is counted as the reader's own (imagedec is part of it), and no goroutine is left behind blocked on a channel.
func TestPNGDecoderPanics(t *testing.T) {
	// Rows long enough, and a page tall enough, that the inflater reports
	// progress many times and can fill the channel while the rows side is gone.
	data := noisePNG(t, 600, 2000)
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
			before, goroutines := guard.OwnPanics.Load(), runtime.NumGoroutine()
			_, err := guardedDecode(data)
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
