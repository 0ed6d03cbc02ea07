package trustsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	credsign "passport/credential/sign"
	"passport/fixtures/sampleclaims"
	"passport/keys"
	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// world is an authority, one issuer in its bundles, a site database that
// pins the authority, and a passport text from the issuer.
type world struct {
	auth *keys.Authority
	iss  *keys.Issuer
	db   *sitedb.DB
	text string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	auth, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := keys.NewIssuer("RSY", "Sync Test Trust (TEST)", time.Now().Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sitedb.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.AddAnchor(&auth.Key.PublicKey, "authority.pub"); err != nil {
		t.Fatal(err)
	}
	claims := sampleclaims.Nurse(time.Now(), "RSY", "Sync Test Trust (TEST)", "Test Nurse", 30, 30)
	text, err := credsign.Issue(claims, iss.Key, iss.KID)
	if err != nil {
		t.Fatal(err)
	}
	return &world{auth: auth, iss: iss, db: db, text: text}
}

// bundle signs version v listing the issuer, valid for a year.
func (w *world) bundle(t *testing.T, v int64) []byte {
	t.Helper()
	bi, err := trust.IssuerFromCertificate(w.iss.Cert)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	data, err := w.auth.SignBundle(&trust.Bundle{Version: v, Issued: now, Expires: now.AddDate(1, 0, 0), Issuers: []trust.BundleIssuer{bi}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (w *world) publish(t *testing.T, dir string, v int64) *Index {
	t.Helper()
	idx, err := Publish(dir, w.bundle(t, v), fmt.Sprintf("trust-%d.bundle", v))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// version is the version in force.
func (w *world) version(t *testing.T) int64 {
	t.Helper()
	info, err := w.db.Info()
	if err != nil {
		t.Fatal(err)
	}
	return info.Version
}

// mustVerify: the passport verifies valid against the list in force,
// whatever happened to the source.
func (w *world) mustVerify(t *testing.T) {
	t.Helper()
	v, err := verify.NewVerifier(w.db)
	if err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyText("test", w.text); r.Status != verify.StatusValid {
		t.Fatalf("passport is %s (%v), want valid", r.Status, r.Reasons)
	}
}

// server serves dir over loopback HTTP with strong ETags (content hashes)
// and counts requests per path.
type server struct {
	*httptest.Server
	dir  string
	mu   sync.Mutex
	hits map[string]int
	n304 atomic.Int32
}

func newServer(t *testing.T, dir string) *server {
	s := &server{dir: dir, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(data)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			s.n304.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func newSyncer(t *testing.T, db *sitedb.DB, from string) *Syncer {
	t.Helper()
	s, err := New(db, from, Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSyncPicksUpNewerBundle(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 1)
	srv := newServer(t, dir)
	s := newSyncer(t, w.db, srv.URL+"/trust") // a directory URL: index.json is read in it

	res, err := s.Sync(context.Background())
	if err != nil || res.Outcome != Imported || w.version(t) != 1 {
		t.Fatalf("first sync: %v %v, version %d; want imported 1", res.Outcome, err, w.version(t))
	}
	w.mustVerify(t)

	// Nothing new: the index is not modified (304) and no bundle is fetched.
	bundleHits := srv.count("/trust/trust-1.bundle")
	res, err = s.Sync(context.Background())
	if err != nil || res.Outcome != NotModified || srv.n304.Load() != 1 {
		t.Fatalf("second sync: %v %v, %d 304s; want not-modified after a 304", res.Outcome, err, srv.n304.Load())
	}
	if srv.count("/trust/trust-1.bundle") != bundleHits {
		t.Fatal("an unchanged source made the bundle be fetched again")
	}

	w.publish(t, dir, 2)
	res, err = s.Sync(context.Background())
	if err != nil || res.Outcome != Imported || res.Report.PrevVersion != 1 || w.version(t) != 2 {
		t.Fatalf("sync after publishing v2: %v %v, version %d; want imported 2 (was 1)", res.Outcome, err, w.version(t))
	}
	st := s.Status()
	if st.LastRefreshed.IsZero() || st.LastImported.IsZero() || st.LastError != "" || st.StaleAt.IsZero() {
		t.Fatalf("status after success: %+v", st)
	}
	w.mustVerify(t)
}

// A fresh syncer (as `trust sync` run by cron) against an index that
// names the version in force does not fetch the bundle.
func TestSyncUpToDateFetchesNoBundle(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 4)
	srv := newServer(t, dir)
	if _, err := newSyncer(t, w.db, srv.URL+"/index.json").Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := newSyncer(t, w.db, srv.URL+"/index.json").Sync(context.Background())
	if err != nil || res.Outcome != UpToDate || srv.count("/trust-4.bundle") != 1 {
		t.Fatalf("got %v %v with %d bundle fetches; want up-to-date after 1", res.Outcome, err, srv.count("/trust-4.bundle"))
	}
}

// The standard library's file server answers If-Modified-Since: a static
// web server without ETags gets conditional requests too.
func TestSyncIfModifiedSince(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 1)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, IndexFileName), old, old)
	var ims atomic.Int32
	fs := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") != "" {
			ims.Add(1)
		}
		fs.ServeHTTP(rw, r)
	}))
	defer srv.Close()
	s := newSyncer(t, w.db, srv.URL+"/")
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(context.Background())
	if err != nil || res.Outcome != NotModified || ims.Load() != 1 {
		t.Fatalf("got %v %v, %d conditional requests; want not-modified", res.Outcome, err, ims.Load())
	}
}

