package raster

// Wiener deconvolution of a crop under a candidate point-spread function (a
// disc for defocus, a line for motion), and the estimates of a motion blur's
// direction and length that choose the line. Which candidates to try, and
// reading the results, belong to the reader.

import "math"

// Filter is one deconvolution to try: the point-spread function it undoes and
// the filter's damping.
type Filter struct {
	// PSF is the blur undone.
	PSF PSF
	// NSR is the noise-to-signal power ratio that damps the filter where the
	// blur's transfer function is weak.
	NSR float64
}

// Spectrum is the Fourier transform of a crop, padded to power-of-two sides.
type Spectrum struct {
	w, h   int // the crop's size
	pw, ph int // the padded size
	f      []complex128
}

// NewSpectrum pads g to power-of-two sides and transforms it. The padding blends
// each row's (then each column's) last pixel into its first, so the periodic image
// the transform assumes has no step at the seams to ring against.
func NewSpectrum(g *Gray) *Spectrum {
	w, h := g.Width, g.Height
	pw, ph := FFTSideAtLeast(w+8), FFTSideAtLeast(h+8)
	f := make([]complex128, pw*ph)
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		dst := f[y*pw : (y+1)*pw]
		for x, v := range row {
			dst[x] = complex(float64(v), 0)
		}
		a, b := float64(row[w-1]), float64(row[0])
		for x := w; x < pw; x++ {
			t := float64(x-w+1) / float64(pw-w+1)
			dst[x] = complex((1-t)*a+t*b, 0)
		}
	}
	for x := 0; x < pw; x++ {
		a, b := real(f[(h-1)*pw+x]), real(f[x])
		for y := h; y < ph; y++ {
			t := float64(y-h+1) / float64(ph-h+1)
			f[y*pw+x] = complex((1-t)*a+t*b, 0)
		}
	}
	if ph%2 == 0 {
		fft2Real(f, pw, ph)
	} else {
		fft2(f, pw, ph, ph, false)
	}
	return &Spectrum{w: w, h: h, pw: pw, ph: ph, f: f}
}

// PSF is a candidate point-spread function: a uniform disc of the given Radius, or
// (Radius 0) a uniform line of the given Length at Angle (radians from the x axis).
type PSF struct {
	// Radius is the disc's radius in pixels; 0 for a line.
	Radius float64
	// Length is the line's length in pixels.
	Length float64
	// Angle is the line's direction, in radians from the x axis.
	Angle float64
}

// freqs returns the signed frequency, in cycles a pixel, of each index of an
// n-point transform.
func freqs(n int) []float64 {
	f := make([]float64, n)
	for i := range f {
		f[i] = float64(i) / float64(n)
		if i > n/2 {
			f[i] -= 1
		}
	}
	return f
}

// otfFunc returns the PSF's transfer function over the frequencies fx × fy as a
// function of their indices. Both shapes are centred and symmetric, so it is real.
// The disc's Airy-like 2·J1(x)/x comes from a table over x; the line's sinc uses
// sin(a+b) = sin a·cos b + cos a·sin b with a and b tabulated per column and row, so
// a candidate costs a multiplication or two a frequency, not a Bessel function.
func (p PSF) otfFunc(fx, fy []float64) func(u, v int) float64 {
	if p.Radius > 0 {
		const steps = 4096
		maxX := 2 * math.Pi * p.Radius * math.Sqrt2 * 0.5
		tab := make([]float64, steps+2)
		for i := range tab {
			x := maxX * float64(i) / steps
			tab[i] = 1
			if x > 0 {
				tab[i] = 2 * math.J1(x) / x
			}
		}
		scale := 2 * math.Pi * p.Radius / maxX * steps
		return func(u, v int) float64 {
			t := math.Hypot(fx[u], fy[v]) * scale
			i := int(t)
			return tab[i] + (t-float64(i))*(tab[i+1]-tab[i])
		}
	}
	c, s := math.Cos(p.Angle), math.Sin(p.Angle)
	a, sa, ca := make([]float64, len(fx)), make([]float64, len(fx)), make([]float64, len(fx))
	for u, f := range fx {
		a[u] = math.Pi * p.Length * c * f
		sa[u], ca[u] = math.Sincos(a[u])
	}
	b, sb, cb := make([]float64, len(fy)), make([]float64, len(fy)), make([]float64, len(fy))
	for v, f := range fy {
		b[v] = math.Pi * p.Length * s * f
		sb[v], cb[v] = math.Sincos(b[v])
	}
	return func(u, v int) float64 {
		x := a[u] + b[v]
		if math.Abs(x) < 1e-9 {
			return 1
		}
		return (sa[u]*cb[v] + ca[u]*sb[v]) / x
	}
}

