package sitedb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	// The oldest first: the log is a chain in the order rows are written,
	// and retention deletes its oldest rows (as a station writes them, in
	// time order); the rest at once, as concurrent requests write them.
	if err := l.Record(ctx, entries[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, e := range entries[1:] {
		wg.Add(1)
		go func() { defer wg.Done(); l.Record(ctx, e) }()
	}
	wg.Wait()
	if n, err := l.Today(); n != 1 || err != nil {
		t.Errorf("today = %d (%v), want 1", n, err)
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
	act1, err := l.AddAction(ctx, Action{Ref: id1, Action: ActionAccepted, By: "=Sam Reception", At: pressed})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddAction(ctx, Action{Ref: id2, Action: "maybe", By: "Sam", At: pressed}); err == nil {
		t.Error("an unknown action was recorded")
	}
	if _, err := l.AddAction(ctx, Action{Ref: id2 + 100, Action: ActionRefused, By: "Sam", At: pressed}); !errors.Is(err, ErrNoVerification) {
		t.Errorf("an action on a missing row: %v", err)
	}
	if _, err := l.AddAction(ctx, Action{Ref: act1, Action: ActionRefused, By: "Sam", At: pressed}); !errors.Is(err, ErrNoVerification) {
		t.Errorf("an action on an action row: %v", err)
	}
	var got []Entry
	l.Entries(time.Time{}, time.Time{}, func(e Entry) error { got = append(got, e); return nil })
	if len(got) != 3 || got[0].Decision != "accept" || got[0].Action != "" || got[1].Decision != "check_needed" || got[1].Action != "" ||
		got[2].Ref != id1 || got[2].Action != ActionAccepted || got[2].ActionBy != "=Sam Reception" || got[2].CredentialID != "aa" ||
		got[2].Decision != "accept" || got[2].ActionAt.UnixMilli() != pressed.UnixMilli() {
		t.Fatalf("entries %+v", got)
	}
	if n, err := l.Today(); n != 2 || err != nil {
		t.Errorf("today = %d (%v): an Accept is not a verification", n, err)
	}
	var b bytes.Buffer
	if _, err := l.WriteCSV(&b, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if !strings.HasSuffix(lines[0], ",decision,action,action_by,action_time,trust_version,ref,id,hash,policy_name") ||
		!strings.Contains(lines[3], fmt.Sprintf(",accept,accepted,'=Sam Reception,%s,0,%d,%d,%s", pressed.UTC().Format(csvTime), id1, act1, got[2].Hash)) {
		t.Errorf("CSV:\n%s", b.String())
	}
}

// TestActionOncePerVerification: a press is a new row, never an update;
// a second press on the same verification is refused, and accepting a
// CHECK NEEDED verification needs a reason, kept as an override.
func TestActionOncePerVerification(t *testing.T) {
	db, _ := openTestDB(t)
	l, err := OpenLog(db, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	now := time.Now()
	v, err := l.Add(ctx, Entry{At: now, CredentialID: "aa", Issuer: "RHQ", Status: "valid", Decision: "check_needed", Source: "text", TrustVersion: 12})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddAction(ctx, Action{Ref: v, Action: ActionAccepted, By: "Alice", At: now}); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("accepting CHECK NEEDED without a reason: %v", err)
	}
	if _, err := l.AddAction(ctx, Action{Ref: v, Action: ActionRefused, By: "Alice", At: now}); err != nil {
		t.Fatal(err)
	}
	// A replay, one after the other and several at once: all refused.
	if _, err := l.AddAction(ctx, Action{Ref: v, Action: ActionAccepted, By: "Mallory", Reason: "x", At: now}); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("second press: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.AddAction(ctx, Action{Ref: v, Action: ActionAccepted, By: "Mallory", Reason: "x", At: now}); !errors.Is(err, ErrAlreadyDecided) {
				t.Errorf("concurrent replay: %v", err)
			}
		}()
	}
	wg.Wait()
	v2, _ := l.Add(ctx, Entry{At: now, CredentialID: "bb", Status: "valid", Decision: "check_needed", Source: "text"})
	if _, err := l.AddAction(ctx, Action{Ref: v2, Action: ActionAccepted, By: "Alice", Reason: "DBS seen on paper", At: now}); err != nil {
		t.Fatal(err)
	}
	var got []Entry
	l.Entries(time.Time{}, time.Time{}, func(e Entry) error { got = append(got, e); return nil })
	if len(got) != 4 || got[0].Action != "" || got[0].TrustVersion != 12 || got[1].Action != ActionRefused || got[1].ActionBy != "Alice" ||
		got[3].Action != ActionAccepted || got[3].ReasonCodes != ReasonOverride || got[3].Reason != "DBS seen on paper" {
		t.Errorf("entries %+v", got)
	}
	if _, err := db.VerifyLog(); err != nil {
		t.Errorf("VerifyLog: %v", err)
	}
}
