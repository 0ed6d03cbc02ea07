package detect

// Deconvolution for webcam frames: a fixed-focus webcam spreads each
// point over a disc, a moving hand over a line. The sharpen prefilter's unsharp
// mask undoes a little of either; when it is not enough, the crop around the code is deconvolved
// with a Wiener filter for a few candidate point-spread functions — a line along the
// direction whose gradients the blur weakened, a disc of a few module fractions —
// and each result goes through the ordinary finder and sampling path. Only a decode
// that passes Reed-Solomon counts, so a wrong guess reads nothing rather than
// something wrong.

import (
	"math/bits"

	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

const (
	// deblurMaxArea is the largest padded crop deconvolved: 1024×1024, two planes
	// of complex128 (32 MB), enough for the code's crop in a 1280×720 or
	// 1920×1080 webcam frame; larger crops are phone photos or page scans, whose
	// blur the other strategies handle.
	deblurMaxArea = 1024 * 1024
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
func blurCandidates(g *raster.Gray, moduleSize float64) []raster.Filter {
	angle, aniso := raster.BlurDirection(g)
	var lines, discs []raster.Filter
	if moduleSize > 0 || aniso >= deblurMotionAnisotropy {
		n := raster.MotionLength(g, angle, deblurMaxLen)
		for _, dl := range []float64{0, -1, 1} {
			if l := n + dl; l >= 2 && n < deblurMaxLen {
				lines = append(lines, raster.Filter{PSF: raster.PSF{Length: l, Angle: angle}, NSR: nsrMotion})
			}
		}
	}
	if moduleSize >= deblurMinModule {
		for _, r := range []float64{0.75 * moduleSize, 0.6 * moduleSize} {
			discs = append(discs, raster.Filter{PSF: raster.PSF{Radius: r}, NSR: nsrDisc})
		}
	}
	first, second := discs, lines
	if aniso >= deblurMotionAnisotropy {
		first, second = lines, discs
	}
	var out []raster.Filter
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

// ReadDeblurred deconvolves crop img with each of blurCandidates in turn and reads
// the result with ReadFinders, then ReadPiecewise, stopping at the first code. A
// crop whose padded size is over deblurMaxArea is left alone. It checks b before
// every candidate and charges it for the transforms.
func ReadDeblurred(img *raster.Gray, global bool, b *work.Budget) ([]string, error) {
	pw, ph := raster.FFTSideAtLeast(img.Width+8), raster.FFTSideAtLeast(img.Height+8)
	if pw*ph > deblurMaxArea || img.Width < 21 || img.Height < 21 {
		return nil, nil
	}
	// The blur and module size estimates are about three passes over the crop;
	// the spectrum is one transform.
	if !b.Spend(3 * int64(len(img.Pix))) {
		return nil, nil
	}
	cands := blurCandidates(img, ModuleSize(img, b))
	if len(cands) == 0 || !b.Spend(fftWork(pw*ph)) {
		return nil, nil
	}
	sp := raster.NewSpectrum(img)
	// Candidates go two at a time through one inverse transform.
	for i := 0; i < len(cands); i += 2 {
		if !b.Spend(fftWork(pw * ph)) {
			return nil, nil
		}
		for _, sharp := range sp.DeconvolveEach(cands[i:]) {
			for _, read := range []func(*raster.Gray, bool, *work.Budget) ([]string, error){ReadFinders, ReadPiecewise} {
				codes, err := read(sharp, global, b)
				if len(codes) > 0 || err != nil || !b.OK() {
					return codes, err
				}
			}
		}
	}
	return nil, nil
}
