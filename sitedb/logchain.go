package sitedb

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// The verification log is a hash chain: each row's row_hash is SHA-256 over
// a fixed label, the previous row's hash, and every column of the row
// (chainHash). Changing, deleting, inserting or reordering a row breaks the
// chain at that row, which VerifyLog reports. What a chain cannot show is
// the whole file (or its newest rows) replaced by a consistent rewrite:
// that is why the head hash is shown in the station's status and in every
// export, to be noted somewhere the log's keepers cannot change.

// hashLabel starts every row hash, so no other SHA-256 input can be taken
// for a row's.
const hashLabel = "passport verification log row v1\x00"

// chainRow is a row as hashed: every column but the two hashes.
type chainRow struct {
	id, at                                                    int64
	credentialID, issuer, status, policy, reasonCodes, reason string
	source, decision, action, actionBy                        string
	actionAt, trustVersion, ref                               int64
	policyName                                                string
}

// chainHash is the row hash of r after the row whose hash is prev. Each
// string is length-prefixed, so no two rows encode alike.
func chainHash(prev []byte, r chainRow) []byte {
	h := sha256.New()
	h.Write([]byte(hashLabel))
	h.Write(prev)
	num := func(n int64) { binary.Write(h, binary.BigEndian, n) }
	str := func(s string) { num(int64(len(s))); h.Write([]byte(s)) }
	num(r.id)
	num(r.at)
	for _, s := range []string{r.credentialID, r.issuer, r.status, r.policy, r.reasonCodes, r.reason,
		r.source, r.decision, r.action, r.actionBy} {
		str(s)
	}
	num(r.actionAt)
	num(r.trustVersion)
	num(r.ref)
	str(r.policyName)
	return h.Sum(nil)
}

// zeroHash is the anchor of a chain that has lost no rows to pruning.
var zeroHash = make([]byte, sha256.Size)

// chainColumns are the columns chainHash covers, in scanRow's order.
const chainColumns = `id, at, credential_id, issuer, status, policy, reason_codes, reason, source,
	decision, action, action_by, action_at, trust_version, coalesce(ref, 0), policy_name`

type rowScanner interface{ Scan(dest ...any) error }

func scanChainRow(s rowScanner, extra ...any) (chainRow, error) {
	var r chainRow
	err := s.Scan(append([]any{&r.id, &r.at, &r.credentialID, &r.issuer, &r.status, &r.policy, &r.reasonCodes, &r.reason,
		&r.source, &r.decision, &r.action, &r.actionBy, &r.actionAt, &r.trustVersion, &r.ref, &r.policyName}, extra...)...)
	return r, err
}

// chainState is the log_chain row.
type chainState struct {
	anchor   []byte
	anchorID int64
	headID   int64
	headHash []byte
	sealedAt time.Time
	sealed   int64
}

type queryRower interface {
	QueryRow(query string, args ...any) *sql.Row
}

// readChain reads log_chain; ok is false when the chain has not started
// (a file last written by a passport before schema version 7).
func readChain(q queryRower) (c chainState, ok bool, err error) {
	var sealedAt int64
	err = q.QueryRow(`SELECT anchor, anchor_id, head_id, head_hash, sealed_at, sealed_rows FROM log_chain WHERE id = 1`).
		Scan(&c.anchor, &c.anchorID, &c.headID, &c.headHash, &sealedAt, &c.sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("reading the verification log's chain: %w", err)
	}
	c.sealedAt = time.UnixMilli(sealedAt)
	return c, true, nil
}

