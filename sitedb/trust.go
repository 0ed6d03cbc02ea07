package sitedb

import (
	"bytes"
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"passport/internal/sqlitedb"
	"passport/trust"
)

// DB is an open trust store. It implements trust.TrustStore and is safe for
// concurrent use.
type DB struct {
	path string
	sql  *sqlitedb.DB

	trustGenStmt *sql.Stmt

	// cur is the trust tables as of one trust generation, read in one
	// SQLite read transaction, so its keys, revocations and list info
	// always belong together. A commit to the file (the header's change
	// counter moves) may be a log row or a trust change; only the latter
	// bumps trust_changes.n, so a log write costs one small query, not a
	// reload.
	cur          atomic.Pointer[view]      // nil until first used or after a trust write
	loads        atomic.Int64              // times a view was loaded, for tests
	revokedLast  atomic.Pointer[revokedOf] // the revoked set last read, for the next view
	revokedLoads atomic.Int64              // times the revoked set was read, for tests
	mu           sync.Mutex                // guards everything below
	file         *os.File                  // the database file, for its header's change counter
	watch        *sql.Conn                 // WAL only: dedicated connection for PRAGMA data_version
	fileVersion  int64                     // change counter (or data_version) when cur was last confirmed
	genReads     int                       // times trust_changes was queried to confirm the view, for tests
}

// view is the trust list as of trust generation gen: its keys, revoked
// credential ids and info, read in one transaction. It is never changed
// once made (an entry's public key is parsed once, on first use), so any
// number of verifications may read it at once, and one that holds it sees
// one state of the list however many imports commit meanwhile.
type view struct {
	gen     int64
	keys    map[string]*entry
	revoked revokedSet
	info    trust.ListInfo
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

// Open opens the site database at path, creating it if it does not exist
// and migrating an older schema (see schema.go). A file that is not a SQLite
// database, a SQLite database that is not a passport site database, or one
// with a newer schema version is refused with an error saying so, and left
// unchanged. Opening a database that is already current writes nothing. Only
// the commands that set a site up (`trust init`, `trust add`) create one;
// everything else uses OpenExisting.
func Open(path string) (*DB, error) { return open(path, sqlitedb.Create) }

// OpenExisting is Open, but refuses a missing or empty file instead of
// creating a new database: verifying against an empty trust list would only
// ever say issuer_unknown.
func OpenExisting(path string) (*DB, error) { return open(path, sqlitedb.Existing) }

func open(path string, mode sqlitedb.Mode) (*DB, error) {
	sdb, err := sqlitedb.Open(path, &schema, mode)
	if err != nil {
		return nil, err
	}
	db := &DB{path: sdb.Path, sql: sdb}
	ctx := context.Background()
	if db.trustGenStmt, err = sdb.PrepareContext(ctx, "SELECT n FROM trust_changes WHERE id = 1"); err != nil {
		db.Close()
		return nil, sdb.Wrap("preparing", err)
	}
	if db.file, err = os.Open(db.path); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the site database: %w", err)
	}
	return db, nil
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
	db.cur.Store(nil)
	db.revokedLast.Store(nil)
	db.mu.Unlock()
	if db.trustGenStmt != nil {
		db.trustGenStmt.Close()
	}
	return db.sql.Close()
}

// Path is the file the store was opened from.
func (db *DB) Path() string { return db.path }

// AddCertificate trusts an issuer certificate directly (`trust add`),
// bound to what trust.BindingOf infers it may sign. It is AddCertificateAs
// with an empty kind.
func (db *DB) AddCertificate(cert *x509.Certificate) (*trust.TrustedKey, error) {
	return db.AddCertificateAs(cert, "", "")
}

