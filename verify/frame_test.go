package verify_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"
	"time"

	"passport/verify"
	"passport/verify/scan"
)

// TestVerifyFrame: a camera frame gives the same verdict as Verify, plus where
// the code was; a frame with no code is unreadable for want of a barcode, as
// Verify says; the frame's own budget and region are used.
func TestVerifyFrame(t *testing.T) {
	st, valid := attackStore(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	v := newReader(t, st, now, 3*time.Second)
	frame := pageWithCodes(t, valid["basic"].Text)
	want := v.Verify(context.Background(), "camera", frame)
	got, f := v.VerifyFrame(context.Background(), "camera", frame, scan.Options{Budget: 3 * time.Second})
	if len(got) != 1 || got[0].Status != verify.StatusValid || got[0].CredentialID != want[0].CredentialID {
		t.Fatalf("frame: %+v, Verify gave %+v", got, want)
	}
	cfg, _, _ := image.DecodeConfig(bytes.NewReader(frame))
	if f.Region.Empty() || !f.Region.In(image.Rect(0, 0, cfg.Width, cfg.Height)) || f.Region.Dx() < cfg.Width/2 {
		t.Errorf("region %v in a %d×%d frame filled by the code", f.Region, cfg.Width, cfg.Height)
	}
	again, _ := v.VerifyFrame(context.Background(), "camera", frame, scan.Options{Budget: 3 * time.Second, Region: f.Region})
	if len(again) != 1 || again[0].Status != verify.StatusValid {
		t.Errorf("frame read with its region: %+v", again)
	}
	white := image.NewGray(image.Rect(0, 0, 320, 240))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	var blank bytes.Buffer
	png.Encode(&blank, white)
	r, f := v.VerifyFrame(context.Background(), "camera", blank.Bytes(), scan.Options{})
	if len(r) != 1 || r[0].Status != verify.StatusUnreadable || r[0].Reasons[0].Code != verify.ReasonNoBarcode || !f.Region.Empty() {
		t.Errorf("blank frame: %+v, region %v", r, f.Region)
	}
	r, _ = v.VerifyFrame(context.Background(), "camera", frame, scan.Options{Budget: time.Nanosecond})
	if len(r) != 1 || r[0].Status != verify.StatusUnreadable || r[0].Reasons[0].Code != verify.ReasonNoBarcode {
		t.Errorf("1 ns budget: %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, _ := v.VerifyFrame(ctx, "camera", frame, scan.Options{}); r[0].Status != verify.StatusUnreadable {
		t.Errorf("cancelled: %+v", r)
	}
}