func TestSyncRefusesAndKeepsListInForce(t *testing.T) {
	w := newWorld(t)
	good := t.TempDir()
	w.publish(t, good, 5)
	if _, err := newSyncer(t, w.db, good).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	other, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		make func(t *testing.T, dir string)
		want error
	}{
		{"index older than the list in force", func(t *testing.T, dir string) { w.publish(t, dir, 3) }, sitedb.ErrRollback},
		{"index lies about an old bundle's version", func(t *testing.T, dir string) {
			idx := w.publish(t, dir, 3)
			idx.Version = 9
			writeIndex(t, dir, idx)
		}, sitedb.ErrRollback},
		{"bundle altered after publishing", func(t *testing.T, dir string) {
			idx := w.publish(t, dir, 6)
			flipByte(t, filepath.Join(dir, idx.File), 40)
		}, ErrMismatch},
		{"bundle altered and index recomputed", func(t *testing.T, dir string) {
			data := w.bundle(t, 6)
			data[len(data)-3] ^= 1 // in the signature
			if _, err := Publish(dir, data, "trust-6.bundle"); err != nil {
				t.Fatal(err)
			}
		}, trust.ErrBundleSignature},
		{"bundle from an unpinned authority", func(t *testing.T, dir string) {
			data, err := other.SignBundle(&trust.Bundle{Version: 7, Issued: time.Now().UTC(), Expires: time.Now().AddDate(1, 0, 0).UTC()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Publish(dir, data, "trust-7.bundle"); err != nil {
				t.Fatal(err)
			}
		}, sitedb.ErrNotPinned},
		{"malformed index", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, IndexFileName), []byte(`{"format":"passport-trust-index/1","version":8,"file":"../site.db"}`), 0o644)
		}, ErrIndex},
		{"index too large", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, IndexFileName), make([]byte, MaxIndexBytes+1), 0o644)
		}, ErrTooLarge},
		{"no index", func(t *testing.T, dir string) {}, ErrUnreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, via := range []string{"dir", "http"} {
				dir := t.TempDir()
				tc.make(t, dir)
				from := dir
				if via == "http" {
					from = newServer(t, dir).URL
				}
				s := newSyncer(t, w.db, from)
				_, err := s.Sync(context.Background())
				if !errors.Is(err, tc.want) {
					t.Fatalf("%s: got %v, want %v", via, err, tc.want)
				}
				if w.version(t) != 5 {
					t.Fatalf("%s: version %d in force after a refused sync, want 5", via, w.version(t))
				}
				if st := s.Status(); st.LastError == "" || st.Failures != 1 || !st.LastRefreshed.IsZero() {
					t.Fatalf("%s: status after a refusal: %+v", via, st)
				}
				w.mustVerify(t)
			}
		})
	}
}

func writeIndex(t *testing.T, dir string, idx *Index) {
	t.Helper()
	data, err := idx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[at] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSyncUnreachableLeavesVerificationWorking(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 1)
	srv := newServer(t, dir)
	s := newSyncer(t, w.db, srv.URL)
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Close() // the network goes away
	_, err := s.Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	st := s.Status()
	if !strings.Contains(st.LastError, "cannot be reached") || st.LastRefreshed.IsZero() || st.LastErrorAt.Before(st.LastRefreshed) {
		t.Fatalf("status: %+v", st)
	}
	w.mustVerify(t)
	// A server that answers with an error is unreachable too.
	bad := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { http.Error(rw, "down", http.StatusServiceUnavailable) }))
	defer bad.Close()
	if _, err := newSyncer(t, w.db, bad.URL).Sync(context.Background()); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503: got %v", err)
	}
	w.mustVerify(t)
}

