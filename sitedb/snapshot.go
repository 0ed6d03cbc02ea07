package sitedb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"passport/trust"
)

// Snapshot is one consistent reading of the trust store: its keys,
// revocations and list info all belong to the same committed state, however
// many imports other processes make meanwhile. It holds a SQLite read
// transaction (a shared lock: an import waits for it to end, within the
// busy timeout), so take one per verification and Close it straight after.
// A Snapshot is for one goroutine.
type Snapshot struct {
	db   *DB
	conn *sql.Conn
	tx   *readTx
	v    *view
}

var _ trust.TrustSnapshot = (*Snapshot)(nil)

// Snapshot begins a consistent reading of the store. Verification takes one
// per credential (trust.Snapshot does it for any TrustStore), so that the
// list version it reports is the one whose revocations it applied.
func (db *DB) Snapshot() (trust.TrustSnapshot, error) {
	ctx := context.Background()
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, db.sql.Wrap("reading", err)
	}
	tx, err := beginRead(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, db.sql.Wrap("reading", err)
	}
	s := &Snapshot{db: db, conn: conn, tx: tx}
	// The first read takes the shared lock; from here on nothing commits.
	var gen int64
	if err := conn.QueryRowContext(ctx, "SELECT n FROM trust_changes WHERE id = 1").Scan(&gen); err != nil {
		s.Close()
		return nil, db.sql.Wrap("reading", err)
	}
	if cur := db.cur.Load(); cur != nil && cur.gen == gen {
		s.v = cur
		return s, nil
	}
	nv, err := db.loadView(ctx, conn)
	if err != nil {
		s.Close()
		return nil, err
	}
	db.install(nv)
	s.v = nv
	return s, nil
}

// Key returns the trusted key for kid as of the snapshot, or an error
// wrapping trust.ErrUnknownKey.
func (s *Snapshot) Key(kid []byte) (*trust.TrustedKey, error) {
	if s.v == nil {
		return nil, errSnapshotClosed
	}
	return s.v.key(kid)
}

// Info describes the trust list as of the snapshot.
func (s *Snapshot) Info() (trust.ListInfo, error) {
	if s.v == nil {
		return trust.ListInfo{}, errSnapshotClosed
	}
	return s.v.info, nil
}

// Revocation returns the revocation of a credential id as of the snapshot,
// nil when it is not revoked.
func (s *Snapshot) Revocation(credentialID []byte) (*trust.Revocation, error) {
	if s.v == nil {
		return nil, errSnapshotClosed
	}
	var reason int
	var from sql.NullInt64
	err := s.conn.QueryRowContext(context.Background(), "SELECT reason, revoked_from FROM revoked_credentials WHERE cti = ?", credentialID).Scan(&reason, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, s.db.sql.Wrap("reading", err)
	}
	r := &trust.Revocation{Reason: reason}
	if from.Valid {
		r.From = time.Unix(from.Int64, 0).UTC()
	}
	return r, nil
}

// Close ends the read transaction and returns its connection. It is safe
// to call more than once.
func (s *Snapshot) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.tx.end(context.Background())
	s.conn.Close()
	s.conn, s.v = nil, nil
	return err
}

// errSnapshotClosed is returned for reads after a snapshot is closed.
var errSnapshotClosed = errors.New("the trust-store snapshot is closed")
