package detect

import (
	"context"
	"errors"
	"image"
	"math"
	"testing"
	"time"

	"passport/verify/scan/internal/qrtest"
	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	psfBlur    = qrtest.PSFBlur
	cameraView = qrtest.CameraView
)

// TestBlurEstimates checks the motion estimates on a code blurred along a known
// line: the direction within 8° and the length within a pixel; and that a disc
// blur, which has no direction, measures as less anisotropic than any line.
func TestBlurEstimates(t *testing.T) {
	base := cameraView(renderQR(t, payload(200, 7), 10), 0.5, 7, 480)
	disc := toGray(psfBlur(base, raster.PSF{Radius: 3}))
	_, discAniso := raster.BlurDirection(disc)
	if discAniso >= deblurMotionAnisotropy {
		t.Errorf("disc blur: anisotropy %.2f, want under %.2f", discAniso, deblurMotionAnisotropy)
	}
	for _, c := range []struct{ length, deg float64 }{{6, 0}, {8, 30}, {10, 75}, {9, 100}, {7, 160}} {
		g := toGray(psfBlur(base, raster.PSF{Length: c.length, Angle: c.deg * math.Pi / 180}))
		angle, aniso := raster.BlurDirection(g)
		diff := math.Abs(math.Mod(angle*180/math.Pi-c.deg+270, 180) - 90)
		if diff > 8 {
			t.Errorf("line %.0f px at %.0f°: direction %.1f°, want within 8°", c.length, c.deg, angle*180/math.Pi)
		}
		if aniso < deblurMotionAnisotropy {
			t.Errorf("line %.0f px at %.0f°: anisotropy %.2f, want at least %.2f", c.length, c.deg, aniso, deblurMotionAnisotropy)
		}
		if n := raster.MotionLength(g, c.deg*math.Pi/180, deblurMaxLen); math.Abs(n-c.length) > 1 {
			t.Errorf("line %.0f px at %.0f°: length %.0f, want within a pixel", c.length, c.deg, n)
		}
	}
}

// TestDeconvolveRestores blurs a code with a known disc and line and checks that
// the Wiener filter for that blur brings the image at least twice as close to the
// sharp one (mean absolute difference) as the blurred image was.
func TestDeconvolveRestores(t *testing.T) {
	sharp := toGray(cameraView(renderQR(t, payload(100, 3), 10), 0.6, 0, 320))
	for _, p := range []raster.PSF{{Radius: 3}, {Length: 8, Angle: 0.7}} {
		blurred := toGray(psfBlur(asImage(sharp), p))
		restored := raster.NewSpectrum(blurred).Deconvolve(p, 0.002)
		before, after := meanAbsDiff(sharp, blurred), meanAbsDiff(sharp, restored)
		if after > before/2 {
			t.Errorf("%+v: mean difference %.1f after deconvolution, %.1f before; want at most half", p, after, before)
		}
	}
}

// meanAbsDiff is the mean absolute difference of two planes of the same size,
// leaving out a 16-pixel border where the clamped edges differ.
func meanAbsDiff(a, b *raster.Gray) float64 {
	var sum float64
	n := 0
	for y := 16; y < a.Height-16; y++ {
		for x := 16; x < a.Width-16; x++ {
			sum += math.Abs(float64(a.Pix[y*a.Width+x]) - float64(b.Pix[y*a.Width+x]))
			n++
		}
	}
	return sum / float64(n)
}

// TestDeblurBounded checks the deconvolution's limits: a crop too large for it is
// left alone without spending work, a crop of noise (no finder pattern, no
// direction) costs no transform, a small work budget stops it with the budget's
// error instead of finishing the candidates, and so does a cancelled request.
func TestDeblurBounded(t *testing.T) {
	big := raster.New(1100, 1100)
	b := unlimited()
	if codes, err := ReadDeblurred(big, false, b); len(codes) != 0 || err != nil || b.Work() != 0 {
		t.Errorf("1100×1100 crop: %d codes, error %v, work %d; want it left alone", len(codes), err, b.Work())
	}
	noise := toGray(gaussNoise(whiteGray(700, 700), 100, 1))
	b = unlimited()
	if codes, err := ReadDeblurred(noise, false, b); len(codes) != 0 || err != nil || b.Work() > 3*700*700 {
		t.Errorf("700×700 noise: %d codes, error %v, work %d; want nothing read for at most the %d of the blur estimate", len(codes), err, b.Work(), 3*700*700)
	}
	img := toGray(psfBlur(cameraView(renderQR(t, payload(200, 7), 10), 0.5, 12, 480), raster.PSF{Radius: 4.5}))
	if codes, _ := ReadDeblurred(img, false, unlimited()); len(codes) != 1 {
		t.Fatalf("unlimited: read %d codes, want 1 (the budget case below would prove nothing)", len(codes))
	}
	// Enough for the spectrum (5.7 million pixel visits), not for a candidate.
	b = work.New(context.Background(), time.Hour, 8_000_000)
	codes, err := ReadDeblurred(img, false, b)
	if len(codes) != 0 || err != nil {
		t.Fatalf("got %d codes, error %v; want nothing read", len(codes), err)
	}
	if s := b.Stopped(); s == nil || s.Limit != "work" {
		t.Fatalf("budget stop %+v, want the work budget spent", s)
	}
	// A cancelled request stops it before any transform.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b = work.New(ctx, time.Hour, 1<<40)
	if codes, _ := ReadDeblurred(img, false, b); len(codes) != 0 || b.Stopped() == nil || !errors.Is(b.Stopped().Cause, context.Canceled) || b.Work() > 3*int64(len(img.Pix)) {
		t.Fatalf("cancelled: %d codes, budget stop %+v after %d pixel visits; want it stopped before the spectrum", len(codes), b.Stopped(), b.Work())
	}
}

// FuzzDeblur runs the deconvolution on arbitrary small planes (sides 21–84, the
// bytes repeated as pixels): no panic, and a code only if it has text. The blur
// estimates and the transfer-function tables see every kind of content: flat,
// striped, one bright pixel, noise.
func FuzzDeblur(f *testing.F) {
	f.Add([]byte{0, 0, 255})
	f.Add([]byte{63, 63, 0, 255, 0, 255, 0, 0, 255, 255})
	f.Add(encodePNG(f, renderQR(f, "SP1:HELLO", 2)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		g := raster.New(21+int(data[0])%64, 21+int(data[1])%64)
		for i := range g.Pix {
			g.Pix[i] = data[2+i%(len(data)-2)]
		}
		for _, global := range []bool{false, true} {
			codes, err := ReadDeblurred(g, global, unlimited())
			if err != nil {
				t.Fatalf("%d×%d plane: %v", g.Width, g.Height, err)
			}
			for _, c := range codes {
				if c == "" {
					t.Fatalf("%d×%d plane: a code without text", g.Width, g.Height)
				}
			}
		}
	})
}

// asImage shares g's pixels as an image.Gray.
func asImage(g *raster.Gray) *image.Gray {
	return &image.Gray{Pix: g.Pix, Stride: g.Width, Rect: image.Rect(0, 0, g.Width, g.Height)}
}
