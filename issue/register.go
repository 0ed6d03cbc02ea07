package issue

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"passport/credential"
	"passport/internal/sqlitedb"
)

// The issuer register: an SQLite file on the HR side recording every
// credential issued, so HR can find what a person holds and revoke it. It
// is opened through internal/sqlitedb; registerMigrations[i] upgrades it from
// schema version i to i+1 (append, never edit a released one).
var registerSchema = sqlitedb.Schema{
	Name:          "issuer register",
	Hint:          "give the register.db that 'passport issue' wrote in its --out directory",
	ApplicationID: 0x50535052, // "PSPR"
	Migrations:    registerMigrations,
	// WAL: 'passport register list' can read while a batch commits.
	Journal: "WAL",
	Legacy:  legacyRegisterVersion,
}

var registerMigrations = []string{
	// 1: batches and their credentials.
	`CREATE TABLE batches (
	id TEXT PRIMARY KEY,
	started TEXT NOT NULL,
	input TEXT NOT NULL,
	runs INTEGER NOT NULL DEFAULT 1,
	finished TEXT
);
CREATE TABLE credentials (
	id TEXT PRIMARY KEY,            -- credential id, lower-case hex
	staff_number TEXT NOT NULL,
	name TEXT NOT NULL,
	issued_at TEXT NOT NULL,
	expires TEXT NOT NULL,
	kid TEXT NOT NULL,
	batch_id TEXT NOT NULL REFERENCES batches(id),
	row INTEGER NOT NULL,
	file TEXT NOT NULL,              -- the person's own PDF, or ''
	combined TEXT NOT NULL DEFAULT '', -- the combined PDF holding the passport, or ''
	page INTEGER NOT NULL DEFAULT 0, -- its first page in the combined PDF
	status TEXT NOT NULL,            -- issued | pending (combined PDF not finished) | void
	revoked_at TEXT,                 -- when the revocation applies from (RFC 3339)
	revoked_reason TEXT              -- note in words
);
CREATE INDEX credentials_staff ON credentials(staff_number);
CREATE INDEX credentials_batch ON credentials(batch_id, status);`,
	// 2: the signed credential (SP1:...), to print it again on --resume.
	`ALTER TABLE credentials ADD COLUMN text TEXT NOT NULL DEFAULT ''`,
	// 3: the revocation reason code (credential.RevocationReasonDefs:
	// superseded, left_employment, lost, withdrawn_for_cause); '' for
	// credentials revoked before codes, exported as their id alone.
	`ALTER TABLE credentials ADD COLUMN revoked_code TEXT NOT NULL DEFAULT ''`,
}

// legacyRegisterVersion recognises a register written before it carried a
// user_version (CREATE TABLE IF NOT EXISTS, no application_id): version 2
// if its credentials keep their text, 1 if not, 0 if the tables are not a
// register's.
func legacyRegisterVersion(q sqlitedb.Querier) (int64, error) {
	var tables, text int
	ctx := context.Background()
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('batches','credentials')`).Scan(&tables)
	if err != nil || tables != 2 {
		return 0, err
	}
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('credentials') WHERE name='text'`).Scan(&text)
	return int64(1 + text), err
}

// Credential statuses in the register.
const (
	StatusIssued  = "issued"
	StatusPending = "pending" // signed, in a combined PDF not yet finished
	// StatusVoid marks a credential signed but never printed by a version
	// that did not keep the credential text, so a resumed batch could not
	// print it again and signed a new one instead.
	StatusVoid = "void"
)

// Register is the issuer register.
type Register struct {
	db   *sql.DB
	path string
}

// RegisterEntry is one credential in the register.
type RegisterEntry struct {
	ID, StaffNumber, Name string
	IssuedAt, Expires     time.Time
	KID, BatchID          string
	Row                   int
	File                  string
	Combined              string
	Page                  int
	Status                string
	RevokedAt             time.Time // the revocation applies from then
	RevokedReason         string    // note in words
	RevokedCode           string    // registry revocation reason code ("superseded"), "" for older entries
	// Text is the signed credential as printed in the code (SP1:...); ""
	// for credentials recorded by versions that did not keep it.
	Text string
}

// OpenRegister opens (creating if needed) the register at path. Registers
// written by older versions are upgraded in place; a file from a newer
// version is refused unchanged.
func OpenRegister(path string) (*Register, error) {
	privateRegister(path)
	db, err := sqlitedb.Open(path, &registerSchema, sqlitedb.Create)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &Register{db: db.DB, path: path}, nil
}

// sqliteFile reports whether path starts with SQLite's file header.
func sqliteFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == "SQLite format 3\x00"
}

// privateRegister makes the register file owner-only (0600) before SQLite
// opens it, as the PDFs and manifests are: it holds every person's signed
// record. A new file is created empty with that mode (SQLite makes an empty
// file a database, and gives its journal, WAL and shared-memory files the
// database file's mode); an existing one readable by others, and its
// companions, are tightened. Failures are left to the open that follows
// to report.
func privateRegister(path string) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		f.Close()
		return
	}
	if !errors.Is(err, fs.ErrExist) || !sqliteFile(path) {
		return // not a register: the open refuses it, and its mode is not ours to change
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			os.Chmod(p, fi.Mode().Perm()&0o700)
		}
	}
}