// AddCertificateAs trusts an issuer certificate directly (`trust add`). The
// kid is trust.KeyID(cert.Raw); the org code comes from trust.OrgCodeOf,
// else the subject's O, else its CN; the validity window is the
// certificate's. kind and country say what the key may sign (staff
// passports, or EU DCCs of that country); an empty kind is inferred with
// trust.BindingOf. A DCC key may sign the DCC types of trust.DCCTypesOf. The public key must be ECDSA P-256, RSA
// (trust.MinRSABits–trust.MaxRSABits) or Ed25519. Adding the same
// certificate again changes nothing but its binding. It returns the key as
// stored.
func (db *DB) AddCertificateAs(cert *x509.Certificate, kind trust.KeyKind, country string) (*trust.TrustedKey, error) {
	k, err := directKey(cert, kind, country)
	if err != nil {
		return nil, err
	}
	kind, country, subject := k.Kind, k.Country, cert.Subject.String()
	types := trust.JoinDCCTypes(k.DCCTypes)
	ctx := context.Background()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT source, public_key, certificate, kind, country, dcc_types FROM issuer_keys WHERE kid = ?", k.KID)
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	haveDirect, sameBinding := false, false
	for rows.Next() {
		var source, oldKind, oldCountry, oldTypes string
		var pub, der []byte
		if err := rows.Scan(&source, &pub, &der, &oldKind, &oldCountry, &oldTypes); err != nil {
			rows.Close()
			return nil, db.sql.Wrap("reading", err)
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
			// A key stored before DCC types were read gets them when its
			// certificate is added again.
			sameBinding = oldKind == string(kind) && oldCountry == country && oldTypes == types
		}
	}
	if err := rows.Err(); err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	rows.Close()
	switch {
	case haveDirect && sameBinding:
		return &k, nil // idempotent
	case haveDirect: // the same certificate, now bound to another kind or country
		_, err = tx.ExecContext(ctx, "UPDATE issuer_keys SET kind = ?, country = ?, dcc_types = ? WHERE kid = ? AND source = 'direct'", string(kind), country, types, k.KID)
	default:
		_, err = tx.ExecContext(ctx, `INSERT INTO issuer_keys
		(kid, source, org_code, org_name, public_key, certificate, valid_from, valid_until, revoked, revoked_from, added_at, kind, country, dcc_types)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?)`,
			k.KID, k.Source, k.OrgCode, k.OrgName, cert.RawSubjectPublicKeyInfo, cert.Raw,
			unixOrNull(k.ValidFrom), unixOrNull(k.ValidUntil), time.Now().Unix(), string(kind), country, types)
	}
	if err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	if err := db.commitTrust(ctx, tx); err != nil {
		return nil, err
	}
	return &k, nil
}

// directKey is the trusted key a certificate added directly (trust add)
// makes: its kind and country given or read from the certificate, its
// public key fit for that kind, its organisation, validity and, for an EU
// DCC signer, the DCC types its key usage allows.
func directKey(cert *x509.Certificate, kind trust.KeyKind, country string) (trust.TrustedKey, error) {
	if cert == nil || len(cert.Raw) == 0 {
		return trust.TrustedKey{}, errors.New("no certificate given")
	}
	if kind == "" {
		var err error
		if kind, country, err = trust.BindingOf(cert); err != nil {
			return trust.TrustedKey{}, err
		}
	}
	if err := trust.CheckBinding(kind, country); err != nil {
		return trust.TrustedKey{}, fmt.Errorf("certificate %q: %w", cert.Subject.String(), err)
	}
	subject := cert.Subject.String()
	if err := trust.CheckPublicKeyFor(cert.PublicKey, kind); err != nil {
		return trust.TrustedKey{}, fmt.Errorf("certificate %q: %w", subject, err)
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
		return trust.TrustedKey{}, fmt.Errorf("certificate %q names no organisation (no passport org code, O or CN): it cannot be matched to credentials", subject)
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
		Kind:       kind,
		Country:    country,
	}
	if kind == trust.KindDCC {
		k.DCCTypes = trust.DCCTypesOf(cert)
	}
	return k, nil
}

// Keys lists every trusted key, ordered by org code, kid and source. A kid
// present from both sources is listed twice.
func (db *DB) Keys() ([]trust.TrustedKey, error) {
	rows, err := db.sql.Query(`SELECT ` + keyColumns + ` FROM issuer_keys ORDER BY org_code, kid, source`)
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	defer rows.Close()
	var out []trust.TrustedKey
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, db.sql.Wrap("reading", err)
		}
		pub, err := parsePublicKey(e)
		if err != nil {
			return nil, err
		}
		e.key.PublicKey = pub
		out = append(out, e.key)
	}
	if err := rows.Err(); err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	return out, nil
}

const keyColumns = `kid, source, org_code, org_name, public_key, valid_from, valid_until, revoked, revoked_from, kind, country, contact, dcc_types`

