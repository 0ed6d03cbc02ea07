package station

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"testing"
	"time"

	"passport/layout"
	"passport/verify/scan"
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

// finderless is a sharp 1280×720 frame holding a code of 2-pixel modules with
// its three finder patterns painted over: what a camera sees of a code too
// far away or partly out of view. The reader reads nothing and sees no finder
// patterns, so the frame's edges (sharp) decide the hint.
func finderless(t *testing.T, text string) []byte {
	t.Helper()
	qr, err := layout.QR(text, "M", 2)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 1280, 720))
	for i := range img.Pix {
		img.Pix[i] = 170 + uint8(i*7%23)
	}
	qb := qr.Bounds()
	at := image.Pt((1280-qb.Dx())/2, (720-qb.Dy())/2)
	draw.Draw(img, qb.Add(at), qr, qb.Min, draw.Src)
	// The quiet zone is 4 modules (8 px), a finder pattern 7 (14 px): cover 9.
	quiet, side := 8, 18
	for _, c := range []image.Point{{quiet, quiet}, {qb.Dx() - quiet - side, quiet}, {quiet, qb.Dy() - quiet - side}} {
		r := image.Rect(c.X, c.Y, c.X+side, c.Y+side).Add(at)
		draw.Draw(img, r, image.NewUniform(color.Gray{Y: 255}), image.Point{}, draw.Src)
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

// readFrame reads a camera frame as the station does (the camera budget,
// no region), so a hint is judged from the reader's own measurements.
func readFrame(t *testing.T, data []byte) scan.Frame {
	t.Helper()
	f, _ := scan.ReadFrame(context.Background(), data, scan.Options{Budget: 300 * time.Millisecond})
	return f
}

// TestCameraHint: a frame with no code read gets the hint its blur or size
// calls for, worked out from the frame the reader decoded.
func TestCameraHint(t *testing.T) {
	f := newFixture(t)
	text := f.text(t, f.claims("Zoë Whitfield", 100, 100))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"sharp, no finder patterns in view", finderless(t, text), HintMoveCloser},
		{"close but moving", frame(t, text, 4, 4), HintHoldStill},
		{"blurred, middle distance", frame(t, text, 2, 3), HintHoldStill},
	}
	for _, tc := range tests {
		fr := readFrame(t, tc.data)
		if len(fr.Codes) > 0 {
			t.Fatalf("%s: the frame was read; the case needs a frame that is not", tc.name)
		}
		if got := frameHint(fr); got != tc.want {
			t.Errorf("%s: hint %q (module %.2f px, steepness %.2f), want %q", tc.name, got, fr.ModuleSize, fr.EdgeSteepness, tc.want)
		}
	}
	if got := frameHint(readFrame(t, []byte("not an image"))); got != "" {
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
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if got := frameHint(readFrame(t, b.Bytes())); got != "" {
		t.Errorf("a frame with nothing in it gets hint %q", got)
	}
}
