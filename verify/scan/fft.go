package scan

// A small radix-2 fast Fourier transform for the deconvolution of deblur.go: the
// crops it works on are at most a megapixel, so a plain iterative transform on
// power-of-two sides is fast enough (tens of milliseconds) and needs no dependency.

import (
	"math"
	"math/bits"
)

// fft transforms a in place; len(a) must be a power of two. The inverse transform
// is scaled by 1/len(a), so fft(fft(a, false), true) returns a.
func fft(a []complex128, inverse bool) {
	n := len(a)
	if n < 2 {
		return
	}
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range a {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			a[i], a[j] = a[j], a[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		s, c := math.Sincos(sign * 2 * math.Pi / float64(size))
		step := complex(c, s)
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := 0; k < half; k++ {
				u, v := a[start+k], a[start+k+half]*w
				a[start+k], a[start+k+half] = u+v, u-v
				w *= step
			}
		}
	}
	if inverse {
		f := complex(1/float64(n), 0)
		for i := range a {
			a[i] *= f
		}
	}
}

// fftSize transforms a in place like fft; len(a) must be a power of two or three
// times one (fftSideAtLeast's sizes). A length 3m is split into its three
// interleaved subsequences, each transformed by fft and recombined: padding a
// 600-pixel crop to 768 instead of 1024 saves 40% of a 2-D transform.
func fftSize(a []complex128, inverse bool) {
	n := len(a)
	if n%3 != 0 {
		fft(a, inverse)
		return
	}
	m := n / 3
	sub := make([]complex128, n)
	for r := 0; r < 3; r++ {
		for k := 0; k < m; k++ {
			sub[r*m+k] = a[3*k+r]
		}
		fft(sub[r*m:(r+1)*m], inverse)
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	s3, c3 := math.Sincos(sign * 2 * math.Pi / 3)
	w3 := complex(c3, s3)
	for k := 0; k < m; k++ {
		s1, c1 := math.Sincos(sign * 2 * math.Pi * float64(k) / float64(n))
		t1 := complex(c1, s1)
		x0, x1, x2 := sub[k], sub[m+k]*t1, sub[2*m+k]*t1*t1
		a[k] = x0 + x1 + x2
		a[k+m] = x0 + x1*w3 + x2*w3*w3
		a[k+2*m] = x0 + x1*w3*w3 + x2*w3
	}
	if inverse {
		// fft scaled each third by 1/m; the whole transform needs 1/(3m).
		for i := range a {
			a[i] /= 3
		}
	}
}

// fftSideAtLeast returns the smallest transform length fftSize accepts (a power of
// two, or three times one) that is at least n.
func fftSideAtLeast(n int) int {
	p := pow2AtLeast(n)
	if q := 3 * p / 4; q >= n && p >= 4 {
		return q
	}
	return p
}

// fft2 transforms the w×h row-major plane a in place, rows then columns; w and h
// must be lengths fftSize accepts.
func fft2(a []complex128, w, h int, inverse bool) {
	for y := 0; y < h; y++ {
		fftSize(a[y*w:(y+1)*w], inverse)
	}
	col := make([]complex128, h)
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			col[y] = a[y*w+x]
		}
		fftSize(col, inverse)
		for y := 0; y < h; y++ {
			a[y*w+x] = col[y]
		}
	}
}

// pow2AtLeast returns the smallest power of two that is at least n (and at least 1).
func pow2AtLeast(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}
