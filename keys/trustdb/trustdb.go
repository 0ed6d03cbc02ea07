// Package trustdb is the SQLite trust store of a verifying site: the issuer
// keys it trusts (directly, or later from signed trust-list bundles), the
// authority keys it pins and the revoked credential ids. It implements
// trust.TrustStore and is the only package that imports the SQLite driver.
//
// The store is one SQLite file in rollback-journal mode (a single file that
// can be copied or kept on read-only media), with foreign keys on and a busy
// timeout so a verifier station and a concurrent `trust import` wait for
// each other instead of failing. The schema is described in schema.go.
package trustdb

import (
	"bytes"
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"passport/trust"

	"github.com/mattn/go-sqlite3"
)

// busyTimeout is how long a statement waits for another process's lock
// (for example a `trust import` committing) before failing.
const busyTimeout = 5 * time.Second

// sqliteHeader starts every SQLite 3 database file.
const sqliteHeader = "SQLite format 3\x00"

// DB is an open trust store. It implements trust.TrustStore and is safe for
// concurrent use.
type DB struct {
	path string
	sql  *sql.DB

	revokedStmt *sql.Stmt

	mu      sync.Mutex        // guards everything below
	file    *os.File          // the database file, for its header's change counter
	watch   *sql.Conn         // WAL only: dedicated connection for PRAGMA data_version
	snap    map[string]*entry // key cache, nil until first used
	version int64             // change counter (or data_version) when snap was loaded

	info        *trust.ListInfo // Info cache, nil until first used
	infoVersion int64           // change counter when info was computed
}

// entry is one cached issuer key; its public key is parsed on first use so
// opening a store with many keys stays fast.
type entry struct {
	key  trust.TrustedKey // PublicKey set by once
	der  []byte           // PKIX DER of the public key
	once sync.Once
	err  error
}

var _ trust.TrustStore = (*DB)(nil)

// Open opens the trust store at path, creating it if it does not exist and
// migrating an older schema to SchemaVersion. A file that is not a SQLite
// database, a SQLite database that is not a passport trust store, or a store
// with a newer schema version is refused with an error saying so. Opening a
// store that is already current writes nothing.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("no trust store file given: use --db FILE")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("trust store path %q contains '?' or '#': rename it", path)
	}
	if strings.HasPrefix(path, "file:") {
		path = "." + string(filepath.Separator) + path // a plain path, not a SQLite URI
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	dsn := fmt.Sprintf("%s?_busy_timeout=%d&_foreign_keys=on&_journal_mode=DELETE&_synchronous=FULL&_txlock=immediate",
		path, busyTimeout.Milliseconds())
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening trust store %s: %w", path, err)
	}
	db := &DB{path: path, sql: sdb}
	if err := db.init(); err != nil {
		sdb.Close()
		return nil, err
	}
	if db.file, err = os.Open(path); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening trust store: %w", err)
	}
	return db, nil
}

// checkHeader refuses an existing non-empty file that is not SQLite, before
// the driver sees it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		dir := filepath.Dir(path)
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("cannot create trust store %s: directory %s: %w", path, dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening trust store: %w", err)
	}
	defer f.Close()
	var hdr [len(sqliteHeader)]byte
	n, err := io.ReadFull(f, hdr[:])
	if n == 0 && (err == io.EOF) {
		return nil // empty file: SQLite treats it as a new database
	}
	if string(hdr[:n]) != sqliteHeader {
		return fmt.Errorf("%s is not a passport trust store (not a SQLite database): give the --db file made by `passport trust add` or `trust init`", path)
	}
	return nil
}

func (db *DB) init() error {
	ctx := context.Background()
	var appID, version int64
	if err := db.sql.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return db.wrap("reading", err)
	}
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return db.wrap("reading", err)
	}
	if appID != 0 && appID != applicationID {
		return fmt.Errorf("%s is a SQLite database of another application (application_id %#x), not a passport trust store", db.path, appID)
	}
	if version > SchemaVersion {
		return fmt.Errorf("trust store %s has schema version %d, newer than this passport understands (%d): upgrade passport", db.path, version, SchemaVersion)
	}
	if version == 0 {
		var tables int
		if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
			return db.wrap("reading", err)
		}
		if tables > 0 {
			return fmt.Errorf("%s is a SQLite database but not a passport trust store: give another --db file", db.path)
		}
	} else if appID != applicationID {
		return fmt.Errorf("%s is a SQLite database but not a passport trust store (application_id %#x): give another --db file", db.path, appID)
	}
	if version < SchemaVersion {
		if err := db.migrate(ctx, version); err != nil {
			return err
		}
	}
	var err error
	if db.revokedStmt, err = db.sql.PrepareContext(ctx, "SELECT 1 FROM revoked_credentials WHERE cti = ?"); err != nil {
		return db.wrap("preparing", err)
	}
	return nil
}

