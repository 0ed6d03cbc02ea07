package scan

// Deconvolution for webcam frames: a fixed-focus webcam spreads each
// point over a disc, a moving hand over a line. The sharpen prefilter's unsharp
// mask undoes a little of either; when it is not enough, the crop around the code is deconvolved
// with a Wiener filter for a few candidate point-spread functions — a line along the
// direction whose gradients the blur weakened, a disc of a few module fractions —
// and each result goes through the ordinary finder and sampling path. Only a decode
// that passes Reed-Solomon counts, so a wrong guess reads nothing rather than
// something wrong.

import (
	"math"
	"math/bits"
)

const (
	// deblurMaxArea is the largest padded crop deconvolved: 1024×1024, two planes
	// of complex128 (32 MB), enough for the code's crop in a 1280×720 or
	// 1920×1080 webcam frame; larger crops are phone photos or page scans, whose
	// blur the other strategies handle.
	deblurMaxArea = 1024 * 1024
	// deblurWholeMaxArea is the largest padded whole image deconvolved (besides
	// its crops): 512×512, a small image where candidateRegions may miss a code
	// whose blur lowered its blocks' contrast. Larger frames have crops.
	deblurWholeMaxArea = 512 * 512
	// deblurMotionAnisotropy is the structure tensor's anisotropy from which
	// motion is tried before defocus: the codes of the fixtures/degrade defocus
	// class measure 0.1–0.35, those of the motion class mostly 0.5–0.7.
	deblurMotionAnisotropy = 0.4
	// deblurMaxCandidates bounds the candidates tried on a crop: 2 is one inverse
	// transform, each kind's best guess. Every read on the corpora came from it;
	// on the frames of the live-camera sequences that nothing reads (a page still
	// smeared far beyond deblurMaxLen, or at 1.5 pixels a module), a second
	// transform cost 45 ms more a crop for nothing.
	deblurMaxCandidates = 2
	// deblurMinModule is the smallest module size, in pixels, for which a disc is
	// tried: a code at 1.5–2.5 pixels a module (a page at arm's length) has no
	// defocus left to undo that the enlarging strategies do not handle.
	deblurMinModule = 2.5
	// deblurMaxLen is the longest motion blur, in pixels, that is estimated: two
	// modules of 8 pixels.
	deblurMaxLen = 16
	// Noise-to-signal ratios of the Wiener filter: a line's transfer function has
	// exact zeros, which need less damping than the disc's broad dips to keep the
	// JPEG noise of a webcam frame from swamping the modules.
	nsrMotion, nsrDisc = 0.01, 0.02
)

// blurCandidate is one point-spread function to try, with its filter's damping.
type blurCandidate struct {
	p   psf
	nsr float64
}

// blurCandidates returns the point-spread functions worth trying on crop g, most
// likely first: lines along the direction of weakest gradients, of the length the
// derivative's autocorrelation suggests (then a pixel less and more), and discs of
// three quarters (then three fifths) of the module size (the finders' estimate on
// the blurred crop runs a little small, so the real radius of a strong defocus
// shows as about 0.75 of it). The likelier kind leads and the kinds alternate, so
// the first inverse transform (two candidates at once) holds the best guess of
// each; the list is cut at deblurMaxCandidates. On the 168 defocus, motion and
// webcam images of six corpus seeds, every crop the deconvolution read was read by
// the likelier kind's best guess.
//
// With no finder pattern (moduleSize 0) there is no size for a disc, and nothing
// says a code is there: only a clearly directional blur is tried, and a crop with
// neither (noise, text) gets no candidates and costs no transform. A length
// estimate at deblurMaxLen means a longer smear than is tried: no lines.
func blurCandidates(g *gray, moduleSize float64) []blurCandidate {
	angle, aniso := blurDirection(g)
	var lines, discs []blurCandidate
	if moduleSize > 0 || aniso >= deblurMotionAnisotropy {
		n := motionLength(g, angle, deblurMaxLen)
		for _, dl := range []float64{0, -1, 1} {
			if l := n + dl; l >= 2 && n < deblurMaxLen {
				lines = append(lines, blurCandidate{psf{length: l, angle: angle}, nsrMotion})
			}
		}
	}
	if moduleSize >= deblurMinModule {
		for _, r := range []float64{0.75 * moduleSize, 0.6 * moduleSize} {
			discs = append(discs, blurCandidate{psf{radius: r}, nsrDisc})
		}
	}
	first, second := discs, lines
	if aniso >= deblurMotionAnisotropy {
		first, second = lines, discs
	}
	var out []blurCandidate
	for i := 0; i < max(len(first), len(second)) && len(out) < deblurMaxCandidates; i++ {
		if i < len(first) {
			out = append(out, first[i])
		}
		if i < len(second) && len(out) < deblurMaxCandidates {
			out = append(out, second[i])
		}
	}
	return out
}

