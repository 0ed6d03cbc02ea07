package detect

import (
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/common"
)

// The geometry of a 12 MP phone photo at a 20–30° tilt that ZXingReader read and we did
// not (scaled to 0.4): the near finders are a quarter wider than the far one, so the
// parallelogram of the finders puts the alignment pattern below the top-left finder
// five modules off, where the search matches a data look-alike and every later
// prediction follows it.
var steepQuad = [8]float64{65.6, 216.8, 564.8, 59.6, 772.4, 596, 94.4, 742.4}

func TestReadPiecewiseSteepKeystone(t *testing.T) {
	text := payload(670, 15) // version 17, 85 modules, a 4×4 alignment grid
	if n := len(qrModules(t, text)); n != 85 {
		t.Fatalf("test payload gives %d modules, want 85 (version 17)", n)
	}
	g := toGray(keystoned(t, text, 850, 850, steepQuad))
	codes, err := ReadPiecewise(g, false, unlimited())
	if err != nil || len(codes) != 1 || codes[0] != text {
		t.Fatalf("ReadPiecewise on a code with strongly foreshortened edges: %d codes, %v", len(codes), err)
	}
}

// keystoneTransform, from the three finders alone, predicts the alignment patterns of
// the steep keystone within 1.5 modules (well inside the tight search radius,
// pwAllowances[0]), where the parallelogram is about five modules off.
func TestKeystoneTransformPredictsAlignment(t *testing.T) {
	text := payload(670, 15)
	const dim = 85
	g := toGray(keystoned(t, text, 850, 850, steepQuad))
	bm, err := binarize(g, false, unlimited())
	if err != nil || bm == nil {
		t.Fatalf("binarize: %v", err)
	}
	cs := bestCandidates(finderCandidates(bm, unlimited()), finderMaxCentres)
	if len(cs) < 3 {
		t.Fatalf("%d finder candidates, want 3", len(cs))
	}
	tl, tr, bl, _, ok := orderTriple(cs[0], cs[1], cs[2])
	if !ok {
		t.Fatal("finder candidates do not form a code's triple")
	}
	tf, ok := keystoneTransform(bm, tl, tr, bl, dim)
	if !ok {
		t.Fatal("keystoneTransform: no estimate for a strongly foreshortened code")
	}
	q := steepQuad
	truth := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		0, 0, dim, 0, dim, dim, 0, dim, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7])
	for _, m := range [][2]float64{{6.5, 30.5}, {6.5, 54.5}, {30.5, 30.5}, {78.5, 78.5}} {
		got, want := []float64{m[0], m[1]}, []float64{m[0], m[1]}
		tf.TransformPoints(got)
		truth.TransformPoints(want)
		ms := moduleSizeAt(truth, m[0], m[1])
		if d := math.Hypot(got[0]-want[0], got[1]-want[1]); d > 1.5*ms {
			t.Errorf("module %v predicted at (%.1f, %.1f), it is at (%.1f, %.1f): %.1f px off, more than 1.5 modules (%.1f px a module)",
				m, got[0], got[1], want[0], want[1], d, ms)
		}
	}
}
