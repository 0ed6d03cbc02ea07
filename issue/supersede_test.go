package issue

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRecordSupersedes: recording a credential for a staff number marks
// its earlier live credentials superseded from the new one's issue time,
// and leaves alone other people, expired and void credentials, a newer
// credential, and the credential itself printed again.
func TestRecordSupersedes(t *testing.T) {
	reg, err := OpenRegister(filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	if err := reg.NewBatch("b", "x", t0); err != nil {
		t.Fatal(err)
	}
	n := 0
	ent := func(staff string, iat time.Time, valid time.Duration, status string) RegisterEntry {
		n++
		return RegisterEntry{ID: fmt.Sprintf("%032x", n), StaffNumber: staff, Name: "Test", IssuedAt: iat, Expires: iat.Add(valid),
			KID: "k", BatchID: "b", Row: n, Status: status}
	}
	year := 365 * 24 * time.Hour
	live := ent("S1", t0, year, StatusIssued)
	pending := ent("S1", t0.Add(time.Hour), year, StatusPending)
	expired := ent("S1", t0.AddDate(-2, 0, 0), year, StatusIssued)
	void := ent("S1", t0, year, StatusVoid)
	other := ent("S2", t0, year, StatusIssued)
	newer := ent("S3", t0.AddDate(0, 6, 0), year, StatusIssued)
	// The earlier state is written directly: record itself would already
	// let pending supersede live.
	for _, e := range []RegisterEntry{live, pending, expired, void, other, newer} {
		if _, err := reg.db.Exec(`INSERT INTO credentials(id, staff_number, name, issued_at, expires, kid, batch_id, row, file, status)
			VALUES(?,?,?,?,?,?,?,?,'',?)`, e.ID, e.StaffNumber, e.Name, e.IssuedAt.Format(timeFmt), e.Expires.Format(timeFmt),
			e.KID, e.BatchID, e.Row, e.Status); err != nil {
			t.Fatal(err)
		}
	}
	// Same second as pending's: still superseded (issued_at <= the new one's).
	again := ent("S1", t0.Add(time.Hour), year, StatusIssued)
	older3 := ent("S3", t0.AddDate(0, 1, 0), year, StatusIssued) // backdated: must not supersede the newer S3
	k, err := reg.record([]RegisterEntry{again, older3})
	if err != nil || k != 2 {
		t.Fatalf("superseded %d (%v), want 2 (live and pending)", k, err)
	}
	if k, err := reg.record([]RegisterEntry{again}); err != nil || k != 0 {
		t.Fatalf("printing the same credential again superseded %d (%v)", k, err)
	}
	want := map[string]string{live.ID: "superseded", pending.ID: "superseded", expired.ID: "", void.ID: "", other.ID: "", newer.ID: "", again.ID: "", older3.ID: ""}
	for id, code := range want {
		e, err := reg.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if e.RevokedCode != code {
			t.Errorf("%s (%s, %s): revoked code %q, want %q", id, e.StaffNumber, e.Status, e.RevokedCode, code)
		}
		if code != "" && (!e.RevokedAt.Equal(again.IssuedAt) || !strings.Contains(e.RevokedReason, again.ID)) {
			t.Errorf("%s: revoked at %s (%q), want from the new one's issue time %s", id, e.RevokedAt, e.RevokedReason, again.IssuedAt)
		}
	}
	var b bytes.Buffer
	if k, err := reg.ExportRevoked(&b); err != nil || k != 2 {
		t.Fatalf("export %d, %v", k, err)
	}
	line := live.ID + ",superseded," + again.IssuedAt.Format(time.RFC3339) + "\n"
	if !strings.Contains(b.String(), line) {
		t.Fatalf("export %q lacks %q", b.String(), line)
	}
}