func scanEntry(rows *sql.Rows) (*entry, error) {
	var e entry
	var from, until, revokedFrom sql.NullInt64
	var revoked int64
	var kind, types string
	if err := rows.Scan(&e.key.KID, &e.key.Source, &e.key.OrgCode, &e.key.OrgName, &e.der, &from, &until, &revoked, &revokedFrom, &kind, &e.key.Country, &e.key.Contact, &types); err != nil {
		return nil, err
	}
	// A list that does not parse would silently widen the key to every
	// type if dropped: the entry is damaged, and refused by name.
	var err error
	if e.key.DCCTypes, err = trust.ParseDCCTypes(types); err != nil {
		return nil, fmt.Errorf("trust store entry for key id %x (%s) is damaged: %v; remove and re-add it", e.key.KID, e.key.OrgCode, err)
	}
	e.key.Kind = trust.KeyKind(kind)
	e.key.ValidFrom = timeOf(from)
	e.key.ValidUntil = timeOf(until)
	e.key.Revoked = revoked != 0
	e.key.RevokedFrom = timeOf(revokedFrom)
	return &e, nil
}

func parsePublicKey(e *entry) (any, error) {
	pub, err := x509.ParsePKIXPublicKey(e.der)
	if err == nil {
		err = trust.CheckPublicKeyFor(pub, e.key.Kind)
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
	v, err := db.latest()
	if err != nil {
		return nil, err
	}
	return v.key(kid)
}

func (v *view) key(kid []byte) (*trust.TrustedKey, error) {
	e := v.keys[string(kid)]
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
				return 0, db.sql.Wrap("reading", err)
			}
			db.watch = c
			db.cur.Store(nil)
		}
		if err := db.watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			return 0, db.sql.Wrap("reading", err)
		}
	}
	return v, nil
}

// latest returns the view of the trust tables as they are now, reloading
// it when the database changed since it was loaded. In rollback-journal
// mode (what Open sets) the check reads the header's file change counter,
// about one pread; should the file be in WAL mode it asks SQLite (PRAGMA
// data_version), which is slower. A commit that touched only the log moves
// the counter but not trust_changes.n, so it keeps the view.
func (db *DB) latest() (*view, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	v, err := db.changeVersion()
	if err != nil {
		return nil, err
	}
	if cur := db.cur.Load(); v == db.fileVersion && cur != nil {
		return cur, nil
	}
	var gen int64
	db.genReads++
	if err := db.trustGenStmt.QueryRow().Scan(&gen); err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	if cur := db.cur.Load(); cur == nil || cur.gen != gen {
		ctx := context.Background()
		conn, err := db.sql.Conn(ctx)
		if err != nil {
			return nil, db.sql.Wrap("reading", err)
		}
		defer conn.Close()
		tx, err := beginRead(ctx, conn)
		if err != nil {
			return nil, db.sql.Wrap("reading", err)
		}
		nv, err := db.loadView(ctx, conn)
		if err := errors.Join(err, tx.end(ctx)); err != nil {
			return nil, err
		}
		db.install(nv)
	}
	db.fileVersion = v
	return db.cur.Load(), nil
}

// install makes nv the current view unless a newer one is.
func (db *DB) install(nv *view) {
	for {
		cur := db.cur.Load()
		if cur != nil && cur.gen >= nv.gen {
			return
		}
		if db.cur.CompareAndSwap(cur, nv) {
			return
		}
	}
}

// querier reads; a *sql.Conn inside a read transaction is one.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTx is a read transaction on one connection. database/sql's BeginTx
// would take the write lock (the DSN sets _txlock=immediate, which imports
// need), so a read transaction is begun by hand: BEGIN DEFERRED takes a
// shared lock at its first read and holds it until end, so every read in
// between sees one committed state of the file.
type readTx struct{ conn *sql.Conn }

func beginRead(ctx context.Context, conn *sql.Conn) (*readTx, error) {
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return nil, err
	}
	return &readTx{conn}, nil
}

// end finishes the transaction; the connection may then go back to the pool.
func (t *readTx) end(ctx context.Context) error {
	if _, err := t.conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("ending a read of the trust store: %w", err)
	}
	return nil
}

