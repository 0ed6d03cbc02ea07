package issue

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestForget: the signed texts of finished batches are cleared (and gone
// from the file's bytes), an unfinished batch keeps its texts for
// --resume, credentials expired before the date are deleted whole, the
// rest stay listable and revocable, and a date in the future is refused.
func TestForget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	reg, err := OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	now := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	t0 := now.AddDate(-2, 0, 0)
	year := 365 * 24 * time.Hour
	n := 0
	ent := func(batch string, iat time.Time) RegisterEntry {
		n++
		return RegisterEntry{ID: fmt.Sprintf("%032x", n), StaffNumber: fmt.Sprintf("S%d", n), Name: "Test", IssuedAt: iat,
			Expires: iat.Add(year), KID: "k", BatchID: batch, Row: n, Status: StatusIssued,
			Text: fmt.Sprintf("SP1:SECRETDOB%04dXYZ", n) + strings.Repeat("A1B2", 170)} // as long as a real one
	}
	old := ent("old", t0) // expired a year ago
	done := ent("done", now.AddDate(0, -1, 0))
	running := ent("running", now.AddDate(0, 0, -1))
	for _, b := range []struct {
		id     string
		e      RegisterEntry
		finish bool
	}{{"old", old, true}, {"done", done, true}, {"running", running, false}} {
		if err := reg.NewBatch(b.id, "staff.csv", b.e.IssuedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.record([]RegisterEntry{b.e}); err != nil {
			t.Fatal(err)
		}
		if b.finish {
			if err := reg.finishBatch(b.id, b.e.IssuedAt); err != nil {
				t.Fatal(err)
			}
		}
	}

	if _, err := reg.Forget(context.Background(), now.AddDate(0, 0, 1), now); err == nil || !strings.Contains(err.Error(), "future") {
		t.Fatalf("a future date was taken: %v", err)
	}
	rep, err := reg.Forget(context.Background(), now, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (ForgetReport{TextsCleared: 1, TextsKept: 1, Deleted: 1}) {
		t.Errorf("report %+v, want 1 cleared, 1 kept, 1 deleted", rep)
	}
	if _, err := reg.Get(old.ID); err == nil {
		t.Error("the expired credential is still there")
	}
	got, err := reg.Get(done.ID)
	if err != nil || got.Text != "" || got.StaffNumber != done.StaffNumber {
		t.Errorf("finished batch's credential: %+v, %v; want it listed without its text", got, err)
	}
	if got, err := reg.Get(running.ID); err != nil || got.Text != running.Text {
		t.Errorf("unfinished batch lost its text: %+v, %v", got, err)
	}
	if err := reg.Revoke(done.ID, "lost", "", now); err != nil {
		t.Errorf("a credential whose text was cleared cannot be revoked: %v", err)
	}
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	var disk []byte
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		disk = append(disk, b...)
	}
	for _, gone := range []string{old.Text, done.Text} {
		if bytes.Contains(disk, []byte(gone)) {
			t.Errorf("%.24s… is still in the register's bytes on disk", gone)
		}
	}
	if !bytes.Contains(disk, []byte(running.Text)) {
		t.Error("the kept text is not on disk: the byte check above proves nothing")
	}
}

// TestForgetWhileAnotherReads: a reader holding a snapshot of the register
// (another program) keeps the old pages in the file; forget refuses, names
// what to do and changes nothing, then succeeds once the reader closes,
// with the texts gone from every page on disk.
func TestForgetWhileAnotherReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	reg, err := OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	now := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	text := "SP1:SECRETDOB0001XYZ" + strings.Repeat("A1B2", 170)
	e := RegisterEntry{ID: fmt.Sprintf("%032x", 1), StaffNumber: "S1", Name: "Test", IssuedAt: now.AddDate(0, -1, 0),
		Expires: now.AddDate(1, 0, 0), KID: "k", BatchID: "b", Row: 2, Status: StatusIssued, Text: text}
	if err := reg.NewBatch("b", "staff.csv", e.IssuedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.record([]RegisterEntry{e}); err != nil {
		t.Fatal(err)
	}
	if err := reg.finishBatch("b", e.IssuedAt); err != nil {
		t.Fatal(err)
	}

	other, err := OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := other.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM credentials WHERE text<>''`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("reader: %d, %v", n, err)
	}
	_, err = reg.Forget(context.Background(), time.Time{}, now)
	if err == nil || !strings.Contains(err.Error(), "another program") {
		t.Fatalf("forget with a reader open: %v, want a refusal naming another program", err)
	}
	if got, _ := reg.Get(e.ID); got.Text != text {
		t.Fatalf("the refused forget changed the register")
	}
	tx.Rollback()
	other.Close()

	rep, err := reg.Forget(context.Background(), time.Time{}, now)
	if err != nil || rep.TextsCleared != 1 {
		t.Fatalf("forget after the reader closed: %+v, %v", rep, err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("SECRETDOB0001")) {
			t.Errorf("the text is still in %s", filepath.Base(f))
		}
	}
}

func TestCountInFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	data := bytes.Repeat([]byte("x"), 3<<20)
	for _, at := range []int{0, 1<<20 - 2, 2<<20 - 1, 3<<20 - 4} { // across the block boundaries and at the ends
		copy(data[at:], "SP1:")
	}
	os.WriteFile(path, data, 0o600)
	if n, err := countInFile(path, []byte("SP1:")); n != 4 || err != nil {
		t.Errorf("countInFile = %d, %v; want 4", n, err)
	}
}
