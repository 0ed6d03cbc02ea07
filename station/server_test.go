package station

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"passport/policy"
	"passport/sitedb"
	"passport/verify"
)

// site is a running station over a fixture.
type site struct {
	*fixture
	srv    *httptest.Server
	log    *sitedb.Log
	access *bytes.Buffer
}

type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func newSite(t testing.TB, pol *policy.Policy) *site {
	t.Helper()
	f := newFixture(t)
	l, err := sitedb.OpenLog(f.db, sitedb.LogOptions{Retention: DefaultRetention})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	access := &syncBuffer{}
	s, err := New(Config{Store: f.db, Log: l, Policy: pol, AccessLog: log.New(access, "", 0), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &site{fixture: f, srv: ts, log: l, access: &access.Buffer}
}

func (s *site) post(t testing.TB, ctype string, body []byte, hdr ...string) (int, VerifyResponse, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/verify", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v VerifyResponse
	json.Unmarshal(raw, &v)
	return resp.StatusCode, v, string(raw)
}

func TestAPIVerify(t *testing.T) {
	s := newSite(t, examplePolicy(t))
	good := s.text(t, s.claims("Zoë Whitfield", 100, 100))
	oldDBS := s.text(t, s.claims("Łukasz Kowalczyk", 4*365, 100))
	tampered := s.tampered(t, s.claims("Zoë Whitfield", 100, 100), "Whitfield", "Whitfielt")
	tests := []struct {
		name, ctype string
		body        []byte
		status      verify.Status
		policy      policy.Status
		reason      string
	}{
		{"scanner text with Enter", "text/plain", []byte(good + "\r\n"), verify.StatusValid, policy.Met, ""},
		{"scanner text, Caps Lock on", "text/plain", []byte(strings.ToLower(good)), verify.StatusValid, policy.Met, ""},
		{"genuine but DBS too old", "text/plain", []byte(oldDBS), verify.StatusValid, policy.NotMet, ""},
		{"QR scan PNG", "image/png", qrPNG(t, good), verify.StatusValid, policy.Met, ""},
		{"tampered scan", "image/png", qrPNG(t, tampered), verify.StatusInvalid, policy.NotEvaluated, "signature_invalid"},
		{"forged text", "text/plain", []byte(s.forged(t, s.claims("Zoë Whitfield", 1, 1))), verify.StatusInvalid, policy.NotEvaluated, "signature_invalid"},
		{"blank scan", "image/png", blankPNG(t), verify.StatusUnreadable, policy.NotEvaluated, "no_barcode"},
		{"not a passport", "application/octet-stream", []byte{0, 1, 2, 3}, verify.StatusUnreadable, policy.NotEvaluated, "unsupported_input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, v, raw := s.post(t, tc.ctype, tc.body)
			if code != 200 || len(v.Results) != 1 {
				t.Fatalf("HTTP %d, %s", code, raw)
			}
			r := v.Results[0]
			if r.Status != tc.status || r.Policy == nil || r.Policy.Status != tc.policy {
				t.Fatalf("status %s policy %+v, want %s/%s: %s", r.Status, r.Policy, tc.status, tc.policy, raw)
			}
			if tc.reason != "" && (len(r.Reasons) == 0 || string(r.Reasons[0].Code) != tc.reason) {
				t.Errorf("reasons %v, want %s", r.Reasons, tc.reason)
			}
			if tc.status == verify.StatusValid && (r.Claims == nil || r.Claims.Person.Name == "") {
				t.Errorf("no claims in a valid result")
			}
			if v.Today < 1 || !v.Logged {
				t.Errorf("today %d logged %v", v.Today, v.Logged)
			}
		})
	}
	// Multipart upload, as curl -F sends it, keeps only the base name.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "../../etc/scan\u202e.png")
	fw.Write(qrPNG(t, good))
	mw.Close()
	code, v, raw := s.post(t, mw.FormDataContentType(), mp.Bytes())
	if code != 200 || len(v.Results) != 1 || v.Results[0].Status != verify.StatusValid || v.Results[0].Input != "scan.png" {
		t.Fatalf("multipart: HTTP %d %s", code, raw)
	}
	// NDJSON: exactly the verify --json lines (plus policy).
	code, _, raw = s.post(t, "text/plain", []byte(good), "Accept", "application/x-ndjson")
	var line map[string]any
	if code != 200 || json.Unmarshal([]byte(strings.TrimSpace(raw)), &line) != nil || line["status"] != "valid" || line["input"] != "scanner" {
		t.Fatalf("ndjson: HTTP %d %q", code, raw)
	}

	// The log has one row per verification, and never the text or a name.
	n, err := s.log.CountSince(time.Now().Add(-time.Hour))
	if err != nil || n != len(tests)+2 {
		t.Errorf("log has %d rows (%v), want %d", n, err, len(tests)+2)
	}
	s.log.Close()
	dbBytes, _ := os.ReadFile(s.path)
	for _, secret := range []string{good[4:40], tampered[4:40], "Whitfield", "Kowalczyk"} {
		if bytes.Contains(dbBytes, []byte(secret)) {
			t.Errorf("the site database contains %q", secret)
		}
	}
	if strings.Contains(s.access.String(), good[4:40]) {
		t.Errorf("the access log contains a credential text")
	}
	if !strings.Contains(s.access.String(), "POST /api/verify 200") {
		t.Errorf("access log: %q", s.access.String())
	}
}

func TestCameraFramesWithoutCodeAreNotLogged(t *testing.T) {
	s := newSite(t, nil)
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/verify?source=camera", bytes.NewReader(blankPNG(t)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n, _ := s.log.Today(); n != 0 {
		t.Errorf("an empty camera frame was logged (%d)", n)
	}
	code, v, _ := s.post(t, "image/png", qrPNG(t, s.text(t, s.claims("A B", 1, 1))))
	if code != 200 || v.Results[0].Policy != nil || v.Today != 1 {
		t.Errorf("HTTP %d policy %v today %d", code, v.Results[0].Policy, v.Today)
	}
}