// migrate runs migrations[from:] in one transaction.
func (db *DB) migrate(ctx context.Context, from int64) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return db.wrap("migrating", err)
	}
	defer tx.Rollback()
	// Re-read inside the write lock: another process may have migrated meanwhile.
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return db.wrap("migrating", err)
	}
	if version != from {
		if version == SchemaVersion {
			return nil
		}
		return fmt.Errorf("trust store %s changed schema version from %d to %d while opening: try again", db.path, from, version)
	}
	for v := from; v < SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrating trust store %s to schema version %d: %w", db.path, v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
		return db.wrap("migrating", err)
	}
	if err := tx.Commit(); err != nil {
		return db.wrap("migrating", err)
	}
	return nil
}

// wrap turns a driver error into one that names the file and says what to do.
func (db *DB) wrap(doing string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return fmt.Errorf("%s is not a passport trust store (not a SQLite database)", db.path)
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("trust store %s is damaged (%v): restore it or build a new one with `trust init`/`trust add`", db.path, err)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("trust store %s is locked by another process: try again when it has finished", db.path)
		case sqlite3.ErrCantOpen:
			return fmt.Errorf("cannot open trust store %s: check the path and that its directory exists and is writable", db.path)
		case sqlite3.ErrReadonly:
			return fmt.Errorf("trust store %s is read-only: check the file's permissions", db.path)
		}
	}
	return fmt.Errorf("%s trust store %s: %w", doing, db.path, err)
}

// Close releases the store.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.watch != nil {
		db.watch.Close()
		db.watch = nil
	}
	if db.file != nil {
		db.file.Close()
		db.file = nil
	}
	db.snap = nil
	db.mu.Unlock()
	if db.revokedStmt != nil {
		db.revokedStmt.Close()
	}
	return db.sql.Close()
}

// Path is the file the store was opened from.
func (db *DB) Path() string { return db.path }