// Close closes the register.
func (r *Register) Close() error { return r.db.Close() }

const timeFmt = time.RFC3339

// NewBatch records the start of a batch.
func (r *Register) NewBatch(id, input string, now time.Time) error {
	_, err := r.db.Exec(`INSERT INTO batches(id, started, input) VALUES(?,?,?)`, id, now.UTC().Format(timeFmt), input)
	return err
}

// LastUnfinishedBatch returns the most recent batch that did not finish.
func (r *Register) LastUnfinishedBatch() (id, input string, err error) {
	err = r.db.QueryRow(`SELECT id, input FROM batches WHERE finished IS NULL ORDER BY started DESC, rowid DESC LIMIT 1`).Scan(&id, &input)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errors.New("the register has no unfinished batch to resume; run without --resume")
	}
	return id, input, err
}

// resumeBatch starts another run of an interrupted batch and returns the
// credentials the batch already holds, by staff number: they are printed
// again if their PDF is missing, never signed a second time. Pending
// credentials recorded without their text (by older versions) cannot be
// printed again: they are voided and their people issued anew.
func (r *Register) resumeBatch(id string) (map[string]RegisterEntry, error) {
	if _, err := r.db.Exec(`UPDATE credentials SET status=? WHERE batch_id=? AND status=? AND text=''`, StatusVoid, id, StatusPending); err != nil {
		return nil, err
	}
	if _, err := r.db.Exec(`UPDATE batches SET runs=runs+1 WHERE id=?`, id); err != nil {
		return nil, err
	}
	rows, err := r.db.Query(`SELECT `+entryCols+` FROM credentials WHERE batch_id=? AND status IN (?,?)`, id, StatusIssued, StatusPending)
	if err != nil {
		return nil, err
	}
	done := map[string]RegisterEntry{}
	err = scanEntries(rows, func(e RegisterEntry) error {
		done[e.StaffNumber] = e
		return nil
	})
	return done, err
}

func (r *Register) batchRuns(id string) (int, error) {
	var n int
	err := r.db.QueryRow(`SELECT runs FROM batches WHERE id=?`, id).Scan(&n)
	return n, err
}

// finishBatch marks the batch finished and its pending credentials issued.
func (r *Register) finishBatch(id string, now time.Time) error {
	if _, err := r.db.Exec(`UPDATE credentials SET status=? WHERE batch_id=? AND status=?`, StatusIssued, id, StatusPending); err != nil {
		return err
	}
	_, err := r.db.Exec(`UPDATE batches SET finished=? WHERE id=?`, now.UTC().Format(timeFmt), id)
	return err
}

// markIssued turns a run's pending credentials into issued ones (its
// combined PDF is complete).
func (r *Register) markIssued(id string) error {
	_, err := r.db.Exec(`UPDATE credentials SET status=? WHERE batch_id=? AND status=?`, StatusIssued, id, StatusPending)
	return err
}

// record stores entries in one transaction: new credentials are
// inserted, credentials printed again (a resumed batch) get their new
// file, place in the combined PDF and status. Every earlier live
// credential of the same staff number is marked superseded from the new
// one's issue time, in the same transaction, so the register never holds
// two live passports for one person. It returns how many it superseded.
func (r *Register) record(es []RegisterEntry) (superseded int, err error) {
	tx, err := r.db.Begin()
	if err != nil {
		return 0, err
	}
	st, err := tx.Prepare(`INSERT INTO credentials(id, staff_number, name, issued_at, expires, kid, batch_id, row, file, combined, page, status, text)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET row=excluded.row, file=excluded.file, combined=excluded.combined, page=excluded.page, status=excluded.status`)
	if err != nil {
		tx.Rollback()
		return 0, err
	}
	defer st.Close()
	sup, err := tx.Prepare(supersedeSQL)
	if err != nil {
		tx.Rollback()
		return 0, err
	}
	defer sup.Close()
	for _, e := range es {
		iat := e.IssuedAt.UTC().Format(timeFmt)
		if _, err := st.Exec(e.ID, e.StaffNumber, e.Name, iat, e.Expires.UTC().Format(timeFmt), e.KID,
			e.BatchID, e.Row, e.File, e.Combined, e.Page, e.Status, e.Text); err != nil {
			tx.Rollback()
			return 0, err
		}
		res, err := sup.Exec(iat, "replaced by "+e.ID, ReasonSuperseded, e.StaffNumber, e.ID, iat, iat, StatusVoid)
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		n, _ := res.RowsAffected()
		superseded += int(n)
	}
	return superseded, tx.Commit()
}

// ReasonSuperseded is the revocation reason code issue gives an earlier
// passport of a staff number it issues again (credential.RevocationReasonDefs).
const ReasonSuperseded = "superseded"

// supersedeSQL revokes, from the new credential's issue time, the live
// credentials of its staff number issued up to then: not revoked yet, not
// expired, not void (never printed). Times are RFC 3339 UTC, which sort
// as text.
const supersedeSQL = `UPDATE credentials SET revoked_at=?, revoked_reason=?, revoked_code=?
	WHERE staff_number=? AND id<>? AND revoked_at IS NULL AND issued_at<=? AND expires>? AND status<>?`

