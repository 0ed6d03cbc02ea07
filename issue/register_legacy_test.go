package issue

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// legacyDDL is the register schema exactly as releases before the move to
// internal/sqlitedb created it (CREATE TABLE IF NOT EXISTS, no
// application_id, no user_version). The oldest kept no credential text.
const legacyDDL = `
CREATE TABLE IF NOT EXISTS batches (
	id TEXT PRIMARY KEY,
	started TEXT NOT NULL,
	input TEXT NOT NULL,
	runs INTEGER NOT NULL DEFAULT 1,
	finished TEXT
);
CREATE TABLE IF NOT EXISTS credentials (
	id TEXT PRIMARY KEY,
	staff_number TEXT NOT NULL,
	name TEXT NOT NULL,
	issued_at TEXT NOT NULL,
	expires TEXT NOT NULL,
	kid TEXT NOT NULL,
	batch_id TEXT NOT NULL REFERENCES batches(id),
	row INTEGER NOT NULL,
	file TEXT NOT NULL,
	combined TEXT NOT NULL DEFAULT '',
	page INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	revoked_at TEXT,
	revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS credentials_staff ON credentials(staff_number);
CREATE INDEX IF NOT EXISTS credentials_batch ON credentials(batch_id, status);
`

// TestRegisterOpensLegacyFiles builds registers the way the old code did
// (with and without the text column, in WAL mode, with a revoked
// credential) and opens them with OpenRegister: every row is still there,
// the file is marked and at the current schema version, and it keeps
// working (a new batch, a revocation).
func TestRegisterOpensLegacyFiles(t *testing.T) {
	for _, withText := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "register.db")
		raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_foreign_keys=on")
		if err != nil {
			t.Fatal(err)
		}
		ddl := legacyDDL
		if withText {
			ddl += `ALTER TABLE credentials ADD COLUMN text TEXT NOT NULL DEFAULT '';`
		}
		if _, err := raw.Exec(ddl + `
			INSERT INTO batches(id, started, input, finished) VALUES('b1','2026-01-02T03:04:05Z','staff.csv','2026-01-02T03:05:00Z');
			INSERT INTO credentials(id, staff_number, name, issued_at, expires, kid, batch_id, row, file, status, revoked_at, revoked_reason)
			VALUES('00112233445566778899aabbccddeeff','T1','Ann Test','2026-01-02T03:04:05Z','2027-01-02T03:04:05Z','abcd','b1',2,'T1.pdf','issued','2026-02-01T00:00:00Z','lost');`); err != nil {
			t.Fatal(err)
		}
		raw.Close()

		reg, err := OpenRegister(path)
		if err != nil {
			t.Fatalf("text column %v: %v", withText, err)
		}
		en, err := reg.Get("00112233445566778899AABBCCDDEEFF")
		if err != nil {
			t.Fatal(err)
		}
		if en.StaffNumber != "T1" || en.Name != "Ann Test" || en.File != "T1.pdf" || en.RevokedReason != "lost" || en.Text != "" ||
			!en.IssuedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("text column %v: old entry read back as %+v", withText, en)
		}
		var version, app int64
		reg.db.QueryRow("PRAGMA user_version").Scan(&version)
		reg.db.QueryRow("PRAGMA application_id").Scan(&app)
		if version != registerSchema.Version() || app != int64(registerSchema.ApplicationID) {
			t.Errorf("text column %v: user_version %d application_id %#x after open", withText, version, app)
		}
		if err := reg.NewBatch("b2", "more.csv", benchNow); err != nil {
			t.Fatal(err)
		}
		if err := reg.record([]RegisterEntry{{ID: "ffeeddccbbaa99887766554433221100", StaffNumber: "T2", Name: "Bob Test",
			IssuedAt: benchNow, Expires: benchNow.AddDate(1, 0, 0), KID: "abcd", BatchID: "b2", Row: 2, File: "T2.pdf",
			Status: StatusIssued, Text: "SP1:TEST"}}); err != nil {
			t.Fatalf("text column %v: writing a new credential: %v", withText, err)
		}
		reg.Close()

		// Opened again: already current, nothing migrates twice.
		reg, err = OpenRegister(path)
		if err != nil {
			t.Fatalf("text column %v: second open: %v", withText, err)
		}
		if en, err := reg.Get("ffeeddccbbaa99887766554433221100"); err != nil || en.Text != "SP1:TEST" {
			t.Errorf("text column %v: new entry %+v, %v", withText, en, err)
		}
		reg.Close()
	}
}

// TestRegisterRefusesOtherDatabases: the site database, or any other
// SQLite file, is not taken for a register (the old code created the
// register's tables inside it).
func TestRegisterRefusesOtherDatabases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE staff (id TEXT)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if reg, err := OpenRegister(path); err == nil {
		reg.Close()
		t.Fatal("a foreign SQLite file opened as a register")
	}
}
