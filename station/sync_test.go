package station

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passport/keys"
	"passport/trust"
	"passport/trustsync"
)

// /api/status shows the background sync: its source, when the list was
// last refreshed, the last error (also as a warning) and when it goes stale.
func TestStatusShowsSync(t *testing.T) {
	f := newFixture(t)
	auth, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddAnchor(&auth.Key.PublicKey, "authority.pub"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	syncer, err := trustsync.New(f.db, dir, trustsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: f.db, Sync: syncer})
	if err != nil {
		t.Fatal(err)
	}
	status := func() StatusResponse {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/status", nil))
		var st StatusResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	warned := func(st StatusResponse) bool {
		for _, w := range st.Warnings {
			if w.Code == WarnTrustSyncFailed {
				return true
			}
		}
		return false
	}

	// Nothing published yet: the sync fails and says so.
	if _, err := syncer.Sync(context.Background()); err == nil {
		t.Fatal("sync from an empty folder succeeded")
	}
	st := status()
	if st.Sync == nil || st.Sync.LastError == "" || !st.Sync.LastRefreshed.IsZero() || !warned(st) || st.Sync.Source != filepath.Join(dir, "index.json") {
		t.Fatalf("status after a failed sync: %+v %+v", st.Sync, st.Warnings)
	}

	bi, err := trust.IssuerFromCertificate(f.issuer.Cert)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().AddDate(0, 6, 0).UTC().Truncate(time.Second)
	b, err := auth.SignBundle(&trust.Bundle{Version: 1, Issued: time.Now().UTC().Truncate(time.Second), Expires: exp, Issuers: []trust.BundleIssuer{bi}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trustsync.Publish(dir, b, "trust-1.bundle"); err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	st = status()
	if st.Sync == nil || st.Sync.LastError != "" || st.Sync.LastRefreshed.IsZero() || !st.Sync.StaleAt.Equal(exp) || warned(st) {
		t.Fatalf("status after a good sync: %+v %+v", st.Sync, st.Warnings)
	}
	if st.TrustList == nil || st.TrustList.Version != 1 {
		t.Fatalf("trust list %+v, want version 1", st.TrustList)
	}

	// The JSON names the fields the page reads.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/status", nil))
	var raw map[string]map[string]any
	json.Unmarshal(rec.Body.Bytes(), &raw)
	for _, k := range []string{"source", "last_refreshed", "stale_at", "last_attempt"} {
		if _, ok := raw["sync"][k]; !ok {
			t.Errorf("status JSON has no sync.%s: %s", k, rec.Body)
		}
	}
	// Without --sync there is no sync object.
	plain, _ := New(Config{Store: f.db})
	rec = httptest.NewRecorder()
	plain.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/status", nil))
	var noSync map[string]any
	json.Unmarshal(rec.Body.Bytes(), &noSync)
	if _, ok := noSync["sync"]; ok {
		t.Errorf("status without a syncer shows sync: %s", rec.Body)
	}
}

// The page shows when the list was last refreshed and goes stale, and a
// failed refresh in the banner (real Chromium).
func TestBrowserShowsSync(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	auth, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddAnchor(&auth.Key.PublicKey, "authority.pub"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	syncer, err := trustsync.New(f.db, dir, trustsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: f.db, Sync: syncer, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	read := func() (info, banner string) {
		t.Helper()
		err := chromedp.Run(ctx, chromedp.Navigate(hs.URL+"/"),
			chromedp.Poll(`document.getElementById('sync-info') && !document.getElementById('sync-info').hidden`, nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Text("#sync-info", &info, chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById('trust-banner').hidden ? '' : document.getElementById('trust-banner').textContent`, &banner))
		if err != nil {
			t.Fatalf("page: %v", err)
		}
		return info, banner
	}
	syncer.Sync(context.Background()) // nothing published: fails
	info, banner := read()
	if !strings.Contains(info, "refreshed never") || !strings.Contains(info, "last refresh failed") || !strings.Contains(banner, "could not be refreshed") {
		t.Fatalf("after a failed sync the page says %q, banner %q", info, banner)
	}
	bi, err := trust.IssuerFromCertificate(f.issuer.Cert)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.SignBundle(&trust.Bundle{Version: 1, Issued: time.Now().UTC(), Expires: time.Date(2099, 1, 31, 12, 0, 0, 0, time.UTC), Issuers: []trust.BundleIssuer{bi}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trustsync.Publish(dir, b, "trust-1.bundle"); err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	info, banner = read()
	today := time.Now().UTC().Format("02 Jan 2006")
	if !strings.Contains(info, "refreshed "+today) || !strings.Contains(info, "stale after 31 Jan 2099") || strings.Contains(info, "failed") || banner != "" {
		t.Fatalf("after a good sync the page says %q, banner %q", info, banner)
	}
}

// A list whose bundle names a timestamp key and that no statement confirms
// any more shows trust_list_unconfirmed on the status, saying since when.
func TestStatusShowsUnconfirmedList(t *testing.T) {
	f := newFixture(t)
	auth, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddAnchor(&auth.Key.PublicKey, "authority.pub"); err != nil {
		t.Fatal(err)
	}
	ts, err := keys.NewTimestampKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ts.PublicDER()
	bi, err := trust.IssuerFromCertificate(f.issuer.Cert)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Now().UTC().Truncate(time.Second)
	b, err := auth.SignBundle(&trust.Bundle{Version: 1, Issued: issued, Expires: issued.AddDate(0, 6, 0),
		Issuers: []trust.BundleIssuer{bi}, TimestampKey: pub, FreshFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := trustsync.Publish(dir, b, "trust-1.bundle"); err != nil {
		t.Fatal(err)
	}
	syncer, err := trustsync.New(f.db, dir, trustsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Sync(context.Background()); !errors.Is(err, trustsync.ErrNoStatement) {
		t.Fatalf("sync without a statement: %v", err)
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{issued.Add(30 * time.Minute), false}, {issued.Add(2 * time.Hour), true}} {
		srv, err := New(Config{Store: f.db, Sync: syncer, Now: func() time.Time { return tc.at }})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/status", nil))
		var st StatusResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		got := false
		for _, w := range st.Warnings {
			if w.Code == WarnTrustListUnconfirmed && strings.Contains(w.Message, issued.Add(time.Hour).Format("02 Jan 2006 15:04")) {
				got = true
			}
		}
		if got != tc.want || st.Sync == nil || len(st.Sync.RecentFailures) != 1 {
			t.Fatalf("at %v: unconfirmed warning %v, want %v; %+v", tc.at, got, tc.want, st)
		}
	}
}
