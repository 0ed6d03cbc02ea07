package sitedb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"passport/internal/csvout"
	"passport/internal/sqlitedb"
)

// Entry is one row of the verification log.
type Entry struct {
	At           time.Time `json:"at"`
	CredentialID string    `json:"credential_id"`
	Issuer       string    `json:"issuer"`
	Status       string    `json:"status"`           // valid | invalid | unreadable
	Policy       string    `json:"policy,omitempty"` // the policy outcome, '' without a policy
	// PolicyName is the site policy applied: its name, and for one from
	// the trust list "NAME from trust list N"; '' without a policy.
	PolicyName  string `json:"policy_name,omitempty"`
	ReasonCodes string `json:"reason_codes"`
	Reason      string `json:"reason"`
	Source      string `json:"source"`
	// Decision is the top-line decision shown (policy.DecisionCode):
	// accept | check_needed | do_not_accept | not_a_passport | cannot_read;
	// '' in rows written before schema version 3.
	Decision string `json:"decision"`
	// Action is what the person at the desk pressed: accepted | refused, or
	// '' when nothing was pressed. ActionBy is the name they gave for their
	// shift; ActionAt when they pressed it. Since schema version 7 a press
	// is a row of its own (Ref names the verification, whose details it
	// repeats); rows from before it may carry their press themselves.
	Action   string    `json:"action,omitempty"`
	ActionBy string    `json:"action_by,omitempty"`
	ActionAt time.Time `json:"action_at,omitzero"`
	// TrustVersion is the version of the trust list the verification used
	// (0: none, or a row from before schema version 7).
	TrustVersion int64 `json:"trust_version"`
	// Ref is, on an Accept or Refuse row, the id of the verification it is
	// about; 0 on a verification.
	Ref int64 `json:"ref,omitempty"`
	// ID is the row's id and Hash its chain hash (hex), set when read.
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

// The actions a person can record on a verification (AddAction).
const (
	ActionAccepted = "accepted"
	ActionRefused  = "refused"
)

// ReasonOverride is the reason code of an Accept on a verification the
// station decided check_needed: the person accepted against its advice,
// and the row's Reason says why.
const ReasonOverride = "override"

// Action is what the person at the desk pressed on a logged verification.
type Action struct {
	Ref    int64     // the verification's row id, as Add returned it
	Action string    // ActionAccepted or ActionRefused
	By     string    // the name they gave for their shift
	Reason string    // why: required to accept a check_needed verification
	At     time.Time // when they pressed it
}

// Errors of AddAction that are the request's, not the log's.
var (
	ErrAlreadyDecided = errors.New("an Accept or Refuse is already recorded for this check: it cannot be changed; scan the passport again to record a new decision")
	ErrNoVerification = errors.New("this check is not in the log (it may have been deleted after the retention period): scan the passport again")
	ErrReasonRequired = errors.New("the station said CHECK NEEDED: say why you accept it anyway")
)

// Log is the verification log in the site database. Writes from concurrent
// requests are committed together by one writer goroutine (group commit);
// Record returns once its entry is on disk. It is safe for concurrent use.
type Log struct {
	db        *sqlitedb.DB
	site      *DB // told about each log commit, so its trust caches outlive it
	opts      LogOptions
	queue     chan logReq
	done      chan struct{}
	closeOnce sync.Once
	now       func() time.Time

	closeMu sync.RWMutex // held for reading while sending to queue
	closed  bool

	mu       sync.Mutex // guards today and pruneErr
	pruneErr error
	today    struct {
		day string // local YYYY-MM-DD the count is for
		n   int
	}
}

// logReq is one row to append: a verification (e) or a press (a).
type logReq struct {
	e   Entry
	a   *Action
	res chan logRes
}

type logRes struct {
	id  int64
	err error
}

// LogOptions configure the verification log.
type LogOptions struct {
	// Retention: rows older than this are deleted when the log is opened
	// and every PruneEvery while it is open; 0 keeps every row.
	Retention time.Duration
	// PruneEvery is how often a running log prunes; 0 means
	// DefaultPruneEvery.
	PruneEvery time.Duration
	// PruneFailed is called when a periodic prune fails. Retention is a
	// privacy promise, so a failure must reach a person: the station logs
	// it and shows it in its status. Nil drops nothing silently either:
	// the last error is kept for PruneError.
	PruneFailed func(error)
}

// DefaultPruneEvery is how often a running station deletes rows older than
// the retention period (it also prunes when the log is opened).
const DefaultPruneEvery = 6 * time.Hour

// OpenLog opens the verification log in the site database db. It shares
// db's file and connections; Close the Log before db. Rows older than
// opts.Retention are deleted now and periodically while the log is open.
func OpenLog(db *DB, opts LogOptions) (*Log, error) {
	if opts.Retention < 0 {
		return nil, fmt.Errorf("log retention %v is negative: give a positive duration, or 0 to keep everything", opts.Retention)
	}
	if opts.PruneEvery <= 0 {
		opts.PruneEvery = DefaultPruneEvery
	}
	l := &Log{db: db.sql, site: db, opts: opts, queue: make(chan logReq, logQueue),
		done: make(chan struct{}), now: time.Now}
	if err := l.seal(); err != nil {
		return nil, err
	}
	if _, err := l.Prune(); err != nil {
		return nil, err
	}
	if err := l.refreshToday(); err != nil {
		return nil, err
	}
	go l.writer()
	return l, nil
}

// Close flushes pending entries and stops the writer. The database stays
// open: it belongs to the DB the log was opened on.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.closeMu.Lock()
		l.closed = true
		close(l.queue)
		l.closeMu.Unlock()
	})
	<-l.done
	return nil
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("the verification log is closed")