// fftWork is the budget charge, in pixel visits, of one 2-D transform of n pixels:
// each pixel is visited once per radix-2 stage.
func fftWork(n int) int64 { return int64(n) * int64(bits.Len(uint(n))) }

// readDeblurred deconvolves crop img with each of blurCandidates in turn and reads
// the result with readFinders, then readPiecewise, stopping at the first code. A
// crop whose padded size is over deblurMaxArea is left alone. It checks b before
// every candidate and charges it for the transforms.
func readDeblurred(img *gray, global bool, b *budget) ([]Code, error) {
	pw, ph := fftSideAtLeast(img.Width+8), fftSideAtLeast(img.Height+8)
	if pw*ph > deblurMaxArea || img.Width < 21 || img.Height < 21 {
		return nil, nil
	}
	// The blur and module size estimates are about three passes over the crop;
	// the spectrum is one transform.
	if !b.Spend(3 * int64(len(img.pix))) {
		return nil, nil
	}
	cands := blurCandidates(img, moduleSizeEstimate(img, b))
	if len(cands) == 0 || !b.Spend(fftWork(pw*ph)) {
		return nil, nil
	}
	sp := newSpectrum(img)
	// Candidates go two at a time through one inverse transform.
	for i := 0; i < len(cands); i += 2 {
		if !b.Spend(fftWork(pw * ph)) {
			return nil, nil
		}
		for _, sharp := range sp.deconvolveEach(cands[i:]) {
			for _, read := range []func(*gray, bool, *budget) ([]Code, error){readFinders, readPiecewise} {
				codes, err := read(sharp, global, b)
				if len(codes) > 0 || err != nil || !b.OK() {
					return codes, err
				}
			}
		}
	}
	return nil, nil
}

// spectrum is the Fourier transform of a crop, padded to power-of-two sides.
type spectrum struct {
	w, h   int // the crop's size
	pw, ph int // the padded size
	f      []complex128
}

