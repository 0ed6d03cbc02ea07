package detect

// A second detector for codes that gozxing's own detector finds but cannot sample:
// steep perspective (the three finder patterns then have different module sizes and
// the bottom-right corner is not where a parallelogram puts it), a dimension
// misestimated by a module or two on large versions, or finder patterns that only
// reach "candidate" status. It reuses gozxing's exported pieces — the finder pattern
// finder's candidate centres, the alignment pattern finder, the perspective transform,
// the grid sampler and the decoder with its Reed-Solomon check — and tries the
// plausible combinations instead of the single best guess.

import (
	"errors"
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"passport/verify/scan/internal/guard"
	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

const (
	// finderMaxCentres is how many finder pattern candidates (most confirmed first)
	// are combined into triples: 7 gives 35 triples, enough for a code's three
	// patterns plus some look-alikes in text and noise, at a bounded cost.
	finderMaxCentres = 7
	// FinderMaxAttempts bounds grid samplings per image (each is a sampling and a
	// decode, well under a millisecond for the versions passports use).
	FinderMaxAttempts = 600
	// finderDimSpread is how far, in modules, from the estimated dimension the
	// sizes tried go (in steps of 4, the valid 4k+1 sizes): perspective makes the
	// estimate from mean module size off by several modules.
	finderDimSpread = 8
)

// ReadFinders looks for finder pattern candidates in the binarized img and tries to
// decode every plausible triple with several dimensions and alignment patterns. Only
// decodes that pass the QR Reed-Solomon check (done by gozxing's decoder) count.
func ReadFinders(img *raster.Gray, global bool, b *work.Budget) (codes []string, err error) {
	return readTriples(img, global, b, tryTriple)
}

// tripleFunc tries to decode the code whose finder patterns would be a, b and c,
// counting its grid samplings in attempts.
type tripleFunc func(bm *gozxing.BitMatrix, dec *qrdecoder.Decoder, a, b, c *detector.FinderPattern, attempts *int) (string, bool)

// readTriples binarizes img, collects the finder pattern candidates (bounded by
// finderCandidates) and calls try on every triple of the most confirmed ones until
// one decodes, FinderMaxAttempts samplings have been spent or b runs out.
func readTriples(img *raster.Gray, global bool, b *work.Budget, try tripleFunc) (codes []string, err error) {
	defer func() {
		if errors.Is(err, guard.ErrForeignPanic) {
			codes, err = nil, nil // a gozxing panic on odd geometry: nothing read
		}
	}()
	defer guard.Catch(&err, false)
	bm, err := binarize(img, global, b)
	if bm == nil || err != nil {
		return nil, err
	}
	cs := bestCandidates(finderCandidates(bm, b), finderMaxCentres)
	if len(cs) < 3 {
		return nil, nil
	}
	attempts, charged := 0, 0
	dec := qrdecoder.NewDecoder()
	for i := 0; i < len(cs); i++ {
		for j := i + 1; j < len(cs); j++ {
			for k := j + 1; k < len(cs); k++ {
				if text, ok := try(bm, dec, cs[i], cs[j], cs[k], &attempts); ok {
					return []string{text}, nil
				}
				// Each attempt is an alignment search and a grid sampling of at
				// most a version-40 code.
				ms := cs[i].GetEstimatedModuleSize()
				if !b.Spend(int64(attempts-charged) * (int64(256*ms*ms) + 177*177)) {
					return nil, nil
				}
				charged = attempts
				if attempts >= FinderMaxAttempts {
					return nil, nil
				}
			}
		}
	}
	return nil, nil
}

// tryTriple decodes the code whose finder patterns would be a, b and c.
func tryTriple(bm *gozxing.BitMatrix, dec *qrdecoder.Decoder, a, b, c *detector.FinderPattern, attempts *int) (string, bool) {
	tl, tr, bl, dim0, ok := orderTriple(a, b, c)
	if !ok {
		return "", false
	}
	for spread := 0; spread <= finderDimSpread; spread += 4 {
		for _, dim := range []int{dim0 - spread, dim0 + spread} {
			if spread == 0 && dim != dim0-spread {
				continue
			}
			if dim < 21 || dim > 177 {
				continue
			}
			ver, err := qrdecoder.Version_GetProvisionalVersionForDimension(dim)
			if err != nil {
				continue
			}
			var aligns []*detector.AlignmentPattern
			if len(ver.GetAlignmentPatternCenters()) > 0 {
				// Where the bottom-right alignment pattern (module dim-6.5) should
				// be: on a parallelogram (k = 0), and under perspective estimated
				// from the module sizes (k = 1, 2; see alignmentEstimate).
				u := float64(dim-10) / float64(dim-7)
				for _, k := range []float64{2, 0, 1} {
					ex, ey, ms := alignmentEstimate(tl, tr, bl, u, k)
					if !containsPoint(aligns, ex, ey, ms) {
						aligns = append(aligns, detector.NewAlignmentPattern(ex, ey, ms))
					}
					for _, allow := range []float64{4, 8, 16} {
						ap := findAlignment(bm, ms, ex, ey, allow*ms)
						if ap != nil && !containsPoint(aligns, ap.GetX(), ap.GetY(), ms) {
							aligns = append(aligns, ap)
						}
					}
				}
			}
			aligns = append(aligns, nil) // also without: the made-up parallelogram corner
			for _, ap := range aligns {
				*attempts++
				tf := detector.Detector_createTransform(tl, tr, bl, ap, dim)
				if text, ok := sampleDecode(bm, dec, tf, dim); ok {
					return text, true
				}
			}
		}
	}
	return "", false
}

// orderTriple orders a, b and c as the top-left, top-right and bottom-left finder
// patterns and estimates the symbol's dimension (a 4k+1 size); ok is false when the
// three cannot be one code's finder patterns.
func orderTriple(a, b, c *detector.FinderPattern) (tl, tr, bl *detector.FinderPattern, dim0 int, ok bool) {
	p0, p1, p2 := gozxing.ResultPoint_OrderBestPatterns(a, b, c)
	bl, tl, tr = p0.(*detector.FinderPattern), p1.(*detector.FinderPattern), p2.(*detector.FinderPattern)
	dTR := gozxing.ResultPoint_Distance(tl, tr)
	dBL := gozxing.ResultPoint_Distance(tl, bl)
	msTL, msTR, msBL := tl.GetEstimatedModuleSize(), tr.GetEstimatedModuleSize(), bl.GetEstimatedModuleSize()
	lo, hi := min(msTL, msTR, msBL), max(msTL, msTR, msBL)
	// Plausible geometry: sides within a factor 2 (a 60° tilt), module sizes within a
	// factor 2, angle at the top left between 45° and 135°.
	if lo < 0.5 || hi > 2*lo || dTR > 2*dBL || dBL > 2*dTR {
		return nil, nil, nil, 0, false
	}
	ux, uy := (tr.GetX()-tl.GetX())/dTR, (tr.GetY()-tl.GetY())/dTR
	vx, vy := (bl.GetX()-tl.GetX())/dBL, (bl.GetY()-tl.GetY())/dBL
	if math.Abs(ux*vx+uy*vy) > math.Sqrt2/2 {
		return nil, nil, nil, 0, false
	}
	// Modules between centres along each side, from the module sizes at its ends.
	m := (dTR/((msTL+msTR)/2) + dBL/((msTL+msBL)/2)) / 2
	dim0 = int(math.Round(m)) + 7
	dim0 = (dim0-1+2)/4*4 + 1 // nearest 4k+1
	return tl, tr, bl, dim0, true
}

// findAlignment looks for an alignment pattern of module size ms within allow pixels
// of (x, y).
func findAlignment(bm *gozxing.BitMatrix, ms, x, y, allow float64) *detector.AlignmentPattern {
	w, h := bm.GetWidth(), bm.GetHeight()
	x0, y0 := max(int(x-allow), 0), max(int(y-allow), 0)
	x1, y1 := min(int(x+allow), w-1), min(int(y+allow), h-1)
	if float64(x1-x0) < 3*ms || float64(y1-y0) < 3*ms {
		return nil
	}
	ap, err := detector.NewAlignmentPatternFinder(bm, x0, y0, x1-x0, y1-y0, ms, nil).Find()
	if err != nil {
		return nil
	}
	return ap
}

// containsPoint reports whether aps has a point within a module (ms) of (x, y).
func containsPoint(aps []*detector.AlignmentPattern, x, y, ms float64) bool {
	for _, q := range aps {
		if q != nil && math.Hypot(q.GetX()-x, q.GetY()-y) < ms {
			return true
		}
	}
	return false
}

// alignmentEstimate predicts where grid point (u, u) lies — u in units of the
// distance between finder centres, from the top left — and the module size there.
// A homography is A(u, v)/w(u, v) with A affine and w = 1 + g·u + h·v; a module's
// apparent size falls as 1/w^k (k = 2 along a line, less across it), so each
// finder's module size gives w at its centre relative to the top left's. k = 0 is
// the parallelogram guess of gozxing's detector.
func alignmentEstimate(tl, tr, bl *detector.FinderPattern, u, k float64) (x, y, ms float64) {
	msTL := tl.GetEstimatedModuleSize()
	wTR, wBL := 1.0, 1.0
	if k > 0 {
		wTR = math.Pow(msTL/tr.GetEstimatedModuleSize(), 1/k)
		wBL = math.Pow(msTL/bl.GetEstimatedModuleSize(), 1/k)
	}
	ax := tl.GetX() + u*(tr.GetX()*wTR-tl.GetX()) + u*(bl.GetX()*wBL-tl.GetX())
	ay := tl.GetY() + u*(tr.GetY()*wTR-tl.GetY()) + u*(bl.GetY()*wBL-tl.GetY())
	w := 1 + u*(wTR-1) + u*(wBL-1)
	if w < 0.2 { // degenerate: fall back to the parallelogram
		return alignmentEstimate(tl, tr, bl, u, 0)
	}
	ms = msTL / math.Pow(w, max(k, 1))
	if k == 0 {
		ms = (tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 2
	}
	return ax / w, ay / w, ms
}

// sampleDecode samples the dim×dim grid through tf and decodes it; the decoder's
// Reed-Solomon check decides.
func sampleDecode(bm *gozxing.BitMatrix, dec *qrdecoder.Decoder, tf *common.PerspectiveTransform, dim int) (string, bool) {
	bits, err := detector.Detector_sampleGrid(bm, tf, dim)
	if err != nil {
		return "", false
	}
	res, err := dec.Decode(bits, decodeHints)
	if err != nil || res == nil || res.GetText() == "" {
		return "", false
	}
	return res.GetText(), true
}