// seal starts the chain: rows from before it (an upgraded file) are chained
// in id order as they stand. It does nothing when the chain has started.
func (l *Log) seal() error {
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("starting the verification log's chain: %w", err)
	}
	defer tx.Rollback()
	if _, ok, err := readChain(tx); err != nil || ok {
		return err
	}
	rows, err := tx.Query(`SELECT ` + chainColumns + ` FROM station_log ORDER BY id`)
	if err != nil {
		return fmt.Errorf("starting the verification log's chain: %w", err)
	}
	var all []chainRow
	for rows.Next() {
		r, err := scanChainRow(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("starting the verification log's chain: %w", err)
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("starting the verification log's chain: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("starting the verification log's chain: %w", err)
	}
	prev, headID := zeroHash, int64(0)
	for _, r := range all {
		h := chainHash(prev, r)
		if _, err := tx.Exec(`UPDATE station_log SET prev_hash = ?, row_hash = ? WHERE id = ?`, prev, h, r.id); err != nil {
			return fmt.Errorf("starting the verification log's chain: %w", err)
		}
		prev, headID = h, r.id
	}
	if _, err := tx.Exec(`INSERT INTO log_chain (id, anchor, anchor_id, head_id, head_hash, sealed_at, sealed_rows) VALUES (1, ?, 0, ?, ?, ?, ?)`,
		zeroHash, headID, prev, l.now().UnixMilli(), len(all)); err != nil {
		return fmt.Errorf("starting the verification log's chain: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("starting the verification log's chain: %w", err)
	}
	return nil
}

// Head is the newest row of the log's chain: note its hash (e.g. daily,
// with each export) somewhere the log's keepers cannot change, and a later
// rewrite of the file shows as a different hash at that row.
type Head struct {
	ID   int64  `json:"id"`   // the row's id; 0 when the log is empty
	Hash string `json:"hash"` // its row hash, hex
	Rows int64  `json:"rows"` // rows in the log
}

func (h Head) String() string {
	return fmt.Sprintf("row %d, hash %s", h.ID, h.Hash)
}

// Head reads the head of the log's chain.
func (l *Log) Head() (Head, error) {
	return logHead(l.db)
}

func logHead(q queryRower) (Head, error) {
	c, ok, err := readChain(q)
	if err != nil {
		return Head{}, err
	}
	if !ok {
		return Head{}, errors.New("the verification log has no chain yet: start the station once with this file (passport serve) to begin it")
	}
	h := Head{ID: c.headID, Hash: hex.EncodeToString(c.headHash)}
	if err := q.QueryRow(`SELECT count(*) FROM station_log`).Scan(&h.Rows); err != nil {
		return Head{}, fmt.Errorf("reading the verification log: %w", err)
	}
	return h, nil
}

// ChainReport is what VerifyLog found.
type ChainReport struct {
	Rows       int64     // rows checked
	Head       Head      // the last row checked
	Since      time.Time // when the chain started
	SealedRows int64     // rows from before the chain, chained as they stood then
	AnchorID   int64     // the last pruned row's id; 0 when none was pruned
}

// ChainBreak says where the chain breaks: the first row whose hash or link
// does not hold.
type ChainBreak struct {
	ID  int64     // the row's id (0: the chain's end)
	At  time.Time // the row's time
	Why string
}

func (e *ChainBreak) Error() string {
	if e.ID == 0 {
		return "the verification log's chain is broken at its end: " + e.Why
	}
	return fmt.Sprintf("the verification log's chain breaks at row %d (%s): %s", e.ID, e.At.UTC().Format(time.RFC3339), e.Why)
}

// VerifyLog checks the verification log's hash chain from the anchor to the
// head. A broken chain is a *ChainBreak naming the first row that breaks
// it; other errors are failures to read.
func (db *DB) VerifyLog() (ChainReport, error) {
	q := db.sql
	c, ok, err := readChain(q)
	if err != nil {
		return ChainReport{}, err
	}
	if !ok {
		return ChainReport{}, errors.New("the verification log has no chain yet: start the station once with this file (passport serve) to begin it")
	}
	rep := ChainReport{Since: c.sealedAt, SealedRows: c.sealed, AnchorID: c.anchorID}
	rows, err := q.Query(`SELECT ` + chainColumns + `, prev_hash, row_hash FROM station_log ORDER BY id`)
	if err != nil {
		return rep, fmt.Errorf("reading the verification log: %w", err)
	}
	defer rows.Close()
	prev, prevID := c.anchor, c.anchorID
	for rows.Next() {
		var ph, rh []byte
		r, err := scanChainRow(rows, &ph, &rh)
		if err != nil {
			return rep, fmt.Errorf("reading the verification log: %w", err)
		}
		at := time.UnixMilli(r.at)
		switch {
		case rh == nil:
			return rep, &ChainBreak{r.id, at, "it has no hash: it was added to the file by something other than passport"}
		case !bytes.Equal(chainHash(ph, r), rh):
			return rep, &ChainBreak{r.id, at, "its contents were changed after it was written"}
		case !bytes.Equal(ph, prev):
			return rep, &ChainBreak{r.id, at, fmt.Sprintf("it does not follow row %d: a row between them was deleted, or rows were reordered or inserted", prevID)}
		}
		prev, prevID = rh, r.id
		rep.Rows++
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("reading the verification log: %w", err)
	}
	rep.Head = Head{ID: prevID, Hash: hex.EncodeToString(prev), Rows: rep.Rows}
	if prevID != c.headID || !bytes.Equal(prev, c.headHash) {
		return rep, &ChainBreak{0, time.Time{}, fmt.Sprintf("the last row is %d but the chain's head is row %d: the newest rows were deleted, or the head was changed", prevID, c.headID)}
	}
	return rep, nil
}

// RowHash is the chain hash (hex) of log row id; ok is false when no such
// row is in the log (pruned, deleted, or never written).
func (db *DB) RowHash(id int64) (hash string, ok bool, err error) {
	var h []byte
	switch err := db.sql.QueryRow(`SELECT row_hash FROM station_log WHERE id = ?`, id).Scan(&h); {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading the verification log: %w", err)
	}
	return hex.EncodeToString(h), true, nil
}