func TestSyncRefusesOversizeBundle(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	idx := w.publish(t, dir, 1)
	// The server claims a body over the cap: refused on the header, before reading.
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".bundle") {
			rw.Header().Set("Content-Length", fmt.Sprint(trust.MaxBundleBytes+1))
			rw.WriteHeader(200)
			return
		}
		http.ServeFile(rw, r, filepath.Join(dir, IndexFileName))
	}))
	defer srv.Close()
	if _, err := newSyncer(t, w.db, srv.URL).Sync(context.Background()); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if w.version(t) != 0 {
		t.Fatal("an oversize bundle changed the list")
	}
	_ = idx
}

// readBody stops at the cap on a body without a length (chunked).
func TestReadBodyCapsChunkedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		for range 10 {
			rw.Write(make([]byte, 1000))
			rw.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		limit int64
		want  error
	}{{9999, ErrTooLarge}, {10000, nil}} {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != -1 {
			t.Fatalf("test server sent a length %d; the test wants a chunked body", resp.ContentLength)
		}
		data, err := readBody(resp, tc.limit)
		resp.Body.Close()
		if !errors.Is(err, tc.want) || (err == nil && len(data) != 10000) {
			t.Errorf("limit %d: %d bytes, %v; want %v", tc.limit, len(data), err, tc.want)
		}
	}
}

func TestRedirectsOnlyToHTTP(t *testing.T) {
	w := newWorld(t)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "file:///etc/passwd", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newSyncer(t, w.db, srv.URL).Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "only http and https") {
		t.Fatalf("got %v, want a refused redirect", err)
	}
	loop := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, r.URL.Path+"x", http.StatusFound)
	}))
	defer loop.Close()
	if _, err := newSyncer(t, w.db, loop.URL).Sync(context.Background()); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("got %v, want too many redirects", err)
	}
}

// A server that never answers is cut off by the overall timeout.
func TestSyncTimeout(t *testing.T) {
	w := newWorld(t)
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	s, err := New(w.db, srv.URL, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(context.Background()); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("got %v, want a timeout", err)
	}
}

func TestRunSyncsInTheBackground(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 1)
	srv := newServer(t, dir)
	s := newSyncer(t, w.db, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	results := make(chan Outcome, 100)
	done := make(chan struct{})
	go func() {
		s.Run(ctx, 20*time.Millisecond, func(r Result, err error) { results <- r.Outcome })
		close(done)
	}()
	waitFor := func(o Outcome) {
		t.Helper()
		for {
			select {
			case got := <-results:
				if got == o {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no %s sync within 10 s", o)
			}
		}
	}
	waitFor(Imported)
	w.publish(t, dir, 2)
	waitFor(Imported)
	if w.version(t) != 2 {
		t.Fatalf("version %d after the background sync, want 2", w.version(t))
	}
	if st := s.Status(); st.NextAttempt.IsZero() {
		t.Fatalf("no next attempt in %+v", st)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
}

func TestNextWait(t *testing.T) {
	mid := func() float64 { return 0.5 }
	low := func() float64 { return 0 }
	high := func() float64 { return 0.999999 }
	h := time.Hour
	tests := []struct {
		failures int
		rnd      func() float64
		min, max time.Duration
	}{
		{0, mid, h, h},
		{0, low, 54 * time.Minute, 54 * time.Minute},
		{0, high, 65*time.Minute + 59*time.Second, 66 * time.Minute},
		{1, mid, time.Minute, time.Minute},
		{2, mid, 2 * time.Minute, 2 * time.Minute},
		{6, mid, 32 * time.Minute, 32 * time.Minute},
		{7, mid, h, h}, // 64 min capped at the interval
		{500, mid, h, h},
	}
	for _, tc := range tests {
		got := nextWait(h, tc.failures, tc.rnd)
		if got < tc.min || got > tc.max {
			t.Errorf("failures %d: waits %v, want %v to %v", tc.failures, got, tc.min, tc.max)
		}
	}
}
