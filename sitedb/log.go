package sitedb

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	ReasonCodes  string    `json:"reason_codes"`
	Reason       string    `json:"reason"`
	Source       string    `json:"source"`
	// Decision is the top-line decision shown (policy.DecisionCode):
	// accept | check_needed | do_not_accept | not_a_passport | cannot_read;
	// '' in rows written before schema version 3.
	Decision string `json:"decision"`
	// Action is what the person at the desk pressed: accepted | refused, or
	// '' when nothing was pressed. ActionBy is the name they gave for their
	// shift; ActionAt when they pressed it.
	Action   string    `json:"action,omitempty"`
	ActionBy string    `json:"action_by,omitempty"`
	ActionAt time.Time `json:"action_at,omitzero"`
}

// The actions a person can record on a verification (SetAction).
const (
	ActionAccepted = "accepted"
	ActionRefused  = "refused"
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

	mu       sync.Mutex // guards today and pruneErr
	pruneErr error
	today    struct {
		day string // local YYYY-MM-DD the count is for
		n   int
	}
}

type logReq struct {
	e   Entry
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
	l.closeOnce.Do(func() { close(l.queue) })
	<-l.done
	return nil
}

// Record writes one entry and returns when it is committed. Entries recorded
// at the same time share one transaction.
func (l *Log) Record(ctx context.Context, e Entry) error {
	_, err := l.Add(ctx, e)
	return err
}

// Add is Record returning the new row's id, for SetAction.
func (l *Log) Add(ctx context.Context, e Entry) (id int64, err error) {
	req := logReq{e: e, res: make(chan logRes, 1)}
	defer func() {
		if recover() != nil { // queue closed: the log is shutting down
			err = errors.New("the verification log is closed")
		}
	}()
	select {
	case l.queue <- req:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	res := <-req.res
	return res.id, res.err
}

// SetAction records on row id what the person at the desk decided
// (ActionAccepted or ActionRefused), who they said they are, and when. A
// later press replaces an earlier one (a corrected mis-press); the row's
// verdict and decision never change.
func (l *Log) SetAction(ctx context.Context, id int64, action, by string, at time.Time) error {
	if action != ActionAccepted && action != ActionRefused {
		return fmt.Errorf("action %q: use %s or %s", action, ActionAccepted, ActionRefused)
	}
	res, err := l.db.ExecContext(ctx, `UPDATE station_log SET action = ?, action_by = ?, action_at = ? WHERE id = ?`, action, by, at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("recording the decision in the verification log: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("verification %d is not in the log (it may have been deleted after the retention period)", id)
	}
	return nil
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
			ids, err := l.write(batch)
			for i, r := range batch {
				res := logRes{err: err}
				if err == nil {
					res.id = ids[i]
				}
				r.res <- res
			}
		}
	}
}

func (l *Log) write(batch []logReq) ([]int64, error) {
	tx, err := l.db.Begin()
	if err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	defer tx.Rollback()
	// The transaction holds the write lock from Begin (_txlock=immediate),
	// so the commit below is the only one between these two counter values.
	before, err := l.site.fileChangeCounter()
	if err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	stmt, err := tx.Prepare(`INSERT INTO station_log (at, credential_id, issuer, status, policy, reason_codes, reason, source, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	defer stmt.Close()
	ids := make([]int64, 0, len(batch))
	for _, r := range batch {
		e := r.e
		res, err := stmt.Exec(e.At.UnixMilli(), e.CredentialID, e.Issuer, e.Status, e.Policy, e.ReasonCodes, e.Reason, e.Source, e.Decision)
		if err != nil {
			return nil, fmt.Errorf("writing the verification log: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("writing the verification log: %w", err)
		}
		ids = append(ids, id)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("writing the verification log: %w", err)
	}
	l.site.logCommitted(before)
	l.mu.Lock()
	day := l.now().Format("2006-01-02")
	for _, r := range batch {
		if r.e.At.Local().Format("2006-01-02") == day && l.today.day == day {
			l.today.n++
		}
	}
	stale := l.today.day != day
	l.mu.Unlock()
	if stale {
		l.refreshToday()
	}
	return ids, nil
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

// Today is the number of verifications logged since local midnight.
func (l *Log) Today() int {
	l.mu.Lock()
	stale := l.today.day != l.now().Format("2006-01-02")
	l.mu.Unlock()
	if stale {
		l.refreshToday()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.today.n
}

// CountSince counts the entries at or after t.
func (l *Log) CountSince(t time.Time) (int, error) {
	var n int
	if err := l.db.QueryRow(`SELECT count(*) FROM station_log WHERE at >= ?`, t.UnixMilli()).Scan(&n); err != nil {
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
// many it deleted. With retention 0 it deletes nothing.
func (l *Log) Prune() (int64, error) {
	if l.opts.Retention == 0 {
		return 0, nil
	}
	res, err := l.db.Exec(`DELETE FROM station_log WHERE at < ?`, l.now().Add(-l.opts.Retention).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("pruning the verification log: %w", err)
	}
	return res.RowsAffected()
}

// Entries calls f for every entry from since (inclusive) to until
// (exclusive; zero means no end), oldest first.
func (l *Log) Entries(since, until time.Time, f func(Entry) error) error {
	end := int64(1<<63 - 1)
	if !until.IsZero() {
		end = until.UnixMilli()
	}
	rows, err := l.db.Query(`SELECT at, credential_id, issuer, status, policy, reason_codes, reason, source,
		decision, action, action_by, action_at
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
		if err := rows.Scan(&at, &e.CredentialID, &e.Issuer, &status, &policy, &e.ReasonCodes, &e.Reason, &e.Source,
			&e.Decision, &e.Action, &e.ActionBy, &actionAt); err != nil {
			return fmt.Errorf("reading the verification log: %w", err)
		}
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
	"decision", "action", "action_by", "action_time"}

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
		actionAt := ""
		if !e.ActionAt.IsZero() {
			actionAt = e.ActionAt.UTC().Format(csvTime)
		}
		return cw.Write([]string{e.At.UTC().Format(csvTime), e.CredentialID, e.Issuer,
			e.Status, e.Policy, e.ReasonCodes, e.Reason, e.Source, e.Decision, e.Action, e.ActionBy, actionAt})
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
