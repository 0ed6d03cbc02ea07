package trustsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A source's reason phrase reaches the error and the status cleaned: a
// hostile server's terminal escapes are never printed raw.
func TestSyncCleansServerText(t *testing.T) {
	w := newWorld(t)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		conn, buf, err := rw.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(buf, "HTTP/1.1 503 \x1b[2J\x1b[31mall is well\x1b[0m\u202e\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		buf.Flush()
	}))
	defer srv.Close()
	s := newSyncer(t, w.db, srv.URL)
	_, err := s.Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	st := s.Status()
	for _, text := range []string{err.Error(), st.LastError, st.RecentFailures[0].Error} {
		if strings.ContainsAny(text, "\x1b\u202e") {
			t.Fatalf("server text printed raw: %q", text)
		}
		if !strings.Contains(text, "503") || !strings.Contains(text, "all is well") {
			t.Fatalf("%q lost the status", text)
		}
	}
}

// Failures are kept, newest first and bounded, even after a success.
func TestStatusKeepsRecentFailures(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	s := newSyncer(t, w.db, dir)
	for range MaxRecentFailures + 3 {
		if _, err := s.Sync(context.Background()); err == nil {
			t.Fatal("an empty folder synced")
		}
	}
	w.publish(t, dir, 1)
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Status()
	if st.LastError != "" || len(st.RecentFailures) != MaxRecentFailures || !strings.Contains(st.RecentFailures[0].Error, "index.json") {
		t.Fatalf("status %+v", st)
	}
}

// Redirects stay on the source's host unless another is allowed by name.
func TestRedirectsOnlyToSameHost(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 1)
	target := newServer(t, dir)
	// Same address under another host name: localhost instead of 127.0.0.1.
	other := strings.Replace(target.URL, "127.0.0.1", "localhost", 1)
	redir := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, other+r.URL.Path, http.StatusFound)
	}))
	defer redir.Close()
	_, err := newSyncer(t, w.db, redir.URL).Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "--allow-redirect-host localhost") {
		t.Fatalf("got %v, want the redirect to localhost refused", err)
	}
	if w.version(t) != 0 {
		t.Fatal("a refused redirect imported")
	}
	s, err := New(w.db, redir.URL, Options{Timeout: 20 * time.Second, AllowRedirectHosts: []string{"LOCALHOST"}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := s.Sync(context.Background()); err != nil || res.Outcome != Imported {
		t.Fatalf("allowed redirect: %v %v", res.Outcome, err)
	}
	// A redirect within the host (another port too) needs nothing.
	same := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, target.URL+r.URL.Path, http.StatusFound)
	}))
	defer same.Close()
	w.publish(t, dir, 2)
	if res, err := newSyncer(t, w.db, same.URL).Sync(context.Background()); err != nil || res.Outcome != Imported {
		t.Fatalf("same-host redirect: %v %v", res.Outcome, err)
	}
}
