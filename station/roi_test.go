package station

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"passport/sitedb"
	"passport/verify"
	"passport/verify/scan"
)

// postFrame posts a camera frame with the query given (after source=camera).
func (s *site) postFrame(t testing.TB, frame []byte, query string) (int, VerifyResponse, string) {
	t.Helper()
	resp, err := http.Post(s.srv.URL+"/api/verify?source=camera"+query, "image/jpeg", bytes.NewReader(frame))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v VerifyResponse
	json.Unmarshal(raw, &v)
	return resp.StatusCode, v, string(raw)
}

// newCameraSite is newSite with camera frames decoded under the upload
// budget: these tests are about regions, and under the race detector a
// clean frame can take over the default 300 ms (TestCameraBudgetIsPerFrame
// tests the budget).
func newCameraSite(t testing.TB) *site {
	t.Helper()
	f := newFixture(t)
	l, err := sitedb.OpenLog(f.db, sitedb.LogOptions{Retention: DefaultRetention})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s, err := New(Config{Store: f.db, Log: l, Addr: "127.0.0.1:0", CameraBudget: DefaultDecodeBudget})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &site{fixture: f, srv: ts, log: l}
}

func (r *Region) query() string { return fmt.Sprintf("&roi=%d,%d,%d,%d", r.X, r.Y, r.W, r.H) }

// TestCameraFrameRegion: the answer to a camera frame says where the code
// was; sent back with the next frame, the code is read again and found in
// the same place. Uploads carry no region.
func TestCameraFrameRegion(t *testing.T) {
	s := newCameraSite(t)
	text := s.text(t, s.claims("Zoë Whitfield", 100, 100))
	data := frame(t, text, 3, 0)
	code, v, raw := s.postFrame(t, data, "")
	if code != 200 || v.Results[0].Status != verify.StatusValid || v.Region == nil {
		t.Fatalf("frame: HTTP %d %s", code, raw)
	}
	// The code is drawn in the middle of the 1280×720 frame.
	r := image.Rect(v.Region.X, v.Region.Y, v.Region.X+v.Region.W, v.Region.Y+v.Region.H)
	if !image.Pt(640, 360).In(r) || r.Dx() > 400 || r.Dx() < 100 {
		t.Errorf("region %v for a code in the middle of the frame", r)
	}
	code, again, raw := s.postFrame(t, data, v.Region.query())
	if code != 200 || again.Results[0].Status != verify.StatusValid || again.Region == nil || *again.Region != *v.Region {
		t.Errorf("frame with its region: HTTP %d %s", code, raw)
	}
	if _, up, _ := s.post(t, "image/jpeg", data); up.Region != nil || up.Results[0].Status != verify.StatusValid {
		t.Errorf("upload: %+v", up)
	}
}

// TestCameraROIRefused: a roi that is not four whole numbers inside the
// frame, or on a request that is not a camera frame, is a 400 saying so;
// nothing is decoded.
func TestCameraROIRefused(t *testing.T) {
	s := newCameraSite(t)
	data := frame(t, s.text(t, s.claims("A B", 1, 1)), 3, 0)
	for _, q := range []string{
		"&roi=", "&roi=1,2,3", "&roi=1,2,3,4,5", "&roi=a,b,c,d", "&roi=-1,0,10,10", "&roi=+1,0,10,10",
		"&roi=0,0,0,10", "&roi=0,0,10,0", "&roi=1.5,0,10,10", "&roi=%201,2,3,4", "&roi=123456,0,1,1",
		"&roi=0,0,1281,10", "&roi=1200,0,81,10", "&roi=0,700,10,21", "&roi=99999,99999,99999,99999",
		"&roi=1,2,3,4&roi=1,2,3,4",
	} {
		code, _, raw := s.postFrame(t, data, q)
		if code != http.StatusBadRequest || !strings.Contains(raw, "bad_roi") || !strings.Contains(raw, "roi") {
			t.Errorf("%s: HTTP %d %s", q, code, raw)
		}
	}
	resp, err := http.Post(s.srv.URL+"/api/verify?roi=0,0,10,10", "image/jpeg", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), "source=camera") {
		t.Errorf("roi on an upload: HTTP %d %s", resp.StatusCode, raw)
	}
	// The whole frame, and a region touching its far corner, are inside.
	for _, q := range []string{"&roi=0,0,1280,720", "&roi=1270,710,10,10"} {
		if code, v, raw := s.postFrame(t, data, q); code != 200 || v.Results[0].Status != verify.StatusValid {
			t.Errorf("%s: HTTP %d %s", q, code, raw)
		}
	}
	if n, _ := s.log.Today(); n != 2 {
		t.Errorf("%d verifications logged, want the 2 frames read", n)
	}
}

