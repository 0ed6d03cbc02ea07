package detect

// Piecewise sampling, after zbar's QR decoder (Terriberry's qrdec): gozxing samples a
// whole symbol through one perspective transform fitted to three finder patterns and
// one alignment pattern, so a fold's step or tilt, or a crumple, across the code moves
// half the grid off its modules. For version 7 and up a code has a grid of alignment
// patterns (3×3 at version 7, 4×4 from 14, 5×5 from 21 ...); ReadPiecewise locates each
// of them near where its already-found neighbours predict it, then samples every cell
// of that grid through its own transform from its four corner points, so a distortion
// only disturbs the cells it crosses. The grid is decoded by gozxing's decoder, whose
// Reed-Solomon check decides (and which also tries the mirrored reading).

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

// pwAllowances are the search radii, in module sizes, around a predicted alignment
// pattern centre: a tight one first (a data area has 1:1:1 runs that the finder can
// mistake for an alignment pattern), then a wider one for a fold's step of a few
// modules.
var pwAllowances = []float64{2.5, 5}

// ReadPiecewise looks for finder pattern candidates in the binarized img and, for each
// plausible triple and dimension of version 7 or more, samples the grid piecewise
// between its alignment patterns and decodes it.
func ReadPiecewise(img *raster.Gray, global bool, b *work.Budget) ([]string, error) {
	return readTriples(img, global, b, tryPiecewise)
}

// tryPiecewise decodes the code whose finder patterns would be a, b and c with
// piecewise sampling, for the estimated dimension and its 4k+1 neighbours.
func tryPiecewise(bm *gozxing.BitMatrix, dec *qrdecoder.Decoder, a, b, c *detector.FinderPattern, attempts *int) (string, bool) {
	tl, tr, bl, dim0, ok := orderTriple(a, b, c)
	if !ok {
		return "", false
	}
	// The finders' module sizes, and so dim0, are least reliable under the steep
	// perspective that piecewise sampling corrects: try as far as ReadFinders does.
	dims := dimsAround(dim0)
	for _, dim := range dims {
		if dim < 45 || dim > 177 { // version 7 (45 modules) is the first with an alignment grid
			continue
		}
		*attempts++
		if text, ok := piecewiseDecode(bm, dec, tl, tr, bl, dim, nil); ok {
			return text, true
		}
	}
	// Under a steep tilt the parallelogram sends the search for the first alignment
	// patterns into the data: start again from the finders' foreshortening. Only
	// after the cheaper search failed, and only for a code visibly foreshortened.
	for _, dim := range dims {
		if dim < 45 || dim > 177 {
			continue
		}
		tf, ok := keystoneTransform(bm, tl, tr, bl, dim)
		if !ok {
			break // the foreshortening does not depend on dim
		}
		*attempts++
		if text, ok := piecewiseDecode(bm, dec, tl, tr, bl, dim, tf); ok {
			return text, true
		}
	}
	return "", false
}

// dimsAround returns dim0 and the valid sizes (4k+1) within finderDimSpread modules
// of it, nearest first.
func dimsAround(dim0 int) []int {
	dims := []int{dim0}
	for spread := 4; spread <= finderDimSpread; spread += 4 {
		dims = append(dims, dim0-spread, dim0+spread)
	}
	return dims
}

// pwPoint is a corner of the alignment grid: its position in module coordinates (a
// module's centre is at +0.5), in the image, and whether it was found in the image
// (finder or alignment pattern) rather than only predicted.
type pwPoint struct {
	mx, my, x, y float64
	found        bool
}