// newSpectrum pads g to power-of-two sides and transforms it. The padding blends
// each row's (then each column's) last pixel into its first, so the periodic image
// the transform assumes has no step at the seams to ring against.
func newSpectrum(g *gray) *spectrum {
	w, h := g.Width, g.Height
	pw, ph := fftSideAtLeast(w+8), fftSideAtLeast(h+8)
	f := make([]complex128, pw*ph)
	for y := 0; y < h; y++ {
		row := g.pix[y*w : (y+1)*w]
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
	return &spectrum{w: w, h: h, pw: pw, ph: ph, f: f}
}

// psf is a candidate point-spread function: a uniform disc of the given radius, or
// (radius 0) a uniform line of the given length at angle (radians from the x axis).
type psf struct {
	radius, length, angle float64
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

// otfFunc returns the psf's transfer function over the frequencies fx × fy as a
// function of their indices. Both shapes are centred and symmetric, so it is real.
// The disc's Airy-like 2·J1(x)/x comes from a table over x; the line's sinc uses
// sin(a+b) = sin a·cos b + cos a·sin b with a and b tabulated per column and row, so
// a candidate costs a multiplication or two a frequency, not a Bessel function.
func (p psf) otfFunc(fx, fy []float64) func(u, v int) float64 {
	if p.radius > 0 {
		const steps = 4096
		maxX := 2 * math.Pi * p.radius * math.Sqrt2 * 0.5
		tab := make([]float64, steps+2)
		for i := range tab {
			x := maxX * float64(i) / steps
			tab[i] = 1
			if x > 0 {
				tab[i] = 2 * math.J1(x) / x
			}
		}
		scale := 2 * math.Pi * p.radius / maxX * steps
		return func(u, v int) float64 {
			t := math.Hypot(fx[u], fy[v]) * scale
			i := int(t)
			return tab[i] + (t-float64(i))*(tab[i+1]-tab[i])
		}
	}
	c, s := math.Cos(p.angle), math.Sin(p.angle)
	a, sa, ca := make([]float64, len(fx)), make([]float64, len(fx)), make([]float64, len(fx))
	for u, f := range fx {
		a[u] = math.Pi * p.length * c * f
		sa[u], ca[u] = math.Sincos(a[u])
	}
	b, sb, cb := make([]float64, len(fy)), make([]float64, len(fy)), make([]float64, len(fy))
	for v, f := range fy {
		b[v] = math.Pi * p.length * s * f
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

// deconvolve returns the Wiener estimate of the sharp crop under p: each frequency
// divided by the transfer function, damped where the transfer function is weak
// against nsr (the noise-to-signal power ratio).
func (s *spectrum) deconvolve(p psf, nsr float64) *gray {
	return s.deconvolveEach([]blurCandidate{{p, nsr}})[0]
}

// deconvolveEach returns the Wiener estimates under one or two candidates from a
// single inverse transform: each filtered spectrum is Hermitian (a real, symmetric
// transfer function times a real image's spectrum), so the first plus i times the
// second transforms back to the first's image in the real parts and the second's
// in the imaginary parts.
func (s *spectrum) deconvolveEach(cands []blurCandidate) []*gray {
	f := make([]complex128, len(s.f))
	fx, fy := freqs(s.pw), freqs(s.ph)
	for i, c := range cands[:min(len(cands), 2)] {
		otf := c.p.otfFunc(fx, fy)
		scale := complex(1, 0)
		if i == 1 {
			scale = complex(0, 1)
		}
		for v := 0; v < s.ph; v++ {
			row := s.f[v*s.pw : (v+1)*s.pw]
			dst := f[v*s.pw : (v+1)*s.pw]
			for u, x := range row {
				h := otf(u, v)
				dst[u] += x * scale * complex(h/(h*h+c.nsr), 0)
			}
		}
	}
	fft2(f, s.pw, s.ph, s.h, true)
	out := make([]*gray, min(len(cands), 2))
	for i := range out {
		o := newGray(s.w, s.h)
		for y := 0; y < s.h; y++ {
			row := f[y*s.pw : y*s.pw+s.w]
			for x, z := range row {
				v := real(z)
				if i == 1 {
					v = imag(z)
				}
				o.pix[y*s.w+x] = byte(min(255, max(0, math.Round(v))))
			}
		}
		out[i] = o
	}
	return out
}

// blurDirection returns the direction (radians from the x axis, in [0, π)) along
// which g's gradients are weakest, and how anisotropic they are: 1 - λmin/λmax of
// the gradient structure tensor. A code's own edges run along its two axes in equal
// amounts, so its tensor is nearly isotropic; a motion blur weakens the gradients
// along the motion, and its direction is the tensor's minor eigenvector.
func blurDirection(g *gray) (angle, anisotropy float64) {
	w, h := g.Width, g.Height
	var jxx, jyy, jxy float64
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			gx := float64(g.pix[i+1]) - float64(g.pix[i-1])
			gy := float64(g.pix[i+w]) - float64(g.pix[i-w])
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

// motionLength estimates the length, in pixels, of a motion blur along angle: the
// derivative along the motion of a line-blurred image is the sharp image minus
// itself shifted by the blur's length, so its autocorrelation dips to its minimum
// at that lag (or at a module, whichever is longer). It returns the lag of the
// minimum between 2 and maxLen.
func motionLength(g *gray, angle float64, maxLen int) float64 {
	w, h := g.Width, g.Height
	c, s := math.Cos(angle), math.Sin(angle)
	d := make([]float32, w*h)
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			gx := float64(g.pix[i+1]) - float64(g.pix[i-1])
			gy := float64(g.pix[i+w]) - float64(g.pix[i-w])
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
