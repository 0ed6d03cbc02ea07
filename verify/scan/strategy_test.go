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