// alignmentGrid returns the corner points of the piecewise grid of a dim-module code
// with finder centres tl, tr and bl: finder centres at the three finder corners and
// alignment pattern centres elsewhere, located in bm. It returns nil when the version
// has no alignment grid beyond the single bottom-right pattern.
func alignmentGrid(bm *gozxing.BitMatrix, tl, tr, bl *detector.FinderPattern, dim int, tf *common.PerspectiveTransform) [][]pwPoint {
	ver, err := qrdecoder.Version_GetProvisionalVersionForDimension(dim)
	if err != nil {
		return nil
	}
	cs := ver.GetAlignmentPatternCenters()
	k := len(cs)
	if k < 3 {
		return nil
	}
	if tf == nil {
		tf = detector.Detector_createTransform(tl, tr, bl, nil, dim)
	}
	ms := (tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 3
	g := make([][]pwPoint, k) // g[row][col]
	for j := range g {
		g[j] = make([]pwPoint, k)
		for i := range g[j] {
			g[j][i] = pwPoint{mx: float64(cs[i]) + 0.5, my: float64(cs[j]) + 0.5}
		}
	}
	last, far := k-1, float64(dim)-3.5
	g[0][0] = pwPoint{mx: 3.5, my: 3.5, x: tl.GetX(), y: tl.GetY(), found: true}
	g[0][last] = pwPoint{mx: far, my: 3.5, x: tr.GetX(), y: tr.GetY(), found: true}
	g[last][0] = pwPoint{mx: 3.5, my: far, x: bl.GetX(), y: bl.GetY(), found: true}
	// Visit the others outward from the top left, so each has found neighbours
	// toward the finders to correct the global prediction with.
	type ij struct{ i, j int }
	var order []ij
	for j := 0; j < k; j++ {
		for i := 0; i < k; i++ {
			if !g[j][i].found {
				order = append(order, ij{i, j})
			}
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		sa, sb := order[a].i+order[a].j, order[b].i+order[b].j
		if sa != sb {
			return sa < sb
		}
		return abs(order[a].i-order[a].j) < abs(order[b].i-order[b].j)
	})
	pt := []float64{0, 0}
	for _, o := range order {
		p := &g[o.j][o.i]
		// Once the patterns found pin the perspective down, predict from the
		// transform fitted to them: the parallelogram of the three finders is
		// modules off on the far side of a steeply tilted code.
		pred, pms := tf, ms
		if fit, ok := fitPerspective(g, dim); ok {
			pred, pms = fit, moduleSizeAt(fit, p.mx, p.my)
		}
		pt[0], pt[1] = p.mx, p.my
		pred.TransformPoints(pt)
		// Correct the global prediction by the mean error it makes at the found
		// neighbours (a fold's step shows up there first).
		var dx, dy, n float64
		for dj := -1; dj <= 1; dj++ {
			for di := -1; di <= 1; di++ {
				i, j := o.i+di, o.j+dj
				if i < 0 || j < 0 || i >= k || j >= k || (di == 0 && dj == 0) || !g[j][i].found {
					continue
				}
				q := []float64{g[j][i].mx, g[j][i].my}
				pred.TransformPoints(q)
				dx += g[j][i].x - q[0]
				dy += g[j][i].y - q[1]
				n++
			}
		}
		if n > 0 {
			pt[0] += dx / n
			pt[1] += dy / n
		}
		p.x, p.y = pt[0], pt[1]
		for _, allow := range pwAllowances {
			if ap := findAlignment(bm, pms, p.x, p.y, allow*pms); ap != nil {
				p.x, p.y, p.found = ap.GetX(), ap.GetY(), true
				break
			}
		}
	}
	return g
}

// piecewiseDecode samples the dim×dim grid cell by cell of the alignment grid and
// decodes it; the decoder's Reed-Solomon check decides.
func piecewiseDecode(bm *gozxing.BitMatrix, dec *qrdecoder.Decoder, tl, tr, bl *detector.FinderPattern, dim int, tf *common.PerspectiveTransform) (string, bool) {
	g := alignmentGrid(bm, tl, tr, bl, dim, tf)
	if g == nil {
		return "", false
	}
	if bits, ok := samplePiecewise(bm, g, dim); ok {
		res, err := dec.Decode(bits, decodeHints)
		if err == nil && res != nil && res.GetText() != "" {
			return res.GetText(), true
		}
	}
	// A flat code under strong perspective: one transform fitted to every pattern
	// found, which a wrongly placed pattern in one cell does not break.
	if fit, ok := fitPerspective(g, dim); ok {
		return sampleDecode(bm, dec, fit, dim)
	}
	return "", false
}

// samplePiecewise samples each module of a dim×dim code through the perspective
// transform of the grid cell it lies in (the cell's four corners in module
// coordinates mapped to theirs in the image). It fails if a module falls outside bm.
func samplePiecewise(bm *gozxing.BitMatrix, g [][]pwPoint, dim int) (*gozxing.BitMatrix, bool) {
	bits, err := gozxing.NewBitMatrix(dim, dim)
	if err != nil {
		return nil, false
	}
	k := len(g)
	// bounds[c] is the first module row/column of cell c: cell c spans the modules
	// from the alignment centre starting it up to the next one; the outer cells
	// reach the symbol's edges.
	bounds := make([]int, k)
	for c := 1; c < k-1; c++ {
		bounds[c] = int(g[0][c].mx) // the alignment centre module (mx = centre + 0.5)
	}
	bounds[k-1] = dim
	w, h := bm.GetWidth(), bm.GetHeight()
	pt := []float64{0, 0}
	for cj := 0; cj < k-1; cj++ {
		for ci := 0; ci < k-1; ci++ {
			p0, p1, p2, p3 := g[cj][ci], g[cj][ci+1], g[cj+1][ci+1], g[cj+1][ci]
			tf := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
				p0.mx, p0.my, p1.mx, p1.my, p2.mx, p2.my, p3.mx, p3.my,
				p0.x, p0.y, p1.x, p1.y, p2.x, p2.y, p3.x, p3.y)
			for y := bounds[cj]; y < bounds[cj+1]; y++ {
				for x := bounds[ci]; x < bounds[ci+1]; x++ {
					pt[0], pt[1] = float64(x)+0.5, float64(y)+0.5
					tf.TransformPoints(pt)
					px, py := int(math.Floor(pt[0])), int(math.Floor(pt[1]))
					if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || px < -1 || py < -1 || px > w || py > h {
						return nil, false
					}
					// Nudge points one pixel outside, as gozxing's sampler does.
					px, py = min(max(px, 0), w-1), min(max(py, 0), h-1)
					if bm.Get(px, py) {
						bits.Set(x, y)
					}
				}
			}
		}
	}
	return bits, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
