package scan

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// naiveDFT is the textbook O(n²) transform fft must agree with.
func naiveDFT(a []complex128, inverse bool) []complex128 {
	n := len(a)
	sign := -1.0
	if inverse {
		sign = 1
	}
	out := make([]complex128, n)
	for k := range out {
		for j, x := range a {
			out[k] += x * cmplx.Rect(1, sign*2*math.Pi*float64(j*k)/float64(n))
		}
		if inverse {
			out[k] /= complex(float64(n), 0)
		}
	}
	return out
}

func TestFFTMatchesDFT(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8, 6, 12, 24, 48, 64, 96} {
		for _, inverse := range []bool{false, true} {
			r := rand.New(rand.NewPCG(uint64(n), 1))
			a := make([]complex128, n)
			for i := range a {
				a[i] = complex(r.Float64()*255, r.Float64()-0.5)
			}
			want := naiveDFT(a, inverse)
			got := append([]complex128(nil), a...)
			fftSize(got, inverse)
			for i := range got {
				if cmplx.Abs(got[i]-want[i]) > 1e-6*float64(n) {
					t.Fatalf("n=%d inverse=%v: bin %d = %v, want %v", n, inverse, i, got[i], want[i])
				}
			}
		}
	}
}

func TestFFTSideAtLeast(t *testing.T) {
	for _, c := range []struct{ n, want int }{{1, 1}, {3, 3}, {5, 6}, {7, 8}, {513, 768}, {768, 768}, {769, 1024}, {1024, 1024}} {
		if got := fftSideAtLeast(c.n); got != c.want {
			t.Errorf("fftSideAtLeast(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}
