package scan

import (
	"os"
	"testing"
)

// A 1280×720 webcam frame (a scanbench small-class miss, seed 8): a version-17
// code about 180 px wide, 2.1 px a module, slightly blurred and JPEG-compressed.
// zxing-cpp and WeChat read it; before crop+up2+sharpen+piecewise every strategy of
// ours missed it, because at 2× bilinear the crop's finder patterns were too soft
// for the binarizer to find all three, and the whole frame's up2+sharpen, which
// finds them, sampled a grid that did not decode.
func TestImageSmallWebcamCode(t *testing.T) {
	data, err := os.ReadFile("testdata/small/webcam-small-04.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/small/webcam-small-04.jpg.txt")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Image(data)
	if err != nil || len(codes) != 1 || codes[0].Text+"\n" != string(want) {
		t.Fatalf("Image on a webcam frame at 2.1 px a module: %d codes, %v", len(codes), err)
	}
}

// A transform that enlarges charges the budget for the pixels it makes, not
// only for those it reads, so the work limit still bounds an expensive fallback.
func TestTransformChargesItsCost(t *testing.T) {
	g := newGray(100, 50)
	for _, tc := range []struct {
		cost, want int64
	}{{0, 5000}, {1, 5000}, {up2SharpenCost, up2SharpenCost * 5000}} {
		d := &decodeRun{b: unlimited()}
		out := d.transform(Strategy{transform: tfUp2SharpenCrop, transformCost: tc.cost}, g)
		if out == nil || out.Width != 200 {
			t.Fatalf("cost %d: transform gave %v", tc.cost, out)
		}
		if d.b.work != tc.want {
			t.Errorf("cost %d: charged %d pixel visits, want %d", tc.cost, d.b.work, tc.want)
		}
	}
}

// A phone screen photographed at a tilt (a scanbench screen-class miss): a
// blurred version-18 code about 4.5 px a module, with a glare spot washing out
// its top-right finder pattern. zbarimg, zxing-cpp and WeChat read it; before
// crop+flatten+sharpen+piecewise every strategy of ours found only two finder
// patterns, because under the glare the third's inner white ring merged with its
// dark rings in HybridBinarizer's block thresholds.
func TestImageScreenGlare(t *testing.T) {
	data, err := os.ReadFile("testdata/screen/screen-glare-01.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/screen/screen-glare-01.jpg.txt")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Image(data)
	if err != nil || len(codes) != 1 || codes[0].Text+"\n" != string(want) {
		t.Fatalf("Image on a phone screen under glare: %d codes, %v", len(codes), err)
	}
}

// Flattening removes a lighting gradient: a one-pixel checkerboard of dark (40%) and
// light pixels lit from 60 to 250 across the frame comes out with the same two levels
// everywhere, away from the box's reach of the edges.
func TestFlattenedEvensOutLighting(t *testing.T) {
	const w, h, r = 200, 60, 8
	g := newGray(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			light := 60 + 190*x/(w-1)
			v := light
			if (x+y)%2 == 0 {
				v = light * 4 / 10
			}
			g.pix[y*w+x] = byte(v)
		}
	}
	f := g.flattened(r)
	lo, hi := [2]int{255, 255}, [2]int{0, 0} // min and max of dark, light pixels
	for y := r; y < h-r; y++ {
		for x := r; x < w-r; x++ {
			v, i := int(f.pix[y*w+x]), 1
			if (x+y)%2 == 0 {
				i = 0
			}
			lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
		}
	}
	if hi[0]-lo[0] > 12 || hi[1]-lo[1] > 12 || hi[0] >= lo[1] {
		t.Errorf("flattened dark %d..%d, light %d..%d: want two narrow, separate bands", lo[0], hi[0], lo[1], hi[1])
	}
	if gd, gl := int(g.pix[(h/2)*w+r+1]), int(g.pix[(h/2)*w+w-r-1]); gl-gd < 100 {
		t.Fatalf("test image: the gradient is too weak (%d..%d)", gd, gl)
	}
}
