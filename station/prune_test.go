package station

import (
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // to break the log table from outside, as a damaged file would

	"passport/sitedb"
)

// TestStatusShowsPruneFailure: when the log's periodic prune fails, the
// station's status says so (retention is a promise to the people scanned),
// and stops saying so once pruning works again.
func TestStatusShowsPruneFailure(t *testing.T) {
	f := newFixture(t)
	l, err := sitedb.OpenLog(f.db, sitedb.LogOptions{Retention: time.Hour, PruneEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv, err := New(Config{Store: f.db, Log: l})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", f.path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	status := func() StatusResponse {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/status", nil)
		req.Host = "127.0.0.1" // a station answers loopback names only
		srv.ServeHTTP(rec, req)
		var st StatusResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	warned := func(st StatusResponse) bool {
		for _, w := range st.Warnings {
			if w.Code == WarnLogPruneFailed {
				return true
			}
		}
		return false
	}
	if warned(status()) {
		t.Fatal("prune warning before any failure")
	}
	if _, err := raw.Exec("ALTER TABLE station_log RENAME TO station_log_gone"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return warned(status()) }, "the status never showed the failed prune")
	if _, err := raw.Exec("ALTER TABLE station_log_gone RENAME TO station_log"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !warned(status()) }, "the prune warning stayed after pruning worked again")
}

func waitFor(t *testing.T, ok func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