// Record writes one entry and returns when it is committed. Entries recorded
// at the same time share one transaction.
func (l *Log) Record(ctx context.Context, e Entry) error {
	_, err := l.Add(ctx, e)
	return err
}

// Add is Record returning the new row's id, for AddAction.
func (l *Log) Add(ctx context.Context, e Entry) (int64, error) {
	e.Ref, e.ID, e.Hash = 0, 0, ""
	return l.send(ctx, logReq{e: e})
}

// AddAction appends what the person at the desk pressed on verification
// a.Ref as a row of its own, repeating the verification's details; the
// verification's row never changes. One press per verification: a second
// is ErrAlreadyDecided. Accepting a verification decided check_needed
// needs a.Reason (ErrReasonRequired) and is recorded as an override.
func (l *Log) AddAction(ctx context.Context, a Action) (int64, error) {
	if a.Action != ActionAccepted && a.Action != ActionRefused {
		return 0, fmt.Errorf("action %q: use %s or %s", a.Action, ActionAccepted, ActionRefused)
	}
	return l.send(ctx, logReq{a: &a})
}

func (l *Log) send(ctx context.Context, req logReq) (int64, error) {
	req.res = make(chan logRes, 1)
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return 0, errClosed
	}
	select {
	case l.queue <- req:
		l.closeMu.RUnlock()
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return 0, ctx.Err()
	}
	res := <-req.res
	return res.id, res.err
}

func (l *Log) writer() {
	defer close(l.done)
	prune := time.NewTicker(l.opts.PruneEvery)
	defer prune.Stop()
	for {
		select {
		case <-prune.C:
			l.periodicPrune()
		case first, ok := <-l.queue:
			if !ok {
				return
			}
			batch := []logReq{first}
		drain:
			for len(batch) < maxLogBatch {
				select {
				case r, ok := <-l.queue:
					if !ok {
						break drain
					}
					batch = append(batch, r)
				default:
					break drain
				}
			}
			res, err := l.write(batch)
			for i, r := range batch {
				if err != nil {
					r.res <- logRes{err: err}
				} else {
					r.res <- res[i]
				}
			}
		}
	}
}