// loadView reads the trust generation, every key, every revoked id and the
// list info with q, which must be inside one read transaction so they
// belong together.
func (db *DB) loadView(ctx context.Context, q querier) (*view, error) {
	v := &view{keys: make(map[string]*entry)}
	if err := q.QueryRowContext(ctx, "SELECT n FROM trust_changes WHERE id = 1").Scan(&v.gen); err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+keyColumns+` FROM issuer_keys ORDER BY source = 'bundle'`)
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	defer rows.Close()
	db.loads.Add(1)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, db.sql.Wrap("reading", err)
		}
		v.keys[string(e.key.KID)] = e // bundle rows come last and win
	}
	if err := rows.Err(); err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	rows.Close()
	if v.revoked, err = db.revokedSet(ctx, q); err != nil {
		return nil, err
	}
	if v.info, err = db.readInfo(ctx, q); err != nil {
		return nil, err
	}
	v.info.Revoked = v.revoked.len()
	return v, nil
}

// fileChangeCounter reads the file's change counter, for logCommitted.
func (db *DB) fileChangeCounter() (int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.changeVersion()
}

// logCommitted records that the commit which moved the file's change
// counter from before to before+1 (rollback-journal mode bumps it once per
// write transaction) wrote only log rows: if the caches were current at
// before, they are current after it, and the next lookup needs no query.
// The Log calls it for its own commits; any other change still costs one
// trust_changes query in refresh.
func (db *DB) logCommitted(before int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.watch == nil && db.fileVersion == before && db.cur.Load() != nil {
		db.fileVersion = before + 1
	}
}

// commitTrust commits a transaction that changed trust tables: it bumps
// trust_changes.n in the same transaction, so every reader of the file sees
// the change, and drops this DB's caches.
func (db *DB) commitTrust(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "UPDATE trust_changes SET n = n + 1 WHERE id = 1"); err != nil {
		return db.sql.Wrap("writing", err)
	}
	if err := tx.Commit(); err != nil {
		return db.sql.Wrap("writing", err)
	}
	db.invalidate()
	return nil
}

// invalidate drops the caches after a trust write through this DB.
func (db *DB) invalidate() {
	db.cur.Store(nil)
}

// Revocation returns the revocation of a credential id (cti bytes, or a
// DCC's ci), nil when it is not on the revoked list. Like Key, it is
// answered from the cached view of the trust tables.
func (db *DB) Revocation(credentialID []byte) (*trust.Revocation, error) {
	v, err := db.latest()
	if err != nil {
		return nil, err
	}
	return v.revoked.revocation(credentialID), nil
}

// IsRevoked reports whether the credential id is on the revoked list,
// whatever time its revocation applies from.
func (db *DB) IsRevoked(credentialID []byte) (bool, error) {
	r, err := db.Revocation(credentialID)
	return r != nil, err
}

// Info describes the trust list: the bundle in force (zero values when the
// site only trusts certificates directly), the number of distinct trusted
// issuer key ids and the number of revoked credential ids. Verification
// asks for it on every credential, so the answer is cached until the file
// changes (counting 100,000 revoked ids takes milliseconds).
func (db *DB) Info() (trust.ListInfo, error) {
	v, err := db.latest()
	if err != nil {
		return trust.ListInfo{}, err
	}
	return v.info, nil
}

func (db *DB) readInfo(ctx context.Context, q querier) (trust.ListInfo, error) {
	var info trust.ListInfo
	var issued, expires, freshFor int64
	var tsKey, sum []byte
	err := q.QueryRowContext(ctx, "SELECT version, issued, expires, timestamp_key, fresh_for, sha256 FROM bundle WHERE id = 1").
		Scan(&info.Version, &issued, &expires, &tsKey, &freshFor, &sum)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return info, db.sql.Wrap("reading", err)
	default:
		info.Issued, info.Expires = time.Unix(issued, 0).UTC(), time.Unix(expires, 0).UTC()
		if tsKey != nil {
			if err := confirmedUntil(ctx, q, &info, freshFor, sum); err != nil {
				return info, db.sql.Wrap("reading", err)
			}
		}
	}
	if err := q.QueryRowContext(ctx, "SELECT count(DISTINCT kid) FROM issuer_keys").Scan(&info.Issuers); err != nil {
		return info, db.sql.Wrap("reading", err)
	}
	return info, nil // Revoked is counted by loadView
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

// kindOf is the kind column's value for k: an unset kind is a staff key.
func kindOf(k trust.KeyKind) string {
	if k == "" {
		return string(trust.KindStaff)
	}
	return string(k)
}
