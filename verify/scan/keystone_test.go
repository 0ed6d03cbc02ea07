package scan

import (
	"image"
	"os"
	"testing"

	"github.com/makiuchi-d/gozxing/common"
)

// The code region of the phone photo whose geometry steepQuad is (a scanbench
// phone-steep image, cropped and scaled to 0.4).
func TestImageSteepKeystonePhoto(t *testing.T) {
	readsTestdataCode(t, "testdata/keystone/phone-steep-miss2-crop.jpg", "a steeply tilted phone photo")
}

// The code region of a 12 MP phone photo taken at a 20–30° tilt (a scanbench
// phone-steep image, cropped and scaled to 0.4): ZXingReader read it, every strategy
// of ours missed it because the far alignment patterns were looked for where the
// finders' parallelogram put them, modules away, and matched data look-alikes there.
func TestImageKeystonePhoto(t *testing.T) {
	data, err := os.ReadFile("testdata/keystone/phone-steep-00-crop.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/keystone/phone-steep-00-crop.jpg.txt")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Image(data)
	if err != nil || len(codes) != 1 || codes[0].Text != string(want) {
		t.Fatalf("Image on a steeply tilted phone photo: %d codes, %v", len(codes), err)
	}
}

// keystonedModules is keystoned for a symbol's modules (true is dark), whatever
// encoder made them.
func keystonedModules(mods [][]bool, w, h int, quad [8]float64) *image.Gray {
	n := float64(len(mods))
	toMod := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		quad[0], quad[1], quad[2], quad[3], quad[4], quad[5], quad[6], quad[7],
		0, 0, n, 0, n, n, 0, n)
	img := whiteGray(w, h)
	pt := make([]float64, 18)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for s := 0; s < 9; s++ {
				pt[2*s] = float64(x) + (float64(s%3)+0.5)/3
				pt[2*s+1] = float64(y) + (float64(s/3)+0.5)/3
			}
			toMod.TransformPoints(pt)
			dark := 0
			for s := 0; s < 9; s++ {
				u, v := pt[2*s], pt[2*s+1]
				if u >= 0 && v >= 0 && u < n && v < n && mods[int(v)][int(u)] {
					dark++
				}
			}
			img.Pix[y*img.Stride+x] = byte(255 - 255*dark/9)
		}
	}
	return img
}
