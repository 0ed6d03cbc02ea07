package station

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passport/trust"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium with no network features and a fresh
// profile. The window is a small laptop screen.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := os.Getenv("PASSPORT_CHROMIUM")
	if path == "" {
		path = chromiumPath
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no Chromium at %s (install the chromium package or set PASSPORT_CHROMIUM)", path)
	}
	profile, err := os.MkdirTemp("", "passport-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { time.Sleep(100 * time.Millisecond); os.RemoveAll(profile) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 768),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx, chromedp.WithErrorf(log.Printf))
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Run(ctx); err != nil {
		t.Skipf("Chromium did not start: %v", err)
	}
	return ctx
}

// shotDir is where screenshots go: docs/ when PASSPORT_SCREENSHOTS=1
// (to refresh the committed ones), else a temporary directory.
func shotDir(t *testing.T) string {
	if os.Getenv("PASSPORT_SCREENSHOTS") == "1" {
		return "../docs"
	}
	return t.TempDir()
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.Sleep(150*time.Millisecond), chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "station-"+name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitVerdict waits for the n-th result (counting from 1) and returns its
// verdict and policy status.
func waitVerdict(t *testing.T, ctx context.Context, n int) (status, policy string) {
	t.Helper()
	var got []string
	err := chromedp.Run(ctx, chromedp.Poll(fmt.Sprintf(`window.__n >= %d && document.querySelector('#result .verdict') ? [document.querySelector('#result .verdict').dataset.status, (document.querySelector('#result .policy:not([hidden])') || {dataset: {}}).dataset.status || ''] : null`, n), &got, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("no result #%d on the page: %v", n, err)
	}
	return got[0], got[1]
}

// counter makes the page count rendered results (window.__n) so a test can
// tell a new result from the previous one.
const counter = `window.__n = 0; new MutationObserver(() => { if (document.querySelector('#result .verdict')) window.__n++; }).observe(document.getElementById('result'), {childList: true});`

func focusedID(t *testing.T, ctx context.Context) string {
	var id string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.activeElement ? document.activeElement.id : ''`, &id)); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t, examplePolicy(t))
	dir := shotDir(t)
	files := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := s.claims("Zoë Whitfield", 400, 340) // fire safety lapses in 25 days: "expiring soon"
	good.Body.Training = append(good.Body.Training, s.claims("x", 1, 1).Body.Training[0])
	good.Body.Training[len(good.Body.Training)-1].Subject = 6 // moving and handling, lapsed last month
	good.Body.Training[len(good.Body.Training)-1].Completed = good.Body.Training[0].Completed.AddDays(-400)
	good.Body.Training[len(good.Body.Training)-1].Expires = good.Body.Training[0].Completed.AddDays(-35)
	goodText := s.text(t, good)
	validScan := write("valid-scan.png", qrPNG(t, goodText))
	tamperedScan := write("tampered-scan.png", qrPNG(t, s.tampered(t, s.claims("Zoë Whitfield", 100, 100), "Whitfield", "Whitfielt")))
	blankScan := write("blank.png", blankPNG(t))
	oldDBS := s.text(t, s.claims("Łukasz Kowalczyk", 4*365+20, 100))

	if err := chromedp.Run(ctx, chromedp.Navigate(s.srv.URL+"/"), chromedp.WaitVisible("#scan", chromedp.ByID), chromedp.Evaluate(counter, nil)); err != nil {
		t.Fatal(err)
	}
	if id := focusedID(t, ctx); id != "scan" {
		t.Fatalf("the scan field does not have focus on load (%q has)", id)
	}
	shot(t, ctx, dir, "idle")

	// 1. A USB scanner types the text with Caps Lock on, in two bursts,
	// with no Enter: the page must notice the code is complete and send it.
	lower := strings.ToLower(goodText)
	half := len(lower) / 2
	if err := chromedp.Run(ctx, chromedp.KeyEvent(lower[:half]), chromedp.Sleep(300*time.Millisecond), chromedp.KeyEvent(lower[half:])); err != nil {
		t.Fatal(err)
	}
	if st, pol := waitVerdict(t, ctx, 1); st != "valid" || pol != "expiring_soon" {
		t.Fatalf("scanner text: %s / policy %s, want valid / expiring_soon", st, pol)
	}
	var name, lapsed string
	chromedp.Run(ctx, chromedp.Text(".person .name", &name), chromedp.Text("table.training tr.lapsed", &lapsed))
	if name != "Zoë Whitfield" || !strings.Contains(lapsed, "LAPSED") {
		t.Errorf("name %q, lapsed row %q", name, lapsed)
	}
	shot(t, ctx, dir, "valid")

	// 2. Focus is on a button when the next scan arrives (with Enter): the
	// keystrokes must still reach the field, not be lost.
	if err := chromedp.Run(ctx, chromedp.Focus("#camera-button", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.KeyEvent(oldDBS+"\r")); err != nil {
		t.Fatal(err)
	}
	if st, pol := waitVerdict(t, ctx, 2); st != "valid" || pol != "not_met" {
		var why string
		chromedp.Run(ctx, chromedp.Text("#result", &why))
		t.Fatalf("%s\n", why)
		t.Fatalf("scan with focus on a button: %s / policy %s, want valid / not_met", st, pol)
	}
	var why string
	chromedp.Run(ctx, chromedp.Text("table.checks", &why))
	if !strings.Contains(why, "more than 3 years ago") {
		t.Errorf("the DBS reason is not shown: %q", why)
	}
	shot(t, ctx, dir, "policy-not-met")

	// 3. Upload a scan with the file picker.
	if err := chromedp.Run(ctx, chromedp.SetUploadFiles("#file", []string{validScan}, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if st, _ := waitVerdict(t, ctx, 3); st != "valid" {
		t.Fatalf("uploaded scan: %s, want valid", st)
	}
	// 4. A tampered scan is INVALID with the reason in words.
	if err := chromedp.Run(ctx, chromedp.SetUploadFiles("#file", []string{tamperedScan}, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if st, _ := waitVerdict(t, ctx, 4); st != "invalid" {
		t.Fatalf("tampered scan: %s, want invalid", st)
	}
	var reason string
	chromedp.Run(ctx, chromedp.Text(".reasons li", &reason))
	if !strings.Contains(reason, "signature does not match") {
		t.Errorf("reason %q", reason)
	}
	shot(t, ctx, dir, "invalid")
	// 5. A page with no code: CANNOT READ.
	if err := chromedp.Run(ctx, chromedp.SetUploadFiles("#file", []string{blankScan}, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if st, _ := waitVerdict(t, ctx, 5); st != "unreadable" {
		t.Fatalf("blank scan: %s, want unreadable", st)
	}
	shot(t, ctx, dir, "cannot-read")
	if id := focusedID(t, ctx); id != "scan" {
		t.Errorf("focus is on %q after an upload, not the scan field", id)
	}
	var today string
	chromedp.Run(ctx, chromedp.Text("#today", &today))
	if today != "5" {
		t.Errorf("today's count shows %q, want 5", today)
	}
	// 6. Escape clears the screen (keyboard only).
	var idle bool
	if err := chromedp.Run(ctx, chromedp.KeyEvent("\x1b"), chromedp.Evaluate(`!!document.querySelector('#result .idle')`, &idle)); err != nil || !idle {
		t.Errorf("Escape did not clear the result (%v)", err)
	}
}

func TestBrowserTrustListExpired(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: f.issuer.KID, OrgCode: f.issuer.OrgCode, OrgName: f.issuer.OrgName, PublicKey: &f.issuer.Key.PublicKey})
	mem.SetBundleInfo(7, f.now.AddDate(0, -2, 0), f.now.AddDate(0, 0, -3))
	srv, err := New(Config{Store: mem, Policy: examplePolicy(t)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	var banner string
	err = chromedp.Run(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.Evaluate(counter, nil),
		chromedp.WaitVisible("#trust-banner", chromedp.ByID), chromedp.Text("#trust-banner", &banner, chromedp.ByID),
		chromedp.KeyEvent(f.text(t, f.claims("Priya Ramanathan", 100, 100))+"\r"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(banner, "trust list expired") {
		t.Errorf("banner %q", banner)
	}
	if st, pol := waitVerdict(t, ctx, 1); st != "valid" || pol != "met" {
		t.Fatalf("%s / %s", st, pol)
	}
	shot(t, ctx, shotDir(t), "trust-list-expired")
}
