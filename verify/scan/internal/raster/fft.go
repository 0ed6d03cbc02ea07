package raster

// A small radix-2 fast Fourier transform for the deconvolution of wiener.go: the
// crops it works on are at most a megapixel, so a plain iterative transform on
// power-of-two sides is fast enough (tens of milliseconds) and needs no dependency.

import (
	"math"
	"math/bits"
	"math/cmplx"
	"sync"
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
	tw := twiddles(n, inverse)
	for size := 2; size <= n; size <<= 1 {
		half, stride := size/2, n/size
		for start := 0; start < n; start += size {
			lo, hi := a[start:start+half], a[start+half:start+size]
			for k := range lo {
				u, v := lo[k], hi[k]*tw[k*stride]
				lo[k], hi[k] = u+v, u-v
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

// twiddleCache holds twiddles' tables by transform length and direction.
var twiddleCache sync.Map

// twiddles returns exp(±2πik/n) for k < n/2 (+ for the inverse transform), computed
// once per length and direction.
func twiddles(n int, inverse bool) []complex128 {
	key := 2 * n
	if inverse {
		key++
	}
	if t, ok := twiddleCache.Load(key); ok {
		return t.([]complex128)
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	t := make([]complex128, n/2)
	for k := range t {
		s, c := math.Sincos(sign * 2 * math.Pi * float64(k) / float64(n))
		t[k] = complex(c, s)
	}
	twiddleCache.Store(key, t)
	return t
}

// fftSize transforms a in place like fft; len(a) must be a power of two or three
// times one (FFTSideAtLeast's sizes). A length 3m is split into its three
// interleaved subsequences, each transformed by fft and recombined: padding a
// 600-pixel crop to 768 instead of 1024 saves 40% of a 2-D transform.
// scratch, when at least len(a) long, saves an allocation.
func fftSize(a, scratch []complex128, inverse bool) {
	n := len(a)
	if n%3 != 0 {
		fft(a, inverse)
		return
	}
	m := n / 3
	sub := scratch
	if len(sub) < n {
		sub = make([]complex128, n)
	}
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

// FFTSideAtLeast returns the smallest transform length fftSize accepts (a power of
// two, or three times one) that is at least n.
func FFTSideAtLeast(n int) int {
	p := pow2AtLeast(n)
	if q := 3 * p / 4; q >= n && p >= 4 {
		return q
	}
	return p
}

// fft2 transforms the w×h row-major plane a in place, rows then columns; w and h
// must be lengths fftSize accepts. Only the first rows rows are transformed in the
// row pass (the others are left as the column pass made them): an inverse
// transform whose caller reads only the crop's rows can skip the padding's.
func fft2(a []complex128, w, h, rows int, inverse bool) {
	if inverse {
		fftColumns(a, w, h, true)
	}
	scratch := make([]complex128, w)
	for y := 0; y < rows; y++ {
		fftSize(a[y*w:(y+1)*w], scratch, inverse)
	}
	if !inverse {
		fftColumns(a, w, h, false)
	}
}

// fftColumns transforms each column of the w×h plane a. Columns are copied out
// colBatch at a time, so each row's memory is read once a batch instead of once a
// column (a column walk strides a whole row between values).
func fftColumns(a []complex128, w, h int, inverse bool) {
	const colBatch = 16
	buf := make([]complex128, colBatch*h)
	scratch := make([]complex128, h)
	for x0 := 0; x0 < w; x0 += colBatch {
		n := min(colBatch, w-x0)
		for y := 0; y < h; y++ {
			row := a[y*w+x0 : y*w+x0+n]
			for i, v := range row {
				buf[i*h+y] = v
			}
		}
		for i := 0; i < n; i++ {
			fftSize(buf[i*h:(i+1)*h], scratch, inverse)
		}
		for y := 0; y < h; y++ {
			row := a[y*w+x0 : y*w+x0+n]
			for i := range row {
				row[i] = buf[i*h+y]
			}
		}
	}
}

// fft2Real is the forward fft2 of a plane whose values are all real, h even: two
// rows are transformed at once as one complex row (the first as real parts, the
// second as imaginary) and told apart by symmetry, halving the row pass.
func fft2Real(a []complex128, w, h int) {
	scratch := make([]complex128, w)
	for y := 0; y+1 < h; y += 2 {
		r0, r1 := a[y*w:(y+1)*w], a[(y+1)*w:(y+2)*w]
		for x := range r0 {
			r0[x] = complex(real(r0[x]), real(r1[x]))
		}
		fftSize(r0, scratch, false)
		// X0[k] = (Z[k] + conj Z[-k])/2, X1[k] = (Z[k] - conj Z[-k])/2i.
		for k := 0; k <= w/2; k++ {
			z, zc := r0[k], cmplx.Conj(r0[(w-k)%w])
			x0, x1 := (z+zc)/2, (z-zc)*complex(0, -0.5)
			r0[k], r1[k] = x0, x1
			if k > 0 && k < w-k {
				r0[w-k], r1[w-k] = cmplx.Conj(x0), cmplx.Conj(x1)
			}
		}
	}
	fftColumns(a, w, h, false)
}

// pow2AtLeast returns the smallest power of two that is at least n (and at least 1).
func pow2AtLeast(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}
