package sitedb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chainedLog writes n verifications and returns the log's file.
func chainedLog(t *testing.T, n int) (*DB, *Log) {
	t.Helper()
	db, _ := openTestDB(t)
	l, err := OpenLog(db, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	now := time.Now()
	for i := range n {
		if _, err := l.Add(context.Background(), Entry{At: now.Add(time.Duration(i) * time.Second), CredentialID: "c" + string(rune('a'+i)),
			Issuer: "RHQ", Status: "valid", Decision: "accept", Source: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	return db, l
}

// TestLogChainShowsTampering: an edited, a deleted, a reordered or an
// inserted row, or the newest rows cut off, each break the chain at the
// first row they touch.
func TestLogChainShowsTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		wantID  int64
		wantWhy string
	}{
		{"edited outcome", `UPDATE station_log SET decision = 'do_not_accept' WHERE id = 3`, 3, "changed"},
		{"edited name of who pressed", `UPDATE station_log SET action = 'accepted', action_by = 'Mallory' WHERE id = 2`, 2, "changed"},
		{"deleted row", `DELETE FROM station_log WHERE id = 3`, 4, "does not follow row 2"},
		{"reordered rows", `UPDATE station_log SET id = 100 WHERE id = 2`, 3, "does not follow row 1"},
		{"reordered with hashes recomputed", `UPDATE station_log SET at = at + 1 WHERE id = 4`, 4, "changed"},
		{"inserted row", `INSERT INTO station_log (id, at, status) VALUES (10, 0, 'valid')`, 10, "no hash"},
		{"newest row deleted", `DELETE FROM station_log WHERE id = 5`, 0, "newest rows were deleted"},
		{"first row deleted", `DELETE FROM station_log WHERE id = 1`, 2, "does not follow row 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, l := chainedLog(t, 5)
			if _, err := db.VerifyLog(); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			l.Close()
			if _, err := db.sql.Exec(tc.tamper); err != nil {
				t.Fatal(err)
			}
			_, err := db.VerifyLog()
			var br *ChainBreak
			if !errors.As(err, &br) || br.ID != tc.wantID || !strings.Contains(br.Error(), tc.wantWhy) {
				t.Fatalf("VerifyLog after %s: %v; want a break at row %d saying %q", tc.name, err, tc.wantID, tc.wantWhy)
			}
		})
	}
}

// TestLogChainSurvivesPrune: pruning deletes the oldest rows and keeps the
// last one's hash as the anchor, so what is kept still verifies, and an id
// is never reused.
func TestLogChainSurvivesPrune(t *testing.T) {
	db, _ := openTestDB(t)
	now := time.Now()
	l, err := OpenLog(db, LogOptions{Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	for _, age := range []int{50, 40, 3, 2} {
		if _, err := l.Add(ctx, Entry{At: now.Add(-time.Duration(age) * time.Hour), Status: "valid", Source: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := l.Prune(); n != 2 || err != nil {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	rep, err := db.VerifyLog()
	if err != nil || rep.Rows != 2 || rep.AnchorID != 2 || rep.Head.ID != 4 {
		t.Fatalf("after prune: %+v %v", rep, err)
	}
	// Everything pruned, then a new row: it continues the chain.
	l.opts.Retention = time.Minute
	if n, err := l.Prune(); n != 2 || err != nil {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	id, err := l.Add(ctx, Entry{At: now, Status: "valid", Source: "text"})
	if err != nil || id != 5 {
		t.Fatalf("after pruning everything the next id is %d (%v), want 5", id, err)
	}
	if rep, err := db.VerifyLog(); err != nil || rep.Rows != 1 {
		t.Fatalf("after pruning everything: %+v %v", rep, err)
	}
	head, err := l.Head()
	if err != nil || head.ID != 5 || len(head.Hash) != 64 {
		t.Errorf("head %+v %v", head, err)
	}
}

// TestLogChainStartsAtMigration: a log written before the chain (schema
// version 5, a press kept on its verification's row) keeps every row; the
// first open chains them as they stand, and new rows follow them.
func TestLogChainStartsAtMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v5.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Join(migrations[:5], "\n") + `
INSERT INTO station_log (at, credential_id, issuer, status, source, decision, action, action_by, action_at)
  VALUES (1000, 'aa', 'RHQ', 'valid', 'text', 'accept', 'accepted', 'Sam', 2000),
         (3000, 'bb', 'RHQ', 'invalid', 'image', 'do_not_accept', '', '', 0);
PRAGMA application_id = 1347637332;
PRAGMA user_version = 5;`
	if _, err := raw.Exec(old); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.VerifyLog(); err == nil || !strings.Contains(err.Error(), "no chain yet") {
		t.Errorf("an unchained log verifies: %v", err)
	}
	l, err := OpenLog(db, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Add(context.Background(), Entry{At: time.UnixMilli(4000), Status: "valid", Source: "text"}); err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyLog()
	if err != nil || rep.Rows != 3 || rep.SealedRows != 2 {
		t.Fatalf("after the upgrade: %+v %v", rep, err)
	}
	var got []Entry
	l.Entries(time.Time{}, time.Time{}, func(e Entry) error { got = append(got, e); return nil })
	if len(got) != 3 || got[0].ActionBy != "Sam" || got[1].Decision != "do_not_accept" {
		t.Errorf("rows after the upgrade: %+v", got)
	}
	// An edit of a row from before the upgrade shows too.
	db.sql.Exec(`UPDATE station_log SET action_by = 'Mallory' WHERE id = 1`)
	var br *ChainBreak
	if _, err := db.VerifyLog(); !errors.As(err, &br) || br.ID != 1 {
		t.Errorf("an edited pre-upgrade row: %v", err)
	}
}