// Deconvolve returns the Wiener estimate of the sharp crop under p: each frequency
// divided by the transfer function, damped where the transfer function is weak
// against nsr (the noise-to-signal power ratio).
func (s *Spectrum) Deconvolve(p PSF, nsr float64) *Gray {
	return s.DeconvolveEach([]Filter{{p, nsr}})[0]
}

// DeconvolveEach returns the Wiener estimates under one or two candidates from a
// single inverse transform: each filtered spectrum is Hermitian (a real, symmetric
// transfer function times a real image's spectrum), so the first plus i times the
// second transforms back to the first's image in the real parts and the second's
// in the imaginary parts.
func (s *Spectrum) DeconvolveEach(cands []Filter) []*Gray {
	f := make([]complex128, len(s.f))
	fx, fy := freqs(s.pw), freqs(s.ph)
	for i, c := range cands[:min(len(cands), 2)] {
		otf := c.PSF.otfFunc(fx, fy)
		scale := complex(1, 0)
		if i == 1 {
			scale = complex(0, 1)
		}
		for v := 0; v < s.ph; v++ {
			row := s.f[v*s.pw : (v+1)*s.pw]
			dst := f[v*s.pw : (v+1)*s.pw]
			for u, x := range row {
				h := otf(u, v)
				dst[u] += x * scale * complex(h/(h*h+c.NSR), 0)
			}
		}
	}
	fft2(f, s.pw, s.ph, s.h, true)
	out := make([]*Gray, min(len(cands), 2))
	for i := range out {
		o := New(s.w, s.h)
		for y := 0; y < s.h; y++ {
			row := f[y*s.pw : y*s.pw+s.w]
			for x, z := range row {
				v := real(z)
				if i == 1 {
					v = imag(z)
				}
				o.Pix[y*s.w+x] = byte(min(255, max(0, math.Round(v))))
			}
		}
		out[i] = o
	}
	return out
}

// BlurDirection returns the direction (radians from the x axis, in [0, π)) along
// which g's gradients are weakest, and how anisotropic they are: 1 - λmin/λmax of
// the gradient structure tensor. A code's own edges run along its two axes in equal
// amounts, so its tensor is nearly isotropic; a motion blur weakens the gradients
// along the motion, and its direction is the tensor's minor eigenvector.
func BlurDirection(g *Gray) (angle, anisotropy float64) {
	w, h := g.Width, g.Height
	var jxx, jyy, jxy float64
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			gx := float64(g.Pix[i+1]) - float64(g.Pix[i-1])
			gy := float64(g.Pix[i+w]) - float64(g.Pix[i-w])
			jxx += gx * gx
			jyy += gy * gy
			jxy += gx * gy
		}
	}
	tr, d := (jxx+jyy)/2, math.Hypot((jxx-jyy)/2, jxy)
	if tr <= 0 {
		return 0, 0
	}
	major := 0.5 * math.Atan2(2*jxy, jxx-jyy)
	angle = math.Mod(major+math.Pi/2+2*math.Pi, math.Pi)
	return angle, 1 - (tr-d)/(tr+d)
}

// MotionLength estimates the length, in pixels, of a motion blur along angle: the
// derivative along the motion of a line-blurred image is the sharp image minus
// itself shifted by the blur's length, so its autocorrelation dips to its minimum
// at that lag (or at a module, whichever is longer). It returns the lag of the
// minimum between 2 and maxLen.
func MotionLength(g *Gray, angle float64, maxLen int) float64 {
	w, h := g.Width, g.Height
	c, s := math.Cos(angle), math.Sin(angle)
	d := make([]float32, w*h)
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			gx := float64(g.Pix[i+1]) - float64(g.Pix[i-1])
			gy := float64(g.Pix[i+w]) - float64(g.Pix[i-w])
			d[i] = float32(c*gx + s*gy)
		}
	}
	best, bestLag := math.Inf(1), 0.0
	m := maxLen + 2
	for lag := 2; lag <= maxLen; lag++ {
		ox, oy := int(math.Round(float64(lag)*c)), int(math.Round(float64(lag)*s))
		var acc float64
		n := 0
		for y := m; y < h-m; y += 2 {
			for x := m; x < w-m; x += 2 {
				acc += float64(d[y*w+x]) * float64(d[(y+oy)*w+x+ox])
				n++
			}
		}
		if n > 0 && acc/float64(n) < best {
			best, bestLag = acc/float64(n), float64(lag)
		}
	}
	return bestLag
}
