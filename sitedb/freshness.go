package sitedb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passport/trust"
)

// ErrStatementRefused: a freshness statement was refused for a reason other
// than being malformed or badly signed (those wrap trust.ErrStatement): the
// bundle in force names no timestamp key, or the statement covers an older
// bundle, another file, is expired, dated ahead, or not newer than the one
// recorded. A refused statement changes nothing.
var ErrStatementRefused = errors.New("freshness statement refused")

// confirmedUntil fills info's freshness fields for a bundle that names a
// timestamp key: confirmed until the later of its issue time plus
// freshFor and the expiry of the recorded statement, when that statement
// names exactly this bundle (version and file hash). A statement for a
// newer bundle confirms nothing here: it says this list is not the newest.
func confirmedUntil(ctx context.Context, q querier, info *trust.ListInfo, freshFor int64, bundleSum []byte) error {
	info.Confirmable = true
	info.ConfirmedUntil = info.Issued.Add(time.Duration(freshFor) * time.Second)
	var version, issued, expires int64
	var sum []byte
	err := q.QueryRowContext(ctx, "SELECT version, bundle_sha256, issued, expires FROM freshness WHERE id = 1").Scan(&version, &sum, &issued, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	info.StatementVersion = version
	info.StatementIssued = time.Unix(issued, 0).UTC()
	if version == info.Version && bytes.Equal(sum, bundleSum) {
		if e := time.Unix(expires, 0).UTC(); e.After(info.ConfirmedUntil) {
			info.ConfirmedUntil = e
		}
	}
	return nil
}

// StatementReport describes a recorded statement.
type StatementReport struct {
	Statement *trust.Statement
	// Unchanged: the statement was already the one recorded (a sync that
	// finds nothing new); nothing was written.
	Unchanged bool
}

// RecordStatement verifies a freshness statement against the bundle in
// force and records it as the newest. It refuses (trust.ErrStatement) a
// malformed statement or one not signed by the timestamp key the bundle in
// force names, and (ErrStatementRefused) one when the bundle names no
// timestamp key, for an older bundle or another file of the same version,
// issued more than trust.BundleClockSkew after now, expired at now, or not
// issued after the recorded one. A refused statement changes nothing. The
// same statement again is Unchanged.
func (db *DB) RecordStatement(data []byte, now time.Time) (*StatementReport, error) {
	if now.IsZero() {
		now = time.Now()
	}
	ss, err := trust.ParseSignedStatement(data)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	defer tx.Rollback()
	var version int64
	var tsKey, bundleSum []byte
	switch err := tx.QueryRowContext(ctx, "SELECT version, timestamp_key, sha256 FROM bundle WHERE id = 1").Scan(&version, &tsKey, &bundleSum); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("%w: no trust-list bundle is in force: import one first", ErrStatementRefused)
	case err != nil:
		return nil, db.sql.Wrap("reading", err)
	}
	if tsKey == nil {
		return nil, fmt.Errorf("%w: the bundle in force (version %d) names no timestamp key, so no statement can confirm it", ErrStatementRefused, version)
	}
	st, err := ss.Verify(tsKey)
	if err != nil {
		return nil, err
	}
	refuse := func(format string, a ...any) (*StatementReport, error) {
		return nil, fmt.Errorf("%w: %s", ErrStatementRefused, fmt.Sprintf(format, a...))
	}
	switch {
	case st.Version < version:
		return refuse("it covers version %d, older than the version %d in force", st.Version, version)
	case st.Version == version && !bytes.Equal(st.BundleSHA256, bundleSum):
		return refuse("it names a version %d bundle other than the one in force (another SHA-256)", version)
	case st.Issued.After(now.Add(trust.BundleClockSkew)):
		return refuse("it says it was issued %s, and it is now %s here: check this computer's clock", st.Issued.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case !now.Before(st.Expires):
		return refuse("it expired at %s: the publishing host's scheduler may have stopped", st.Expires.Format(time.RFC3339))
	}
	var recIssued int64
	var recRaw []byte
	switch err := tx.QueryRowContext(ctx, "SELECT issued, raw FROM freshness WHERE id = 1").Scan(&recIssued, &recRaw); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, db.sql.Wrap("reading", err)
	case bytes.Equal(recRaw, data):
		return &StatementReport{Statement: st, Unchanged: true}, nil
	case st.Issued.Unix() <= recIssued:
		return refuse("it was issued %s, not after the recorded statement of %s", st.Issued.Format(time.RFC3339), time.Unix(recIssued, 0).UTC().Format(time.RFC3339))
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO freshness (id, version, bundle_sha256, issued, expires, raw, recorded_at)
		VALUES (1, ?, ?, ?, ?, ?, ?)`, st.Version, st.BundleSHA256, st.Issued.Unix(), st.Expires.Unix(), data, now.Unix()); err != nil {
		return nil, db.sql.Wrap("writing", err)
	}
	if err := db.commitTrust(ctx, tx); err != nil {
		return nil, err
	}
	return &StatementReport{Statement: st}, nil
}
