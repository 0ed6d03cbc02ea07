// Package sqlitedb is the one way passport opens a SQLite file it owns: a
// fixed DSN (busy timeout, foreign keys, full sync, immediate write
// transactions), a header check before the driver sees the file, an
// application id (PRAGMA application_id) that tells our files from any other
// SQLite database, and an ordered list of migrations tracked in PRAGMA
// user_version.
//
// A file from a newer schema than the code knows is refused before anything
// is written, with a message saying to upgrade passport. Migrations run in one
// transaction together with the user_version update, so a file is always at
// exactly one schema version.
//
// Import rules: only the SQLite driver and the standard library. Packages
// that own a file (sitedb, and issue for the issuer register) describe it with a
// Schema and open it here; nothing else imports the driver.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// BusyTimeout is how long a statement waits for another process's lock (for
// example a `trust import` committing) before failing.
const BusyTimeout = 5 * time.Second

// header starts every SQLite 3 database file.
const header = "SQLite format 3\x00"

// Schema describes one kind of file.
type Schema struct {
	// Name is what the file is called in messages ("passport site database").
	Name string
	// Hint says what file to give instead when this one is refused.
	Hint string
	// ApplicationID is written to PRAGMA application_id by the first
	// migration's transaction and checked on every open.
	ApplicationID int32
	// Migrations[i] upgrades the file from schema version i to i+1.
	Migrations []string
	// Journal is the SQLite journal mode: "DELETE" keeps the database one
	// file (copyable, usable from read-only media); "WAL" lets readers run
	// while a writer commits.
	Journal string
	// Legacy, if set, recognises a file of ours written before it carried an
	// application_id and user_version (version 0 with tables): it returns the
	// schema version those tables are, or 0 if they are not ours. Open then
	// marks the file and runs the later migrations, so files from older
	// releases keep opening.
	Legacy func(q Querier) (int64, error)
}

// Querier is what a Legacy hook may read with.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Version is the schema version the code writes: len(Migrations).
func (s *Schema) Version() int64 { return int64(len(s.Migrations)) }

// Mode says whether Open may create a new database.
type Mode int

const (
	// Create makes a new database when the file is missing or empty.
	Create Mode = iota
	// Existing refuses a missing or empty file: only commands that set a
	// database up create one.
	Existing
)

// DB is an open database of one Schema.
type DB struct {
	*sql.DB
	Path   string
	schema *Schema
}

// Open opens the database at path, creating it if mode is Create, and
// migrating an older schema to s.Version(). It refuses a file that is not
// SQLite, a SQLite database of another application or with other tables, and
// a file from a newer schema, with a message naming the file and what to do;
// none of these refusals writes to the file.
func Open(path string, s *Schema, mode Mode) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("no %s file given: use --db FILE", s.Name)
	}
	if err := checkHeader(path, s, mode); err != nil {
		return nil, err
	}
	journal := s.Journal
	if journal == "" {
		journal = "DELETE"
	}
	dsn := fmt.Sprintf("file:%s?_busy_timeout=%d&_foreign_keys=on&_journal_mode=%s&_synchronous=FULL&_txlock=immediate",
		uriPath(path), BusyTimeout.Milliseconds(), journal)
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s %s: %w", s.Name, path, err)
	}
	db := &DB{DB: sdb, Path: path, schema: s}
	if err := db.init(context.Background()); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// uriPath escapes a file path for a SQLite "file:" URI, where '?' would
// start the options and '#' a fragment: "ward#3.db" would otherwise open
// "ward". SQLite decodes %XX escapes in the path, and a path that itself
// starts with "file:" stays a plain path.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// checkHeader refuses an existing non-empty file that is not SQLite before
// the driver sees it, and in Existing mode a missing or empty file.
func checkHeader(path string, s *Schema, mode Mode) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if mode == Existing {
			return fmt.Errorf("the %s %s does not exist", s.Name, path)
		}
		dir := filepath.Dir(path)
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("cannot create %s %s: directory %s: %w", s.Name, path, dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening %s: %w", s.Name, err)
	}
	defer f.Close()
	var hdr [len(header)]byte
	n, err := io.ReadFull(f, hdr[:])
	if n == 0 && err == io.EOF {
		if mode == Existing {
			return fmt.Errorf("%s is an empty file, not a %s: %s", path, s.Name, s.Hint)
		}
		return nil // empty file: SQLite treats it as a new database
	}
	if string(hdr[:n]) != header {
		return fmt.Errorf("%s is not a %s (not a SQLite database): %s", path, s.Name, s.Hint)
	}
	return nil
}