func TestAPILimitsAndRefusals(t *testing.T) {
	s := newSite(t, nil)
	big := bytes.Repeat([]byte{0x89}, DefaultMaxBodyBytes+1)
	if code, _, raw := s.post(t, "image/png", big); code != http.StatusRequestEntityTooLarge || !strings.Contains(raw, "too_large") {
		t.Errorf("oversized body: HTTP %d %s", code, raw)
	}
	long := bytes.Repeat([]byte("SP1:ABC\n"), MaxTextBodyBytes/8+1)
	if code, _, raw := s.post(t, "text/plain", long); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized text: HTTP %d %s", code, raw)
	}
	if code, _, _ := s.post(t, "text/plain", []byte(" \n")); code != http.StatusBadRequest {
		t.Errorf("empty body: HTTP %d", code)
	}
	if code, _, raw := s.post(t, "text/plain", []byte("SP1:X"), "Origin", "http://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-origin POST: HTTP %d %s", code, raw)
	}
	if code, _, _ := s.post(t, "text/plain", []byte("SP1:X"), "Origin", s.srv.URL); code != 200 {
		t.Errorf("same-origin POST: HTTP %d", code)
	}
	// DNS rebinding: a page on evil.example resolving to 127.0.0.1.
	req, _ := http.NewRequest("GET", s.srv.URL+"/api/status", nil)
	req.Host = "evil.example:8080"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %v %v", resp.StatusCode, err)
	}
	for _, p := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/web/index.html", "/app.js/..%2f..%2fgo.mod", "/..%5c..%5cgo.mod", "/static/../server.go"} {
		resp, err := http.Get(s.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || bytes.Contains(body, []byte("package station")) || bytes.Contains(body, []byte("root:")) {
			t.Errorf("GET %s: HTTP %d", p, resp.StatusCode)
		}
	}
	if resp, _ := http.Get(s.srv.URL + "/api/verify"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/verify: HTTP %d", resp.StatusCode)
	}
	hs := (&Server{cfg: Config{AccessLog: log.New(io.Discard, "", 0)}}).HTTPServer("127.0.0.1:0")
	if hs.ReadHeaderTimeout == 0 || hs.ReadTimeout == 0 || hs.WriteTimeout == 0 || hs.IdleTimeout == 0 || hs.MaxHeaderBytes == 0 {
		t.Errorf("server without timeouts: %+v", hs)
	}
}

func TestSlowClientIsCut(t *testing.T) {
	s := newSite(t, nil)
	srv, _ := New(Config{Store: s.db})
	hs := srv.HTTPServer("127.0.0.1:0")
	hs.ReadHeaderTimeout = 200 * time.Millisecond
	ts := httptest.NewUnstartedServer(srv)
	ts.Config = hs
	ts.Start()
	defer ts.Close()
	conn, err := (&netDialer{}).dial(ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("POST /api/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n")) // and never finish
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	io.ReadAll(conn)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a client that never finished its headers was held for %v", d)
	}
}

func TestPageIsSelfContained(t *testing.T) {
	s := newSite(t, nil)
	for _, p := range []string{"/", "/app.js", "/app.css"} {
		resp, err := http.Get(s.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) < 500 {
			t.Fatalf("GET %s: HTTP %d, %d bytes", p, resp.StatusCode, len(body))
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "url(http"} {
			if bytes.Contains(body, []byte(bad)) && !(p == "/app.js" && bad == "http://" && bytes.Contains(body, []byte("http://127.0.0.1 on this computer"))) {
				t.Errorf("%s refers to something outside the station: %q", p, bad)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
	}
	resp, _ := http.Get(s.srv.URL + "/api/status")
	var st StatusResponse
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st.Issuers != 1 || st.Today != 0 || st.MaxUpload != DefaultMaxBodyBytes {
		t.Errorf("status %+v", st)
	}
}

func FuzzAPIText(f *testing.F) {
	fx := newFixture(f)
	srv, err := New(Config{Store: fx.db, Policy: examplePolicy(f)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(fx.text(f, fx.claims("Zoë", 1, 1))))
	f.Add([]byte("sp1:0000\nHC1:NCF"))
	f.Add([]byte("%PDF-1.4 garbage"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/verify", bytes.NewReader(body))
		req.Host = "127.0.0.1" // else every input is refused at the Host check
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q", rec.Code, body)
		}
		if rec.Code == 200 {
			var v VerifyResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || len(v.Results) == 0 {
				t.Fatalf("bad response %q", rec.Body.String())
			}
		}
	})
}
