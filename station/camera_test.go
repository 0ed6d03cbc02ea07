package station

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"testing"

	"passport/layout"
)

// frame is a 1280×720 camera frame (JPEG, as the page sends) with a QR code
// of the given module size in the middle, box-blurred by radius blur.
func frame(t *testing.T, text string, module, blur int) []byte {
	t.Helper()
	qr, err := layout.QR(text, "M", module)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 1280, 720))
	for i := range img.Pix {
		img.Pix[i] = 170 + uint8(i*7%23) // a desk, not quite flat
	}
	qb := qr.Bounds()
	at := image.Pt((1280-qb.Dx())/2, (720-qb.Dy())/2)
	draw.Draw(img, qb.Add(at), qr, qb.Min, draw.Src)
	if blur > 0 {
		img = boxBlur(img, blur)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func boxBlur(src *image.Gray, r int) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum, n := 0, 0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					if p := image.Pt(x+dx, y+dy); p.In(b) {
						sum += int(src.GrayAt(p.X, p.Y).Y)
						n++
					}
				}
			}
			dst.SetGray(x, y, colorGray(sum/n))
		}
	}
	return dst
}

func TestCameraHint(t *testing.T) {
	f := newFixture(t)
	text := f.text(t, f.claims("Zoë Whitfield", 100, 100))
	tests := []struct {
		name         string
		module, blur int
		want         string
	}{
		{"far away: tiny but sharp", 1, 0, HintMoveCloser},
		{"close but moving", 4, 4, HintHoldStill},
		{"close, slightly soft", 4, 1, HintMoveCloser},
		{"blurred, middle distance", 2, 3, HintHoldStill},
	}
	for _, tc := range tests {
		data := frame(t, text, tc.module, tc.blur)
		img, _ := jpeg.Decode(bytes.NewReader(data))
		t.Logf("%s: steepness %.2f", tc.name, edgeSteepness(img))
		if got := cameraHint(data); got != tc.want {
			t.Errorf("%s: hint %q (steepness %.2f), want %q", tc.name, got, edgeSteepness(img), tc.want)
		}
	}
	if got := cameraHint([]byte("not an image")); got != "" {
		t.Errorf("text gets hint %q", got)
	}
}

func colorGray(v int) color.Gray { return color.Gray{Y: uint8(v)} }

func TestCameraHintEmptyFrame(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = 120 + uint8(i*7%23)
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	if got := cameraHint(b.Bytes()); got != "" {
		t.Errorf("a frame with nothing in it gets hint %q", got)
	}
}