func (db *DB) init(ctx context.Context) error {
	s := db.schema
	var appID, version int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return db.Wrap("reading", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return db.Wrap("reading", err)
	}
	if appID != 0 && appID != int64(s.ApplicationID) {
		return fmt.Errorf("%s is a SQLite database of another application (application_id %#x), not a %s: %s", db.Path, appID, s.Name, s.Hint)
	}
	if version > s.Version() {
		return fmt.Errorf("%s %s has schema version %d, newer than this passport understands (%d): upgrade passport; the file was not changed", s.Name, db.Path, version, s.Version())
	}
	if version == 0 {
		var tables int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
			return db.Wrap("reading", err)
		}
		if tables > 0 {
			from, err := db.legacyVersion()
			if err != nil {
				return err
			}
			return db.migrate(ctx, version, from)
		}
	} else if appID != int64(s.ApplicationID) {
		return fmt.Errorf("%s is a SQLite database but not a %s (application_id %#x): %s", db.Path, s.Name, appID, s.Hint)
	}
	if version < s.Version() {
		return db.migrate(ctx, version, version)
	}
	return nil
}

// legacyVersion asks the schema's Legacy hook what an unmarked file with
// tables is; without a hook, or if the hook does not know the tables, the
// file is someone else's.
func (db *DB) legacyVersion() (int64, error) {
	s := db.schema
	if s.Legacy != nil {
		v, err := s.Legacy(db.DB)
		if err != nil {
			return 0, db.Wrap("reading", err)
		}
		if v > 0 && v <= s.Version() {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%s is a SQLite database but not a %s: %s", db.Path, s.Name, s.Hint)
}

// migrate runs, in one transaction, the migrations from version from on a
// file whose user_version reads stored (0 for a legacy file adopted at
// version from; otherwise equal to from).
func (db *DB) migrate(ctx context.Context, stored, from int64) error {
	s := db.schema
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return db.Wrap("migrating", err)
	}
	defer tx.Rollback()
	// Re-read inside the write lock: another process may have migrated meanwhile.
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return db.Wrap("migrating", err)
	}
	if version != stored {
		if version == s.Version() {
			return nil
		}
		return fmt.Errorf("%s %s changed schema version from %d to %d while opening: try again", s.Name, db.Path, stored, version)
	}
	for v := from; v < s.Version(); v++ {
		if _, err := tx.ExecContext(ctx, s.Migrations[v]); err != nil {
			return fmt.Errorf("migrating %s %s to schema version %d: %w", s.Name, db.Path, v+1, err)
		}
	}
	stmts := fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", s.ApplicationID, s.Version())
	if _, err := tx.ExecContext(ctx, stmts); err != nil {
		return db.Wrap("migrating", err)
	}
	if err := tx.Commit(); err != nil {
		return db.Wrap("migrating", err)
	}
	return nil
}

// Wrap turns a driver error into one that names the file and says what to
// do; doing is the verb shown otherwise ("reading", "writing").
func (db *DB) Wrap(doing string, err error) error {
	s := db.schema
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return fmt.Errorf("%s is not a %s (not a SQLite database)", db.Path, s.Name)
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("%s %s is damaged (%v): restore it from a backup or build a new one", s.Name, db.Path, err)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("%s %s is locked by another process: try again when it has finished", s.Name, db.Path)
		case sqlite3.ErrCantOpen:
			return fmt.Errorf("cannot open %s %s: check the path and that its directory exists and is writable", s.Name, db.Path)
		case sqlite3.ErrReadonly:
			return fmt.Errorf("%s %s is read-only: check the file's permissions", s.Name, db.Path)
		}
	}
	return fmt.Errorf("%s %s %s: %w", doing, s.Name, db.Path, err)
}
