package issue

import (
	"bytes"
	"context"
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