const entryCols = `id, staff_number, name, issued_at, expires, kid, batch_id, row, file, combined, page, status, COALESCE(revoked_at,''), COALESCE(revoked_reason,''), text, revoked_code`

func scanEntries(rows *sql.Rows, each func(RegisterEntry) error) error {
	defer rows.Close()
	for rows.Next() {
		var e RegisterEntry
		var iat, exp, rev string
		if err := rows.Scan(&e.ID, &e.StaffNumber, &e.Name, &iat, &exp, &e.KID, &e.BatchID, &e.Row, &e.File, &e.Combined, &e.Page,
			&e.Status, &rev, &e.RevokedReason, &e.Text, &e.RevokedCode); err != nil {
			return err
		}
		if err := parseTimes(&e, iat, exp, rev); err != nil {
			return err
		}
		if err := each(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// parseTimes reads an entry's dates. A date that does not parse means the
// register was edited by hand or damaged: reporting it beats showing a
// credential issued in year 1 or, worse, never revoked.
func parseTimes(e *RegisterEntry, iat, exp, rev string) error {
	for _, f := range []struct {
		col, s string
		t      *time.Time
	}{{"issued_at", iat, &e.IssuedAt}, {"expires", exp, &e.Expires}, {"revoked_at", rev, &e.RevokedAt}} {
		if f.s == "" && f.col == "revoked_at" {
			continue
		}
		t, err := time.Parse(timeFmt, f.s)
		if err != nil {
			return fmt.Errorf("credential %s: %s %q is not an RFC 3339 time (the register is damaged or was edited by hand)", e.ID, f.col, f.s)
		}
		*f.t = t
	}
	return nil
}

// ListFilter selects register entries; empty fields match everything.
type ListFilter struct {
	StaffNumber string
	BatchID     string
	RevokedOnly bool
	Limit       int // 0: no limit
}

// List calls each for the matching entries, newest first.
func (r *Register) List(f ListFilter, each func(RegisterEntry) error) error {
	q := `SELECT ` + entryCols + ` FROM credentials WHERE 1=1`
	var args []any
	if f.StaffNumber != "" {
		q += ` AND staff_number=?`
		args = append(args, f.StaffNumber)
	}
	if f.BatchID != "" {
		q += ` AND batch_id=?`
		args = append(args, f.BatchID)
	}
	if f.RevokedOnly {
		q += ` AND revoked_at IS NOT NULL`
	}
	q += ` ORDER BY issued_at DESC, batch_id, row`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := r.db.Query(q, args...)
	if err != nil {
		return err
	}
	return scanEntries(rows, each)
}

// Get returns the credential with the id (lower- or upper-case hex).
func (r *Register) Get(id string) (RegisterEntry, error) {
	var out RegisterEntry
	found := false
	rows, err := r.db.Query(`SELECT `+entryCols+` FROM credentials WHERE id=?`, strings.ToLower(id))
	if err != nil {
		return out, err
	}
	err = scanEntries(rows, func(e RegisterEntry) error { out, found = e, true; return nil })
	if err == nil && !found {
		err = fmt.Errorf("no credential %s in the register (list them with 'passport register list --staff NUMBER')", id)
	}
	return out, err
}

// Revoke marks a credential revoked from now with a reason code of the
// registry (left_employment, lost, withdrawn_for_cause, superseded) and a
// note in words. Revoking twice keeps the first date, reason and note.
func (r *Register) Revoke(id, code, note string, now time.Time) error {
	id = strings.ToLower(strings.TrimSpace(id))
	if _, err := hex.DecodeString(id); err != nil || len(id) != 32 {
		return fmt.Errorf("%q is not a credential id (32 hexadecimal digits, as printed on the passport)", id)
	}
	d, err := credential.ParseRevocationReason(code)
	if err != nil {
		return err
	}
	res, err := r.db.Exec(`UPDATE credentials SET revoked_code=CASE WHEN revoked_at IS NULL THEN ? ELSE revoked_code END,
		revoked_at=COALESCE(revoked_at, ?), revoked_reason=COALESCE(revoked_reason, ?) WHERE id=?`,
		d.Code, now.UTC().Format(timeFmt), note, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no credential %s in the register", id)
	}
	return nil
}

// ExportRevoked writes the revoked credentials in the form 'passport
// authority bundle --revoked' reads: one per line, the lower-case hex id,
// its revocation reason code and the time it applies from (RFC 3339), e.g.
// "5d6c…3e,superseded,2027-03-03T10:15:00Z". An entry revoked before
// reasons were recorded is its id alone, as the first release wrote it.
func (r *Register) ExportRevoked(w io.Writer) (int, error) {
	rows, err := r.db.Query(`SELECT id, revoked_code, revoked_at FROM credentials WHERE revoked_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, code, at string
		if err := rows.Scan(&id, &code, &at); err != nil {
			return n, err
		}
		line := id
		if code != "" {
			line += "," + code + "," + at
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