// TestCameraBudgetIsPerFrame: camera frames get their own budget, uploads
// keep the decode budget; a camera budget above the decode budget is refused.
func TestCameraBudgetIsPerFrame(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Config{Store: f.db, Addr: "127.0.0.1:0", CameraBudget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	s := &site{fixture: f, srv: ts}
	data := frame(t, f.text(t, f.claims("A B", 1, 1)), 3, 0)
	code, v, raw := s.postFrame(t, data, "")
	if code != 200 || v.Results[0].Status != verify.StatusUnreadable || !strings.Contains(v.Results[0].Reasons[0].Message, "gave up") {
		t.Errorf("camera frame with a 1 ns budget: HTTP %d %s", code, raw)
	}
	if code, v, raw := s.post(t, "image/jpeg", data); code != 200 || v.Results[0].Status != verify.StatusValid {
		t.Errorf("the same image uploaded: HTTP %d %s", code, raw)
	}
	if _, err := New(Config{Store: f.db, DecodeBudget: time.Second, CameraBudget: 2 * time.Second}); err == nil || !strings.Contains(err.Error(), "camera") {
		t.Errorf("camera budget over the decode budget: %v", err)
	}
	def, err := New(Config{Store: f.db, DecodeBudget: 100 * time.Millisecond})
	if err != nil || def.cfg.CameraBudget != 100*time.Millisecond {
		t.Errorf("default camera budget under a 100 ms decode budget: %v, %v", def.cfg.CameraBudget, err)
	}
}

// TestFrameHintFromModuleSize: when the reader saw the finder patterns, their
// module size says whether the code is too far (move closer) or blurred
// (hold still), whatever the edges say; without them the edges decide.
func TestFrameHintFromModuleSize(t *testing.T) {
	for _, c := range []struct {
		f    scan.Frame
		want string
	}{
		{scan.Frame{ModuleSize: 1.8, EdgeSteepness: 0.1}, HintMoveCloser},
		{scan.Frame{ModuleSize: 4, EdgeSteepness: 0.9}, HintHoldStill},
		{scan.Frame{EdgeSteepness: 0.9}, HintMoveCloser},
		{scan.Frame{EdgeSteepness: 0.1}, HintHoldStill},
		{scan.Frame{}, ""},
	} {
		if got := frameHint(c.f); got != c.want {
			t.Errorf("module %.1f px, steepness %.1f: hint %q, want %q", c.f.ModuleSize, c.f.EdgeSteepness, got, c.want)
		}
	}
	f := newFixture(t)
	text := f.text(t, f.claims("Zoë Whitfield", 100, 100))
	s := newCameraSite(t)
	if _, v, raw := s.postFrame(t, frame(t, text, 4, 4), ""); v.Hint != HintHoldStill {
		t.Errorf("a blurred close code: %s", raw)
	}
	if _, v, raw := s.postFrame(t, finderless(t, text), ""); v.Hint != HintMoveCloser {
		t.Errorf("a sharp code without finder patterns: %s", raw)
	}
}

// FuzzFrameROI: any roi parameter is refused or gives a non-empty rectangle
// inside the frame; never a panic.
func FuzzFrameROI(f *testing.F) {
	data := blankPNG(f) // 400×300
	for _, s := range []string{"0,0,400,300", "1,2,3,4", "399,299,1,1", "0,0,401,1", "-1,0,1,1", "1,,2,3", "99999,0,1,1", "00001,0,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, roi string) {
		r, err := frameROI(url.Values{"roi": {roi}}, true, data)
		if err != nil {
			return
		}
		if r.Empty() || !r.In(image.Rect(0, 0, 400, 300)) {
			t.Errorf("roi %q gave %v, outside the 400×300 frame or empty", roi, r)
		}
	})
}
