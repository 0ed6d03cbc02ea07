package sitedb

import (
	"errors"

	"passport/trust"
)

// Snapshot is one consistent reading of the trust store: its keys,
// revocations and list info all belong to the same committed state, however
// many imports other processes make meanwhile. It reads the store's cached
// view of the trust tables, which is loaded in one SQLite read transaction
// per trust generation and never changed after, so taking one costs a
// check that the file has not changed (one read of its header) and holds
// no lock: an import never waits for a verification. A Snapshot is for one
// goroutine.
type Snapshot struct {
	v *view
}

var _ trust.TrustSnapshot = (*Snapshot)(nil)

// Snapshot begins a consistent reading of the store. Verification takes one
// per credential (trust.Snapshot does it for any TrustStore), so that the
// list version it reports is the one whose revocations it applied.
func (db *DB) Snapshot() (trust.TrustSnapshot, error) {
	v, err := db.latest()
	if err != nil {
		return nil, err
	}
	return &Snapshot{v: v}, nil
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
	return s.v.revoked.revocation(credentialID), nil
}

// Close ends the snapshot; later reads through it fail. It is safe to call
// more than once.
func (s *Snapshot) Close() error {
	s.v = nil
	return nil
}

// errSnapshotClosed is returned for reads after a snapshot is closed.
var errSnapshotClosed = errors.New("the trust-store snapshot is closed")
