package detect

// The bounded detector. gozxing's multi-code reader combines every finder-pattern
// candidate with every other (O(n³) triples) and samples each plausible triple, and
// its single-code reader also ranks all O(n³) triples: a 437-byte image tiled with
// finder-like squares gives hundreds of candidates and kept the reader busy for
// minutes. Here the row scan stops at maxFinderCandidates, only
// the finderKeep best candidates are combined, and at most MaxTriples triples are
// sampled per binarized image, so the cost is bounded by the candidate caps, not by
// what the image holds. The Reed-Solomon check of gozxing's decoder still decides
// what is read.

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"passport/verify/scan/internal/guard"
	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

// decodeHints ask the reader to spend more time looking (denser row scan).
var decodeHints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// finderCandidates scans every third row of bm for the 1:1:3:1:1 runs of a finder
// pattern (as gozxing's multi finder does when trying harder), confirms each with
// gozxing's vertical, horizontal and diagonal cross checks, and returns the merged
// candidates. It stops at maxFinderCandidates candidates or when b runs out, so its
// cost is one pass over bm plus a bounded number of cross checks.
func finderCandidates(bm *gozxing.BitMatrix, b *work.Budget) []*detector.FinderPattern {
	f := detector.NewFinderPatternFinder(bm, nil)
	maxI, maxJ := bm.GetHeight(), bm.GetWidth()
	const iSkip = detector.FinderPatternFinder_MIN_SKIP
	if !b.Spend(int64(maxI) * int64(maxJ) / iSkip) {
		return nil
	}
	stateCount := make([]int, 5)
	full := func() bool { return len(f.GetPossibleCenters()) >= maxFinderCandidates }
	for i, rows := iSkip-1, 0; i < maxI; i, rows = i+iSkip, rows+1 {
		if rows%64 == 63 && !b.OK() {
			return nil
		}
		detector.FinderPatternFinder_ClearCounts(stateCount)
		state := 0
		for j := 0; j < maxJ; j++ {
			if bm.Get(j, i) {
				if state&1 == 1 {
					state++
				}
				stateCount[state]++
				continue
			}
			if state&1 == 1 {
				stateCount[state]++
				continue
			}
			if state != 4 {
				state++
				stateCount[state]++
				continue
			}
			if detector.FinderPatternFinder_foundPatternCross(stateCount) && f.HandlePossibleCenter(stateCount, i, j) {
				if full() {
					return f.GetPossibleCenters()
				}
				state = 0
				detector.FinderPatternFinder_ClearCounts(stateCount)
			} else {
				detector.FinderPatternFinder_ShiftCounts2(stateCount)
				state = 3
			}
		}
		if detector.FinderPatternFinder_foundPatternCross(stateCount) {
			f.HandlePossibleCenter(stateCount, i, maxJ)
			if full() {
				break
			}
		}
	}
	return f.GetPossibleCenters()
}

// bestCandidates returns at most keep candidates: the most often confirmed (a real
// finder pattern is crossed by several scanned rows, a look-alike in data or text by
// one or two), ties broken by how close the module size is to the median of the
// confirmed ones, so a code's three patterns, which share a module size, stay together.
func bestCandidates(cs []*detector.FinderPattern, keep int) []*detector.FinderPattern {
	cs = append([]*detector.FinderPattern(nil), cs...)
	if len(cs) == 0 {
		return cs
	}
	sizes := make([]float64, len(cs))
	for i, c := range cs {
		sizes[i] = c.GetEstimatedModuleSize()
	}
	sort.Float64s(sizes)
	median := sizes[len(sizes)/2]
	dev := func(c *detector.FinderPattern) float64 {
		return math.Abs(math.Log(c.GetEstimatedModuleSize() / median))
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].GetCount() != cs[j].GetCount() {
			return cs[i].GetCount() > cs[j].GetCount()
		}
		return dev(cs[i]) < dev(cs[j])
	})
	if len(cs) > keep {
		cs = cs[:keep]
	}
	return cs
}

// triple is three candidates ordered as a code's bottom-left, top-left and top-right
// finder patterns, with how far they are from an isosceles right triangle.
type triple struct {
	info       *detector.FinderPatternInfo
	distortion float64 // 0 for a perfect triangle; relative, so size does not matter
	strict     bool    // passes gozxing's multi-code geometry test (10% tolerances)
}