// AddCertificate trusts an issuer certificate directly (`trust add`). The kid
// is trust.KeyID(cert.Raw); the org code comes from trust.OrgCodeOf, else the
// subject's O, else its CN; the validity window is the certificate's. The
// public key must be ECDSA P-256, RSA (trust.MinRSABits–trust.MaxRSABits) or
// Ed25519. Adding the same certificate again changes nothing. It returns the
// key as stored.
func (db *DB) AddCertificate(cert *x509.Certificate) (*trust.TrustedKey, error) {
	if cert == nil || len(cert.Raw) == 0 {
		return nil, errors.New("no certificate given")
	}
	subject := cert.Subject.String()
	if err := trust.CheckPublicKey(cert.PublicKey); err != nil {
		return nil, fmt.Errorf("certificate %q: %w", subject, err)
	}
	orgName := cert.Subject.CommonName
	if len(cert.Subject.Organization) > 0 && cert.Subject.Organization[0] != "" {
		orgName = cert.Subject.Organization[0]
	}
	orgCode := trust.OrgCodeOf(cert)
	if orgCode == "" {
		orgCode = orgName
	}
	if orgCode == "" {
		return nil, fmt.Errorf("certificate %q names no organisation (no passport org code, O or CN): it cannot be matched to credentials", subject)
	}
	if orgName == "" {
		orgName = orgCode
	}
	k := trust.TrustedKey{
		KID:        trust.KeyID(cert.Raw),
		OrgCode:    orgCode,
		OrgName:    orgName,
		PublicKey:  cert.PublicKey,
		ValidFrom:  cert.NotBefore.UTC(),
		ValidUntil: cert.NotAfter.UTC(),
		Source:     trust.SourceDirect,
	}
	ctx := context.Background()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.wrap("writing", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT source, public_key, certificate FROM issuer_keys WHERE kid = ?", k.KID)
	if err != nil {
		return nil, db.wrap("reading", err)
	}
	haveDirect := false
	for rows.Next() {
		var source string
		var pub, der []byte
		if err := rows.Scan(&source, &pub, &der); err != nil {
			rows.Close()
			return nil, db.wrap("reading", err)
		}
		if !bytes.Equal(pub, cert.RawSubjectPublicKeyInfo) {
			rows.Close()
			return nil, fmt.Errorf("key id %x is already trusted (%s) for a different public key: refusing certificate %q", k.KID, source, subject)
		}
		if source == trust.SourceDirect {
			if !bytes.Equal(der, cert.Raw) {
				rows.Close()
				return nil, fmt.Errorf("key id %x is already trusted for a different certificate: refusing certificate %q", k.KID, subject)
			}
			haveDirect = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap("reading", err)
	}
	rows.Close()
	if haveDirect {
		return &k, nil // idempotent
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO issuer_keys
		(kid, source, org_code, org_name, public_key, certificate, valid_from, valid_until, revoked, revoked_from, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)`,
		k.KID, k.Source, k.OrgCode, k.OrgName, cert.RawSubjectPublicKeyInfo, cert.Raw,
		unixOrNull(k.ValidFrom), unixOrNull(k.ValidUntil), time.Now().Unix())
	if err != nil {
		return nil, db.wrap("writing", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, db.wrap("writing", err)
	}
	db.invalidate()
	return &k, nil
}

// Keys lists every trusted key, ordered by org code, kid and source. A kid
// present from both sources is listed twice.
func (db *DB) Keys() ([]trust.TrustedKey, error) {
	rows, err := db.sql.Query(`SELECT ` + keyColumns + ` FROM issuer_keys ORDER BY org_code, kid, source`)
	if err != nil {
		return nil, db.wrap("reading", err)
	}
	defer rows.Close()
	var out []trust.TrustedKey
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, db.wrap("reading", err)
		}
		pub, err := parsePublicKey(e)
		if err != nil {
			return nil, err
		}
		e.key.PublicKey = pub
		out = append(out, e.key)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap("reading", err)
	}
	return out, nil
}

const keyColumns = `kid, source, org_code, org_name, public_key, valid_from, valid_until, revoked, revoked_from`

func scanEntry(rows *sql.Rows) (*entry, error) {
	var e entry
	var from, until, revokedFrom sql.NullInt64
	var revoked int64
	if err := rows.Scan(&e.key.KID, &e.key.Source, &e.key.OrgCode, &e.key.OrgName, &e.der, &from, &until, &revoked, &revokedFrom); err != nil {
		return nil, err
	}
	e.key.ValidFrom = timeOf(from)
	e.key.ValidUntil = timeOf(until)
	e.key.Revoked = revoked != 0
	e.key.RevokedFrom = timeOf(revokedFrom)
	return &e, nil
}

func parsePublicKey(e *entry) (any, error) {
	pub, err := x509.ParsePKIXPublicKey(e.der)
	if err == nil {
		err = trust.CheckPublicKey(pub)
	}
	if err != nil {
		return nil, fmt.Errorf("trust store entry for key id %x (%s) is damaged: %v; remove and re-add it", e.key.KID, e.key.OrgCode, err)
	}
	return pub, nil
}

// Key returns the trusted key for kid, or an error wrapping trust.ErrUnknownKey.
// When kid is trusted both directly and by a bundle, the bundle's entry is
// returned. Lookups are served from a cache that is reloaded when the file
// changes (the header's change counter), so a running verifier sees imports by other
// processes.
func (db *DB) Key(kid []byte) (*trust.TrustedKey, error) {
	snap, err := db.snapshot()
	if err != nil {
		return nil, err
	}
	e := snap[string(kid)]
	if e == nil {
		return nil, fmt.Errorf("%w: kid %x", trust.ErrUnknownKey, kid)
	}
	e.once.Do(func() { e.key.PublicKey, e.err = parsePublicKey(e) })
	if e.err != nil {
		return nil, e.err
	}
	k := e.key
	k.KID = bytes.Clone(k.KID)
	return &k, nil
}

// Offsets in the SQLite database header (https://www.sqlite.org/fileformat.html §1.3).
const (
	hdrWriteVersion  = 18 // 1 = rollback journal, 2 = WAL
	hdrChangeCounter = 24 // 4-byte file change counter, bumped by every commit in rollback mode
)

// snapshot returns the current key cache, reloading it if the database
// changed since it was loaded. In rollback-journal mode (what Open sets) the
// check reads the header's file change counter, about one pread; should the
// file be in WAL mode it asks SQLite (PRAGMA data_version), which is slower.
// changeVersion reads the database's change counter (rollback-journal
// mode) or PRAGMA data_version (WAL). db.mu must be held.
func (db *DB) changeVersion() (int64, error) {
	var hdr [hdrChangeCounter + 4]byte
	if _, err := db.file.ReadAt(hdr[:], 0); err != nil {
		return 0, fmt.Errorf("reading trust store %s: %w", db.path, err)
	}
	v := int64(binary.BigEndian.Uint32(hdr[hdrChangeCounter:]))
	if hdr[hdrWriteVersion] == 2 { // WAL: the counter is not kept up to date
		ctx := context.Background()
		if db.watch == nil {
			c, err := db.sql.Conn(ctx)
			if err != nil {
				return 0, db.wrap("reading", err)
			}
			db.watch = c
			db.snap, db.info = nil, nil
		}
		if err := db.watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			return 0, db.wrap("reading", err)
		}
	}
	return v, nil
}

func (db *DB) snapshot() (map[string]*entry, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	v, err := db.changeVersion()
	if err != nil {
		return nil, err
	}
	if db.snap != nil && v == db.version {
		return db.snap, nil
	}
	rows, err := db.sql.Query(`SELECT ` + keyColumns + ` FROM issuer_keys ORDER BY source = 'bundle'`)
	if err != nil {
		return nil, db.wrap("reading", err)
	}
	defer rows.Close()
	snap := make(map[string]*entry)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, db.wrap("reading", err)
		}
		snap[string(e.key.KID)] = e // bundle rows come last and win
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap("reading", err)
	}
	db.snap, db.version = snap, v
	return snap, nil
}

// invalidate drops the key cache after a write through this DB.
func (db *DB) invalidate() {
	db.mu.Lock()
	db.snap = nil
	db.info = nil
	db.mu.Unlock()
}

// IsRevoked reports whether the credential id (cti bytes) is on the revoked list.
func (db *DB) IsRevoked(credentialID []byte) (bool, error) {
	var one int
	err := db.revokedStmt.QueryRow(credentialID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.wrap("reading", err)
	}
	return true, nil
}

// Info describes the trust list: the bundle in force (zero values when the
// site only trusts certificates directly), the number of distinct trusted
// issuer key ids and the number of revoked credential ids. Verification
// asks for it on every credential, so the answer is cached until the file
// changes (counting 100,000 revoked ids takes milliseconds).
func (db *DB) Info() (trust.ListInfo, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	v, err := db.changeVersion()
	if err != nil {
		return trust.ListInfo{}, err
	}
	if db.info != nil && db.infoVersion == v {
		return *db.info, nil
	}
	info, err := db.readInfo()
	if err != nil {
		return info, err
	}
	db.info, db.infoVersion = &info, v
	return info, nil
}

func (db *DB) readInfo() (trust.ListInfo, error) {
	var info trust.ListInfo
	var issued, expires int64
	err := db.sql.QueryRow("SELECT version, issued, expires FROM bundle WHERE id = 1").Scan(&info.Version, &issued, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return info, db.wrap("reading", err)
	default:
		info.Issued, info.Expires = time.Unix(issued, 0).UTC(), time.Unix(expires, 0).UTC()
	}
	if err := db.sql.QueryRow("SELECT count(DISTINCT kid) FROM issuer_keys").Scan(&info.Issuers); err != nil {
		return info, db.wrap("reading", err)
	}
	if err := db.sql.QueryRow("SELECT count(*) FROM revoked_credentials").Scan(&info.Revoked); err != nil {
		return info, db.wrap("reading", err)
	}
	return info, nil
}

func unixOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func timeOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}
