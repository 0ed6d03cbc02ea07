package detect

// A perspective transform fitted by least squares to every finder and alignment
// pattern found so far. Under strong keystone (a phone held at 20–30° to the page) the
// parallelogram that three finder patterns span puts the far side of a code several
// modules off, and so does a guess of the fourth corner from the finders' averaged
// module sizes (keystone.go measures each finder's width along each edge instead,
// which is accurate enough to seed the grid); the alignment patterns found near the
// finders pin the perspective down, and
// a transform fitted to them predicts the far ones, and the far corner, to within a
// module.

import (
	"math"

	"github.com/makiuchi-d/gozxing/common"
)

// fitPerspective fits the homography from module coordinates (mx, my) to image
// coordinates (x, y) of the found points of g, and returns it as the transform of a
// dim-module symbol. ok is false when the found points cannot determine a
// perspective: fewer than five, none off the top row, left column and the diagonal
// through the top-right and bottom-left finders (where four points are collinear
// in threes), or a numerically singular fit.
func fitPerspective(g [][]pwPoint, dim int) (tf *common.PerspectiveTransform, ok bool) {
	k := len(g)
	var pts []pwPoint
	general := false
	for j := range g {
		for i := range g[j] {
			if !g[j][i].found {
				continue
			}
			pts = append(pts, g[j][i])
			if i > 0 && j > 0 && i+j != k-1 {
				general = true
			}
		}
	}
	if len(pts) < 5 || !general {
		return nil, false
	}
	// Normalise both sides to about unit size so the normal equations are well
	// conditioned: module coordinates by dim, image coordinates about their centroid.
	var cx, cy float64
	for _, p := range pts {
		cx += p.x
		cy += p.y
	}
	cx /= float64(len(pts))
	cy /= float64(len(pts))
	var spread float64
	for _, p := range pts {
		spread += math.Hypot(p.x-cx, p.y-cy)
	}
	spread /= float64(len(pts))
	if spread <= 0 {
		return nil, false
	}
	d := float64(dim)
	// x = (h0·u + h1·v + h2) / (h6·u + h7·v + 1), y likewise with h3..h5: each point
	// gives two equations linear in h.
	var ata [8][8]float64
	var atb [8]float64
	add := func(row [8]float64, rhs float64) {
		for r := 0; r < 8; r++ {
			for c := 0; c < 8; c++ {
				ata[r][c] += row[r] * row[c]
			}
			atb[r] += row[r] * rhs
		}
	}
	for _, p := range pts {
		u, v := p.mx/d, p.my/d
		x, y := (p.x-cx)/spread, (p.y-cy)/spread
		add([8]float64{u, v, 1, 0, 0, 0, -u * x, -v * x}, x)
		add([8]float64{0, 0, 0, u, v, 1, -u * y, -v * y}, y)
	}
	h, ok := solve8(ata, atb)
	if !ok {
		return nil, false
	}
	// The transform through the symbol's four corners is the fitted homography.
	corner := func(u, v float64) (float64, float64, bool) {
		w := h[6]*u + h[7]*v + 1
		if w < 0.1 { // the fit folds the symbol over: not a view of a plane
			return 0, 0, false
		}
		return (h[0]*u+h[1]*v+h[2])/w*spread + cx, (h[3]*u+h[4]*v+h[5])/w*spread + cy, true
	}
	var q [8]float64
	for n, c := range [][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}} {
		x, y, ok := corner(c[0], c[1])
		if !ok {
			return nil, false
		}
		q[2*n], q[2*n+1] = x, y
	}
	return common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		0, 0, d, 0, d, d, 0, d, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]), true
}

// solve8 solves a·x = b by Gaussian elimination with partial pivoting; ok is false
// when a is (nearly) singular.
func solve8(a [8][8]float64, b [8]float64) (x [8]float64, ok bool) {
	var scale float64
	for r := range a {
		for c := range a[r] {
			scale = max(scale, math.Abs(a[r][c]))
		}
	}
	if scale == 0 {
		return x, false
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-9*scale {
			return x, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < 8; r++ {
			f := a[r][c] / a[c][c]
			for cc := c; cc < 8; cc++ {
				a[r][cc] -= f * a[c][cc]
			}
			b[r] -= f * b[c]
		}
	}
	for r := 7; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < 8; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return x, false
		}
	}
	return x, true
}

// moduleSizeAt is the size of a module at (mx, my) under tf: the mean of the image
// distances one module right and one module down.
func moduleSizeAt(tf *common.PerspectiveTransform, mx, my float64) float64 {
	p := []float64{mx, my, mx + 1, my, mx, my + 1}
	tf.TransformPoints(p)
	return (math.Hypot(p[2]-p[0], p[3]-p[1]) + math.Hypot(p[4]-p[0], p[5]-p[1])) / 2
}
