package raster

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
			fftSize(got, nil, inverse)
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
		if got := FFTSideAtLeast(c.n); got != c.want {
			t.Errorf("FFTSideAtLeast(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// TestFFT2 checks the 2-D transforms against the 1-D one applied along rows and
// columns by hand: fft2 both ways, fft2Real on real data, and the inverse that
// transforms only the first rows of the row pass.
func TestFFT2(t *testing.T) {
	const w, h = 24, 16
	r := rand.New(rand.NewPCG(3, 4))
	a := make([]complex128, w*h)
	for i := range a {
		a[i] = complex(r.Float64()*255, 0)
	}
	want := append([]complex128(nil), a...)
	for y := 0; y < h; y++ {
		copy(want[y*w:(y+1)*w], naiveDFT(want[y*w:(y+1)*w], false))
	}
	for x := 0; x < w; x++ {
		col := make([]complex128, h)
		for y := range col {
			col[y] = want[y*w+x]
		}
		for y, v := range naiveDFT(col, false) {
			want[y*w+x] = v
		}
	}
	near := func(name string, got []complex128, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			if cmplx.Abs(got[i]-want[i]) > 1e-6 {
				t.Fatalf("%s: value %d = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	full := append([]complex128(nil), a...)
	fft2(full, w, h, h, false)
	near("fft2", full, w*h)
	real2 := append([]complex128(nil), a...)
	fft2Real(real2, w, h)
	near("fft2Real", real2, w*h)
	// Back: only the first 5 rows are asked for, and must be the input's.
	fft2(real2, w, h, 5, true)
	want = a
	near("inverse fft2, 5 rows", real2, 5*w)
}
