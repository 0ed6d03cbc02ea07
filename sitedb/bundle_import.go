package sitedb

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"passport/trust"
)

// Errors of an import refused for a reason other than a malformed or
// badly signed bundle (those wrap trust.ErrBundleMalformed or
// trust.ErrBundleSignature). A refused import changes nothing.
var (
	// ErrNoAnchor: the store pins no authority key at all.
	ErrNoAnchor = errors.New("this trust store pins no trust authority")
	// ErrNotPinned: the bundle is signed by a key the site has not pinned.
	ErrNotPinned = errors.New("the bundle is not signed by a pinned trust authority")
	// ErrRollback: the bundle is not newer than the one in force.
	ErrRollback = errors.New("the bundle is not newer than the trust list in force")
	// ErrBundleExpired: the bundle is past its expiry.
	ErrBundleExpired = errors.New("the bundle has expired")
	// ErrBundleFuture: the bundle says it was issued later than now plus
	// trust.BundleClockSkew (a wrong clock here or at the authority).
	ErrBundleFuture = errors.New("the bundle is issued in the future")
	// ErrKidConflict: a bundle key id is trusted directly for another public key.
	ErrKidConflict = errors.New("a bundle key id is already trusted for a different public key")
)

// Anchor is a pinned trust-authority public key.
type Anchor struct {
	KID       []byte
	Name      string
	PublicKey crypto.PublicKey
	AddedAt   time.Time
}

// AddAnchor pins an authority public key (ECDSA P-256) under
// trust.AuthorityKeyID(pub). Pinning the same key again changes nothing;
// several anchors may be pinned (authority key rollover). It returns the kid.
func (db *DB) AddAnchor(pub crypto.PublicKey, name string) ([]byte, error) {
	kid, err := trust.AuthorityKeyID(pub)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding authority key: %w", err)
	}
	ctx := context.Background()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	defer tx.Rollback()
	var have []byte
	switch err := tx.QueryRowContext(ctx, "SELECT public_key FROM authority_anchors WHERE kid = ?", kid).Scan(&have); {
	case err == nil:
		if !bytes.Equal(have, der) {
			return nil, fmt.Errorf("authority key id %x is already pinned for a different key", kid)
		}
		return kid, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, db.sql.Wrap("reading", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO authority_anchors (kid, name, public_key, added_at) VALUES (?, ?, ?, ?)",
		kid, name, der, time.Now().Unix()); err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	if err := db.commitTrust(ctx, tx); err != nil {
		return nil, err
	}
	return kid, nil
}

// Anchors lists the pinned authority keys in the order they were added.
func (db *DB) Anchors() ([]Anchor, error) {
	rows, err := db.sql.Query("SELECT kid, name, public_key, added_at FROM authority_anchors ORDER BY added_at, kid")
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	defer rows.Close()
	var out []Anchor
	for rows.Next() {
		var a Anchor
		var der []byte
		var added int64
		if err := rows.Scan(&a.KID, &a.Name, &der, &added); err != nil {
			return nil, db.sql.Wrap("reading", err)
		}
		if a.PublicKey, err = x509.ParsePKIXPublicKey(der); err != nil {
			return nil, fmt.Errorf("pinned authority key %x is damaged: %v; pin it again in a new store", a.KID, err)
		}
		a.AddedAt = time.Unix(added, 0).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// ImportOptions control ImportBundle.
type ImportOptions struct {
	// Now is the time the bundle's expiry is checked against; zero means time.Now().
	Now time.Time
	// ForceRollback accepts a bundle whose version is not newer than the one
	// in force (`trust import --force`). It weakens rollback protection: use
	// it only to undo a bad bundle on the authority's instruction.
	ForceRollback bool
}

// ImportReport describes a completed import.
type ImportReport struct {
	Bundle      *trust.Bundle
	AnchorKID   []byte
	PrevVersion int64 // 0 when no bundle was in force
}

// importHook, when set (only by tests), runs between the writes of an import
// inside its transaction; the stage names what was just written. A test
// makes it fail or kill the process to prove an interrupted import leaves
// the previous list whole.
var importHook func(stage string) error

// ImportBundle verifies a signed trust-list bundle and makes it the list in
// force. In order it refuses: a file that is not a well-formed bundle
// (trust.ErrBundleMalformed); a store with no pinned anchor (ErrNoAnchor); a
// bundle signed by a key that is not pinned (ErrNotPinned) or whose
// signature fails (trust.ErrBundleSignature); malformed entries or duplicate
// key ids (trust.ErrBundleMalformed); an expired bundle (ErrBundleExpired); a
// version not newer than the one in force unless opts.ForceRollback
// (ErrRollback); a kid also trusted directly for another key (ErrKidConflict).
//
// The import replaces the bundle row, every bundle issuer key and every
// revoked id in ONE SQLite transaction: a failure, crash or kill at any
// point leaves the previous list whole. Directly trusted keys (`trust add`)
// are kept.
func (db *DB) ImportBundle(data []byte, opts ImportOptions) (*ImportReport, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	b, anchor, err := db.verifiedBundle(data, now)
	if err != nil {
		return nil, err
	}

	ctx := context.Background()
	tx, err := db.sql.BeginTx(ctx, nil) // _txlock=immediate: the write lock is taken here
	if err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	defer tx.Rollback()
	rep := &ImportReport{Bundle: b, AnchorKID: anchor.KID}
	switch err := tx.QueryRowContext(ctx, "SELECT version FROM bundle WHERE id = 1").Scan(&rep.PrevVersion); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, db.sql.Wrap("reading", err)
	}
	if rep.PrevVersion != 0 && b.Version <= rep.PrevVersion && !opts.ForceRollback {
		return nil, fmt.Errorf("%w: the bundle is version %d and version %d is in force", ErrRollback, b.Version, rep.PrevVersion)
	}
	if err := checkDirectConflicts(ctx, tx, b); err != nil {
		return nil, err
	}
	step := func(stage string) error {
		if importHook != nil {
			return importHook(stage)
		}
		return nil
	}
	for _, q := range []string{"DELETE FROM bundle", "DELETE FROM issuer_keys WHERE source = 'bundle'", "DELETE FROM revoked_credentials", "DELETE FROM bundle_policies"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, db.sql.Wrap("writing", err)
		}
	}
	if err := step("deleted"); err != nil {
		return nil, err
	}
	added := now.Unix()
	if err := db.insertBundleRows(ctx, tx, b, added, step); err != nil {
		return nil, err
	}
	if err := step("revoked"); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	var tsKey any
	if b.TimestampKey != nil {
		tsKey = b.TimestampKey
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bundle (id, version, issued, expires, anchor_kid, imported_at, raw, timestamp_key, fresh_for, sha256)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.Version, b.Issued.Unix(), b.Expires.Unix(), anchor.KID, added, data,
		tsKey, int64(b.FreshFor/time.Second), sum[:]); err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	for _, p := range b.Policies {
		if _, err := tx.ExecContext(ctx, "INSERT INTO bundle_policies (name, json) VALUES (?, ?)", p.Name, p.JSON); err != nil {
			return nil, db.sql.Wrap("writing", err)
		}
	}
	if err := step("bundle"); err != nil {
		return nil, err
	}
	if err := db.commitTrust(ctx, tx); err != nil {
		return nil, err
	}
	return rep, nil
}

