package sitedb

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTestDB(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestLogRetentionAndCSV(t *testing.T) {
	db, path := openTestDB(t)
	l, err := OpenLog(db, LogOptions{Retention: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	now := time.Now()
	ctx := context.Background()
	entries := []Entry{
		{At: now.AddDate(0, 0, -40), CredentialID: "old", Status: "valid", Source: "text"},
		{At: now.AddDate(0, 0, -2), CredentialID: "aa", Issuer: "RHQ", Status: "invalid", ReasonCodes: "signature_invalid", Reason: "=HYPERLINK(\"x\")", Source: "image"},
		{At: now, CredentialID: "bb", Issuer: "RHQ", Status: "valid", Policy: "not_met", ReasonCodes: "policy_not_met:dbs", Source: "text"},
	}
	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Add(1)
		go func() { defer wg.Done(); l.Record(ctx, e) }()
	}
	wg.Wait()
	if n := l.Today(); n != 1 {
		t.Errorf("today = %d, want 1", n)
	}
	deleted, err := l.Prune()
	if err != nil || deleted != 1 {
		t.Errorf("prune deleted %d (%v), want the 40-day-old row", deleted, err)
	}
	var csv bytes.Buffer
	n, err := l.WriteCSV(&csv, now.AddDate(0, 0, -7), time.Time{})
	if err != nil || n != 2 {
		t.Fatalf("CSV %d rows, %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if lines[0] != strings.Join(CSVHeader, ",") || !strings.Contains(lines[1], `'=HYPERLINK`) || !strings.Contains(lines[2], "policy_not_met:dbs") {
		t.Errorf("CSV:\n%s", csv.String())
	}
	// The trust store still opens with the log table in its file.
	l.Close()
	db2, err := Open(path)
	if err != nil {
		t.Fatalf("trust store refused the file holding the log: %v", err)
	}
	db2.Close()
	if err := l.Record(ctx, entries[0]); err == nil {
		t.Error("Record after Close succeeded")
	}
}

// TestPeriodicPruneFailureIsReported: retention is a privacy promise, so a
// periodic prune that fails must reach the operator, not vanish.
func TestPeriodicPruneFailureIsReported(t *testing.T) {
	db, _ := openTestDB(t)
	reported := make(chan error, 10)
	l, err := OpenLog(db, LogOptions{Retention: time.Hour, PruneEvery: 5 * time.Millisecond,
		PruneFailed: func(err error) { reported <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Break the table under the running log: every prune now fails.
	if _, err := db.sql.Exec("ALTER TABLE station_log RENAME TO station_log_gone"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-reported:
		if !strings.Contains(err.Error(), "pruning the verification log") {
			t.Errorf("reported %v, want a pruning error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a failing periodic prune was never reported")
	}
	if l.PruneError() == nil {
		t.Error("PruneError is nil after a failed prune")
	}
	// Mend the table: the next prune succeeds and clears the error.
	if _, err := db.sql.Exec("ALTER TABLE station_log_gone RENAME TO station_log"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.PruneError() != nil {
		if time.Now().After(deadline) {
			t.Fatal("PruneError still set after the table came back")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLogDecisionAndAction: the log keeps the decision shown and who
// pressed Accept or Refuse, and exports both (the record a receiving site's
// HR keeps).
func TestLogDecisionAndAction(t *testing.T) {
	db, _ := openTestDB(t)
	l, err := OpenLog(db, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	now := time.Now()
	id1, err := l.Add(ctx, Entry{At: now, CredentialID: "aa", Issuer: "RHQ", Status: "valid", Decision: "accept", Source: "text"})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := l.Add(ctx, Entry{At: now, CredentialID: "bb", Issuer: "RHQ", Status: "valid", Decision: "check_needed", Source: "text"})
	if err != nil || id2 == id1 {
		t.Fatalf("ids %d, %d: %v", id1, id2, err)
	}
	pressed := now.Add(30 * time.Second)
	if err := l.SetAction(ctx, id1, ActionAccepted, "=Sam Reception", pressed); err != nil {
		t.Fatal(err)
	}
	if err := l.SetAction(ctx, id2, "maybe", "Sam", pressed); err == nil {
		t.Error("an unknown action was recorded")
	}
	if err := l.SetAction(ctx, id2+100, ActionRefused, "Sam", pressed); err == nil {
		t.Error("an action on a missing row did not fail")
	}
	var got []Entry
	l.Entries(time.Time{}, time.Time{}, func(e Entry) error { got = append(got, e); return nil })
	if len(got) != 2 || got[0].Decision != "accept" || got[0].Action != ActionAccepted || got[0].ActionBy != "=Sam Reception" ||
		got[0].ActionAt.UnixMilli() != pressed.UnixMilli() || got[1].Decision != "check_needed" || got[1].Action != "" || !got[1].ActionAt.IsZero() {
		t.Fatalf("entries %+v", got)
	}
	var b bytes.Buffer
	if _, err := l.WriteCSV(&b, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if !strings.HasSuffix(lines[0], ",decision,action,action_by,action_time") || !strings.Contains(lines[1], ",accept,accepted,'=Sam Reception,") {
		t.Errorf("CSV:\n%s", b.String())
	}
}