// write appends batch to the chain in one transaction. A request the log
// refuses (a second press) gets its own error; an error of the file fails
// the whole batch.
func (l *Log) write(batch []logReq) ([]logRes, error) {
	tx, err := l.db.Begin()
	if err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	defer tx.Rollback()
	// The transaction holds the write lock from Begin (_txlock=immediate),
	// so the commit below is the only one between these two counter values,
	// and no other writer can move the chain's head meanwhile.
	before, err := l.site.fileChangeCounter()
	if err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	c, ok, err := readChain(tx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("writing the verification log: its chain has not started (the file was changed under the station): restart the station")
	}
	// Ids come from the head, not SQLite's next rowid, so a log pruned to
	// empty never reuses an id the chain has had.
	var maxID int64
	if err := tx.QueryRow(`SELECT coalesce(max(id), 0) FROM station_log`).Scan(&maxID); err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	id, prev := max(c.headID, c.anchorID, maxID), c.headHash
	stmt, err := tx.Prepare(`INSERT INTO station_log (id, at, credential_id, issuer, status, policy, reason_codes, reason, source,
		decision, action, action_by, action_at, trust_version, ref, policy_name, prev_hash, row_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	defer stmt.Close()
	out := make([]logRes, len(batch))
	verifications := 0
	for i, r := range batch {
		row, err := l.rowOf(tx, r)
		if err != nil {
			var refused refusedErr
			if errors.As(err, &refused) {
				out[i].err = refused.error
				continue
			}
			return nil, err
		}
		id++
		row.id = id
		h := chainHash(prev, row)
		if _, err := stmt.Exec(row.id, row.at, row.credentialID, row.issuer, row.status, row.policy, row.reasonCodes, row.reason, row.source,
			row.decision, row.action, row.actionBy, row.actionAt, row.trustVersion, row.ref, row.policyName, prev, h); err != nil {
			return nil, fmt.Errorf("writing the verification log: %w", err)
		}
		prev = h
		out[i].id = id
		if r.a == nil && r.e.At.Local().Format("2006-01-02") == l.now().Format("2006-01-02") {
			verifications++
		}
	}
	if _, err := tx.Exec(`UPDATE log_chain SET head_id = ?, head_hash = ? WHERE id = 1`, id, prev); err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	l.site.logCommitted(before)
	l.mu.Lock()
	day := l.now().Format("2006-01-02")
	if l.today.day == day {
		l.today.n += verifications
	} else {
		l.today.day = "" // counted again from the file by the next Today
	}
	l.mu.Unlock()
	return out, nil
}

// refusedErr wraps an error that refuses one request of a batch.
type refusedErr struct{ error }

// rowOf makes the row for one request. A press repeats the verification's
// details, so each row of the log reads on its own.
func (l *Log) rowOf(tx *sql.Tx, r logReq) (chainRow, error) {
	if r.a == nil {
		e := r.e
		return chainRow{at: e.At.UnixMilli(), credentialID: e.CredentialID, issuer: e.Issuer, status: e.Status, policy: e.Policy,
			reasonCodes: e.ReasonCodes, reason: e.Reason, source: e.Source, decision: e.Decision, trustVersion: e.TrustVersion,
			policyName: e.PolicyName}, nil
	}
	a := r.a
	row, err := scanChainRow(tx.QueryRow(`SELECT `+chainColumns+` FROM station_log WHERE id = ? AND ref IS NULL`, a.Ref))
	if errors.Is(err, sql.ErrNoRows) {
		return row, refusedErr{ErrNoVerification}
	}
	if err != nil {
		return row, fmt.Errorf("writing the verification log: %w", err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM station_log WHERE ref = ?`, a.Ref).Scan(&n); err != nil {
		return row, fmt.Errorf("writing the verification log: %w", err)
	}
	if n > 0 || row.action != "" {
		return row, refusedErr{ErrAlreadyDecided}
	}
	row.reasonCodes, row.reason = "", ""
	if a.Action == ActionAccepted && row.decision == "check_needed" {
		if strings.TrimSpace(a.Reason) == "" {
			return row, refusedErr{ErrReasonRequired}
		}
		row.reasonCodes, row.reason = ReasonOverride, a.Reason
	}
	row.ref = a.Ref
	row.at, row.source = a.At.UnixMilli(), "desk"
	row.action, row.actionBy, row.actionAt = a.Action, a.By, a.At.UnixMilli()
	return row, nil
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

func (l *Log) refreshToday() error {
	now := l.now()
	n, err := l.CountSince(startOfDay(now))
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.today.day, l.today.n = now.Format("2006-01-02"), n
	l.mu.Unlock()
	return nil
}

// Today is the number of verifications logged since local midnight (an
// Accept or Refuse is not a verification).
func (l *Log) Today() (int, error) {
	l.mu.Lock()
	stale := l.today.day != l.now().Format("2006-01-02")
	l.mu.Unlock()
	if stale {
		if err := l.refreshToday(); err != nil {
			return 0, err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.today.n, nil
}

// CountSince counts the entries at or after t.
func (l *Log) CountSince(t time.Time) (int, error) {
	var n int
	if err := l.db.QueryRow(`SELECT count(*) FROM station_log WHERE at >= ? AND ref IS NULL`, t.UnixMilli()).Scan(&n); err != nil {
		return 0, fmt.Errorf("reading the verification log: %w", err)
	}
	return n, nil
}

// periodicPrune prunes and reports a failure instead of dropping it.
func (l *Log) periodicPrune() {
	_, err := l.Prune()
	l.mu.Lock()
	l.pruneErr = err
	l.mu.Unlock()
	if err != nil && l.opts.PruneFailed != nil {
		l.opts.PruneFailed(err)
	}
}

// PruneError is the error of the last periodic prune, nil when it
// succeeded: rows past the retention period may still be on disk.
func (l *Log) PruneError() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pruneErr
}

// Prune deletes entries older than the retention period and returns how
// many it deleted. With retention 0 it deletes nothing. It deletes the
// oldest rows of the chain, in id order, up to the first row inside the
// period, and keeps the last deleted row's hash as the chain's anchor, so
// the rows kept still verify.
func (l *Log) Prune() (int64, error) {
	if l.opts.Retention == 0 {
		return 0, nil
	}
	cutoff := l.now().Add(-l.opts.Retention).UnixMilli()
	tx, err := l.db.Begin()
	if err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	defer tx.Rollback()
	// Rows are in id order in the chain; times may be a few milliseconds
	// out of that order (entries of one batch), so the cut is at the first
	// id inside the period: a row just past the period waits for the next
	// prune.
	var keep sql.NullInt64
	if err := tx.QueryRow(`SELECT min(id) FROM station_log WHERE at >= ?`, cutoff).Scan(&keep); err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	var last sql.NullInt64
	var lastHash []byte
	q := `SELECT id, row_hash FROM station_log ORDER BY id DESC LIMIT 1`
	args := []any{}
	if keep.Valid {
		q = `SELECT id, row_hash FROM station_log WHERE id < ? ORDER BY id DESC LIMIT 1`
		args = append(args, keep.Int64)
	}
	switch err := tx.QueryRow(q, args...).Scan(&last, &lastHash); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	res, err := tx.Exec(`DELETE FROM station_log WHERE id <= ?`, last.Int64)
	if err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	if _, err := tx.Exec(`UPDATE log_chain SET anchor = ?, anchor_id = ? WHERE id = 1`, lastHash, last.Int64); err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	return n, nil
}

// Entries calls f for every entry from since (inclusive) to until
// (exclusive; zero means no end), oldest first.
func (l *Log) Entries(since, until time.Time, f func(Entry) error) error {
	end := int64(1<<63 - 1)
	if !until.IsZero() {
		end = until.UnixMilli()
	}
	rows, err := l.db.Query(`SELECT at, credential_id, issuer, status, policy, reason_codes, reason, source,
		decision, action, action_by, action_at, trust_version, coalesce(ref, 0), id, coalesce(row_hash, x''), policy_name
		FROM station_log WHERE at >= ? AND at < ? ORDER BY at, id`, since.UnixMilli(), end)
	if err != nil {
		return fmt.Errorf("reading the verification log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var at int64
		var status, policy string
		var actionAt int64
		var h []byte
		if err := rows.Scan(&at, &e.CredentialID, &e.Issuer, &status, &policy, &e.ReasonCodes, &e.Reason, &e.Source,
			&e.Decision, &e.Action, &e.ActionBy, &actionAt, &e.TrustVersion, &e.Ref, &e.ID, &h, &e.PolicyName); err != nil {
			return fmt.Errorf("reading the verification log: %w", err)
		}
		e.Hash = hex.EncodeToString(h)
		e.At, e.Status, e.Policy = time.UnixMilli(at), status, policy
		if actionAt != 0 {
			e.ActionAt = time.UnixMilli(actionAt)
		}
		if err := f(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the verification log: %w", err)
	}
	return nil
}

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"time", "credential_id", "issuer", "status", "policy", "reason_codes", "reason", "source",
	"decision", "action", "action_by", "action_time", "trust_version", "ref", "id", "hash", "policy_name"}

// WriteCSV writes the entries from since to until as CSV (RFC 4180) with a
// header row, times in RFC 3339 UTC, through internal/csvout (the one CSV
// writer: no cell can run as a spreadsheet formula).
func (l *Log) WriteCSV(w io.Writer, since, until time.Time) (int, error) {
	cw := csvout.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	n := 0
	err := l.Entries(since, until, func(e Entry) error {
		n++
		actionAt, ref := "", ""
		if e.Ref != 0 {
			ref = strconv.FormatInt(e.Ref, 10)
		}
		if !e.ActionAt.IsZero() {
			actionAt = e.ActionAt.UTC().Format(csvTime)
		}
		return cw.Write([]string{e.At.UTC().Format(csvTime), e.CredentialID, e.Issuer,
			e.Status, e.Policy, e.ReasonCodes, e.Reason, e.Source, e.Decision, e.Action, e.ActionBy, actionAt,
			strconv.FormatInt(e.TrustVersion, 10), ref, strconv.FormatInt(e.ID, 10), e.Hash, e.PolicyName})
	})
	if ferr := cw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

const csvTime = "2006-01-02T15:04:05.000Z07:00"

// Limits of the log writer.
const (
	// maxLogBatch is how many log entries one transaction writes. Entries
	// arriving together are committed together (group commit), so a burst
	// of 50 clients costs a few fsyncs, not 50.
	maxLogBatch = 256

	// logQueue is how many log entries may wait for the writer before
	// callers block: a full second of the load test's peak rate.
	logQueue = 1024
)