// rankTriples returns the plausible triples of cs, least distorted first: module
// sizes within a factor 1.4 (gozxing's single reader), a module count between the
// finders that a QR version can have, and not more than 25% off a right isosceles
// triangle. At most MaxTriples are returned.
func rankTriples(cs []*detector.FinderPattern) []triple {
	var out []triple
	for i := 0; i < len(cs); i++ {
		for j := i + 1; j < len(cs); j++ {
			for k := j + 1; k < len(cs); k++ {
				if t, ok := makeTriple(cs[i], cs[j], cs[k]); ok {
					out = append(out, t)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].distortion < out[j].distortion })
	if len(out) > MaxTriples {
		out = out[:MaxTriples]
	}
	return out
}

func makeTriple(a, b, c *detector.FinderPattern) (triple, bool) {
	lo := min(a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize(), c.GetEstimatedModuleSize())
	hi := max(a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize(), c.GetEstimatedModuleSize())
	if lo <= 0 || hi > 1.4*lo {
		return triple{}, false
	}
	p0, p1, p2 := gozxing.ResultPoint_OrderBestPatterns(a, b, c)
	bl, tl, tr := p0.(*detector.FinderPattern), p1.(*detector.FinderPattern), p2.(*detector.FinderPattern)
	dA := gozxing.ResultPoint_Distance(tl, bl)
	dB := gozxing.ResultPoint_Distance(tl, tr)
	dC := gozxing.ResultPoint_Distance(tr, bl)
	if dA <= 0 || dB <= 0 || dC <= 0 {
		return triple{}, false
	}
	modules := (dA + dB) / (2 * (lo + hi) / 2)
	if modules < 9 || modules > 180 {
		return triple{}, false
	}
	sides := math.Abs(dA-dB) / math.Min(dA, dB)
	hyp := math.Sqrt(dA*dA + dB*dB)
	diag := math.Abs(dC-hyp) / math.Min(dC, hyp)
	if sides > 0.25 || diag > 0.25 {
		return triple{}, false
	}
	return triple{
		info:       detector.NewFinderPatternInfo(bl, tl, tr),
		distortion: sides + diag,
		strict:     sides < 0.1 && diag < 0.1,
	}, true
}

// Read binarizes img once and reads the QR codes whose finder patterns it can
// find, within the candidate and triple caps. After the first code is read, only
// triples that share no finder pattern with a code already read and pass the strict
// geometry test are tried, so a page with several codes yields them all and a page
// with one does not pay for every look-alike. It returns an error only for an
// internal reader failure, not for "nothing found".
func Read(img *raster.Gray, global bool, b *work.Budget) (codes []string, err error) {
	bm, err := binarize(img, global, b)
	if bm == nil || err != nil {
		return nil, err
	}
	cs := bestCandidates(finderCandidates(bm, b), finderKeep)
	if len(cs) < 3 || !b.OK() {
		return nil, nil
	}
	det := detector.NewDetector(bm)
	dec := qrdecoder.NewDecoder()
	used := map[*detector.FinderPattern]bool{}
	seen := map[string]bool{}
	for _, t := range rankTriples(cs) {
		if len(codes) > 0 && (!t.strict || used[t.info.GetTopLeft()] || used[t.info.GetTopRight()] || used[t.info.GetBottomLeft()]) {
			continue
		}
		text, ok := detectDecode(det, dec, t.info, b)
		if !b.OK() {
			break
		}
		if !ok {
			continue
		}
		used[t.info.GetTopLeft()], used[t.info.GetTopRight()], used[t.info.GetBottomLeft()] = true, true, true
		if !seen[text] {
			seen[text] = true
			codes = append(codes, text)
		}
	}
	return codes, nil
}

// Triple binarizes img (HybridBinarizer) and returns the most plausible finder
// pattern triple of one code, or ok false when none is seen or b runs out. Its
// cost is bounded like Read's candidate search: one binarization and one finder
// scan, charged to b.
func Triple(img *raster.Gray, b *work.Budget) (tl, tr, bl *detector.FinderPattern, ok bool) {
	bm, err := binarize(img, false, b)
	if bm == nil || err != nil {
		return nil, nil, nil, false
	}
	ts := rankTriples(bestCandidates(finderCandidates(bm, b), finderKeep))
	if len(ts) == 0 {
		return nil, nil, nil, false
	}
	return ts[0].info.GetTopLeft(), ts[0].info.GetTopRight(), ts[0].info.GetBottomLeft(), true
}

// detectDecode samples the code of one finder triple with gozxing's detector (which
// looks for the alignment pattern) and decodes it, turning a gozxing panic on odd
// geometry into "not read".
func detectDecode(det *detector.Detector, dec *qrdecoder.Decoder, info *detector.FinderPatternInfo, b *work.Budget) (text string, ok bool) {
	var err error
	defer func() {
		if err != nil {
			text, ok = "", false
		}
	}()
	defer guard.Catch(&err, false)
	// The alignment search covers up to (2·16 modules)² pixels; the sampling and
	// decode about a version-40 grid.
	ms := info.GetTopLeft().GetEstimatedModuleSize()
	if !b.Spend(int64(1024*ms*ms) + 177*177) {
		return "", false
	}
	dr, err := det.ProcessFinderPatternInfo(info)
	if err != nil {
		return "", false
	}
	res, err := dec.Decode(dr.GetBits(), decodeHints)
	if err != nil || res == nil || res.GetText() == "" {
		return "", false
	}
	return res.GetText(), true
}

// binarize returns img's black matrix with the hybrid or global binarizer, charging
// b for the pass; nil when the image is too small or b has run out.
func binarize(img *raster.Gray, global bool, b *work.Budget) (bm *gozxing.BitMatrix, err error) {
	defer func() {
		if err != nil {
			bm = nil
		}
	}()
	defer guard.Catch(&err, false)
	if !b.Spend(int64(len(img.Pix))) {
		return nil, nil
	}
	var bin gozxing.Binarizer
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(img)
	} else {
		bin = gozxing.NewHybridBinarizer(img)
	}
	bm, err = bin.GetBlackMatrix()
	if err != nil {
		return nil, nil // too small or flat: nothing to find
	}
	return bm, nil
}

// moduleSizeWork is the work of ModuleSize a pixel: a binarization and a
// finder scan.
const moduleSizeWork = 2

// ModuleSize returns the median module size, in pixels, of the three most
// confirmed finder pattern candidates of g, or 0 when fewer than three are found.
// Its caller pays for it beforehand: two passes over g (moduleSizeWork).
func ModuleSize(g *raster.Gray, parent *work.Budget) float64 {
	b := work.Prepaid(parent, moduleSizeWork*int64(len(g.Pix)))
	bm, err := binarize(g, false, b)
	if bm == nil || err != nil {
		return 0
	}
	cs := bestCandidates(finderCandidates(bm, b), 3)
	if len(cs) < 3 {
		return 0
	}
	ms := []float64{cs[0].GetEstimatedModuleSize(), cs[1].GetEstimatedModuleSize(), cs[2].GetEstimatedModuleSize()}
	sort.Float64s(ms)
	return ms[1]
}
