package sitedb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"time"

	"passport/trust"
)

// ctiLen is the length of a passport's credential id (its CWT cti), which
// nearly every revoked id is.
const ctiLen = 16

// revokedSet is the revoked credential ids of one view. Every verifier
// holds the whole list (a national one is about 100,000 ids), so it is
// kept small and cheap for the garbage collector: the 16-byte ids are the
// keys of a map with no pointers in it, which a collection does not walk,
// and the rest (a DCC's ci, of any length) are slices of one string.
type revokedSet struct {
	cti   map[[ctiLen]byte]revoked
	other map[string]revoked
}

// revoked is one revoked_credentials row.
type revoked struct {
	from    int64 // unix seconds, when hasFrom
	reason  int64
	hasFrom bool
}

func (s *revokedSet) len() int { return len(s.cti) + len(s.other) }

// revocation looks credentialID up, nil when it is not revoked.
func (s *revokedSet) revocation(credentialID []byte) *trust.Revocation {
	var r revoked
	var ok bool
	if len(credentialID) == ctiLen {
		r, ok = s.cti[[ctiLen]byte(credentialID)]
	} else {
		r, ok = s.other[string(credentialID)] // no allocation: the compiler reuses the bytes
	}
	if !ok {
		return nil
	}
	out := &trust.Revocation{Reason: int(r.reason)}
	if r.hasFrom {
		out.From = time.Unix(r.from, 0).UTC()
	}
	return out
}

// revokedOf is a revoked set and what it was read with: the SHA-256 of the
// bundle in force and the schema version.
type revokedOf struct {
	bundleSum []byte
	schema    int64
	set       revokedSet
}

// revokedSet returns the revoked ids as q reads them, inside the view's
// read transaction. Only a bundle import writes revoked_credentials, in
// the transaction that writes that bundle's row and hash, so while the
// same bundle (and schema) is in force the set is the one read last time
// and is reused: a trust change that is not an import (a freshness
// statement, every hour or so; a directly trusted key) then costs a
// reload of the keys, not of 100,000 revoked ids.
func (db *DB) revokedSet(ctx context.Context, q querier) (revokedSet, error) {
	var sum []byte
	var schema int64
	switch err := q.QueryRowContext(ctx, "SELECT sha256 FROM bundle WHERE id = 1").Scan(&sum); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return revokedSet{}, db.sql.Wrap("reading", err)
	}
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&schema); err != nil {
		return revokedSet{}, db.sql.Wrap("reading", err)
	}
	if last := db.revokedLast.Load(); last != nil && len(sum) == sha256.Size && bytes.Equal(last.bundleSum, sum) && last.schema == schema {
		return last.set, nil
	}
	set, err := db.loadRevoked(ctx, q)
	if err != nil {
		return revokedSet{}, err
	}
	if len(sum) == sha256.Size { // no bundle (or one imported before hashes were kept): nothing to key it by
		db.revokedLast.Store(&revokedOf{bundleSum: sum, schema: schema, set: set})
	}
	return set, nil
}

// loadRevoked reads every revoked credential id with q, inside the view's
// read transaction.
func (db *DB) loadRevoked(ctx context.Context, q querier) (revokedSet, error) {
	var n, n16 int
	if err := q.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(length(cti) = ?), 0) FROM revoked_credentials", ctiLen).Scan(&n, &n16); err != nil {
		return revokedSet{}, db.sql.Wrap("reading", err)
	}
	db.revokedLoads.Add(1)
	rows, err := q.QueryContext(ctx, "SELECT cti, reason, revoked_from FROM revoked_credentials")
	if err != nil {
		return revokedSet{}, db.sql.Wrap("reading", err)
	}
	defer rows.Close()
	s := revokedSet{cti: make(map[[ctiLen]byte]revoked, n16)}
	// The other ids are gathered into one buffer, so that they cost one
	// string, not one each.
	var buf []byte
	ends := make([]int, 0, n-n16)
	vals := make([]revoked, 0, n-n16)
	for rows.Next() {
		var id sql.RawBytes
		var reason int64
		var from sql.NullInt64
		if err := rows.Scan(&id, &reason, &from); err != nil {
			return revokedSet{}, db.sql.Wrap("reading", err)
		}
		r := revoked{from: from.Int64, reason: reason, hasFrom: from.Valid}
		if len(id) == ctiLen {
			s.cti[[ctiLen]byte(id)] = r
			continue
		}
		buf = append(buf, id...)
		ends = append(ends, len(buf))
		vals = append(vals, r)
	}
	if err := rows.Err(); err != nil {
		return revokedSet{}, db.sql.Wrap("reading", err)
	}
	if len(vals) > 0 {
		all := string(buf)
		s.other = make(map[string]revoked, len(vals))
		start := 0
		for i, end := range ends {
			s.other[all[start:end]] = vals[i]
			start = end
		}
	}
	return s, nil
}