// verifiedBundle parses a bundle file, finds the pinned anchor it names,
// checks its signature with that anchor and that it has not expired at now.
func (db *DB) verifiedBundle(data []byte, now time.Time) (*trust.Bundle, *Anchor, error) {
	sb, err := trust.ParseSignedBundle(data)
	if err != nil {
		return nil, nil, err
	}
	anchors, err := db.Anchors()
	if err != nil {
		return nil, nil, err
	}
	if len(anchors) == 0 {
		return nil, nil, ErrNoAnchor
	}
	var anchor *Anchor
	for i := range anchors {
		if bytes.Equal(anchors[i].KID, sb.KID) {
			anchor = &anchors[i]
		}
	}
	if anchor == nil {
		pinned := make([]string, len(anchors))
		for i, a := range anchors {
			pinned[i] = fmt.Sprintf("%x", a.KID)
		}
		return nil, nil, fmt.Errorf("%w: it names authority key %x; this site pins %s", ErrNotPinned, sb.KID, strings.Join(pinned, ", "))
	}
	b, err := sb.Verify(anchor.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	if !now.Before(b.Expires) {
		return nil, nil, fmt.Errorf("%w: version %d expired on %s", ErrBundleExpired, b.Version, b.Expires.UTC().Format(time.RFC3339))
	}
	if b.Issued.After(now.Add(trust.BundleClockSkew)) {
		return nil, nil, fmt.Errorf("%w: version %d says it was issued %s, and it is now %s here", ErrBundleFuture, b.Version,
			b.Issued.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return b, anchor, nil
}

// insertBundleRows writes the bundle's issuer keys and revoked ids into tx,
// calling step between stages (crash tests kill the process there).
func (db *DB) insertBundleRows(ctx context.Context, tx *sql.Tx, b *trust.Bundle, added int64, step func(string) error) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO issuer_keys
		(kid, source, org_code, org_name, public_key, certificate, valid_from, valid_until, revoked, revoked_from, added_at, kind, country, contact, dcc_types)
		VALUES (?, 'bundle', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return db.sql.Wrap("writing", err)
	}
	defer ins.Close()
	for n, i := range b.Issuers {
		revoked := 0
		if i.Revoked {
			revoked = 1
		}
		var cert any
		if i.Certificate != nil {
			cert = i.Certificate
		}
		if _, err := ins.ExecContext(ctx, i.KID, i.OrgCode, i.OrgName, i.PublicKey, cert,
			unixOrNull(i.ValidFrom), unixOrNull(i.ValidUntil), revoked, unixOrNull(i.RevokedFrom), added, kindOf(i.Kind), i.Country, i.Contact, trust.JoinDCCTypes(i.DCCTypes)); err != nil {
			return db.sql.Wrap("writing", err)
		}
		if n == len(b.Issuers)/2 {
			if err := step("issuers-half"); err != nil {
				return err
			}
		}
	}
	if err := step("issuers"); err != nil {
		return err
	}
	rev, err := tx.PrepareContext(ctx, "INSERT INTO revoked_credentials (cti) VALUES (?)")
	if err != nil {
		return db.sql.Wrap("writing", err)
	}
	defer rev.Close()
	for _, id := range b.Revoked {
		if _, err := rev.ExecContext(ctx, id); err != nil {
			return db.sql.Wrap("writing", err)
		}
	}
	return db.insertRevocations(ctx, tx, b.Revocations)
}

// insertRevocations stores the revocations that carry a reason or a time.
func (db *DB) insertRevocations(ctx context.Context, tx *sql.Tx, rs []trust.RevokedEntry) error {
	if len(rs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO revoked_credentials (cti, reason, revoked_from) VALUES (?, ?, ?)")
	if err != nil {
		return db.sql.Wrap("writing", err)
	}
	defer st.Close()
	for _, r := range rs {
		var from any
		if !r.From.IsZero() {
			from = r.From.Unix()
		}
		if _, err := st.ExecContext(ctx, r.ID, r.Reason, from); err != nil {
			return db.sql.Wrap("writing", err)
		}
	}
	return nil
}

// checkDirectConflicts refuses a bundle key whose kid is trusted directly
// for a different public key: a 64-bit kid collision, or a mistake, that
// would otherwise silently swap the key used for that kid.
func checkDirectConflicts(ctx context.Context, tx *sql.Tx, b *trust.Bundle) error {
	rows, err := tx.QueryContext(ctx, "SELECT kid, public_key FROM issuer_keys WHERE source = 'direct'")
	if err != nil {
		return err
	}
	defer rows.Close()
	direct := map[string][]byte{}
	for rows.Next() {
		var kid, pub []byte
		if err := rows.Scan(&kid, &pub); err != nil {
			return err
		}
		direct[string(kid)] = pub
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range b.Issuers {
		if pub, ok := direct[string(i.KID)]; ok && !bytes.Equal(pub, i.PublicKey) {
			return fmt.Errorf("%w: kid %x (%s)", ErrKidConflict, i.KID, i.OrgCode)
		}
	}
	return nil
}

// BundleRecord is the bundle in force as stored.
type BundleRecord struct {
	Version         int64
	Issued, Expires time.Time
	AnchorKID       []byte
	ImportedAt      time.Time
	Raw             []byte // the signed bundle as imported
}

// CurrentBundle returns the bundle in force, or nil when none was imported.
func (db *DB) CurrentBundle() (*BundleRecord, error) {
	var r BundleRecord
	var issued, expires, imported int64
	err := db.sql.QueryRow("SELECT version, issued, expires, anchor_kid, imported_at, raw FROM bundle WHERE id = 1").
		Scan(&r.Version, &issued, &expires, &r.AnchorKID, &imported, &r.Raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	r.Issued, r.Expires, r.ImportedAt = time.Unix(issued, 0).UTC(), time.Unix(expires, 0).UTC(), time.Unix(imported, 0).UTC()
	return &r, nil
}

// BundlePolicy is a named site policy of the bundle in force.
type BundlePolicy struct {
	Name          string
	JSON          []byte // the policy JSON as the authority signed it; parse it with the policy package
	BundleVersion int64  // the bundle it came from, for the log
}

// Policies lists the policies the bundle in force carries, by name; none
// when no bundle is in force or it carries none.
func (db *DB) Policies() ([]BundlePolicy, error) {
	rows, err := db.sql.Query("SELECT p.name, p.json, b.version FROM bundle_policies p, bundle b WHERE b.id = 1 ORDER BY p.name")
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	defer rows.Close()
	var out []BundlePolicy
	for rows.Next() {
		var p BundlePolicy
		if err := rows.Scan(&p.Name, &p.JSON, &p.BundleVersion); err != nil {
			return nil, db.sql.Wrap("reading", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ErrNoPolicy: the bundle in force carries no policy of that name.
var ErrNoPolicy = errors.New("the trust list carries no policy of that name")

// Policy returns the bundle in force's policy called name, or an error
// wrapping ErrNoPolicy that lists the names it does carry.
func (db *DB) Policy(name string) (*BundlePolicy, error) {
	all, err := db.Policies()
	if err != nil {
		return nil, err
	}
	var names []string
	for i := range all {
		if all[i].Name == name {
			return &all[i], nil
		}
		names = append(names, all[i].Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: %q (the list in force carries no policies; ask the authority, or give --policy FILE)", ErrNoPolicy, name)
	}
	return nil, fmt.Errorf("%w: %q; it carries %s", ErrNoPolicy, name, strings.Join(names, ", "))
}
