package station

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // the site database is SQLite

	"passport/verify"
)

// logSchema is the station's table in the site database, next to the trust
// store's tables (keys/trustdb). It holds no images, no credential texts and
// no names: only what an audit needs to match a visit to a passport.
//
//	station_log
//	  id            INTEGER PK
//	  at            INTEGER  unix milliseconds (UTC)
//	  credential_id TEXT     hex cti; '' when nothing could be decoded
//	  issuer        TEXT     issuing organisation code; '' when unknown
//	  status        TEXT     valid | invalid | unreadable
//	  policy        TEXT     met | expiring_soon | not_met | not_evaluated | '' (no policy)
//	  reason_codes  TEXT     space-separated reason codes (verify's, then policy_not_met:CODE)
//	  reason        TEXT     the first reason in words, or the policy summary
//	  source        TEXT     text | image | pdf | camera | other
const logSchema = `
CREATE TABLE IF NOT EXISTS station_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    credential_id TEXT NOT NULL DEFAULT '',
    issuer        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    policy        TEXT NOT NULL DEFAULT '',
    reason_codes  TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS station_log_at ON station_log(at);
`

// Entry is one row of the verification log.
type Entry struct {
	At           time.Time     `json:"at"`
	CredentialID string        `json:"credential_id"`
	Issuer       string        `json:"issuer"`
	Status       verify.Status `json:"status"`
	Policy       PolicyStatus  `json:"policy,omitempty"`
	ReasonCodes  string        `json:"reason_codes"`
	Reason       string        `json:"reason"`
	Source       string        `json:"source"`
}

// EntryOf makes the log entry for one verdict. It copies no names and no
// credential text.
func EntryOf(v Verdict, source string, at time.Time) Entry {
	e := Entry{At: at, CredentialID: v.CredentialID, Issuer: v.Issuer, Status: v.Status, Source: source}
	var codes []string
	for _, r := range v.Reasons {
		codes = append(codes, string(r.Code))
	}
	if len(v.Reasons) > 0 {
		e.Reason = v.Reasons[0].Message
	}
	if v.Policy != nil {
		e.Policy = v.Policy.Status
		for _, q := range v.Policy.Requirements {
			if q.Status == PolicyNotMet {
				codes = append(codes, "policy_not_met:"+q.Code)
			}
		}
		if e.Reason == "" && v.Policy.Status != PolicyNotEvaluated {
			e.Reason = v.Policy.Summary
		}
	}
	e.ReasonCodes = strings.Join(codes, " ")
	return e
}

// Log is the verification log in the site database. Writes from concurrent
// requests are committed together by one writer goroutine (group commit);
// Record returns once its entry is on disk. It is safe for concurrent use.
type Log struct {
	db        *sql.DB
	path      string
	retention time.Duration
	queue     chan logReq
	done      chan struct{}
	closeOnce sync.Once
	now       func() time.Time

	mu    sync.Mutex // guards today
	today struct {
		day string // local YYYY-MM-DD the count is for
		n   int
	}
}

type logReq struct {
	e   Entry
	err chan error
}

// OpenLog opens (creating if needed) the verification log table in the
// SQLite file at path, which should be the site's trust database already
// opened with trustdb.Open (open the trust store first: it refuses a new file
// that already holds other tables). Rows older than retention are deleted
// now and every few hours while the log is open; retention 0 keeps every
// row.
func OpenLog(path string, retention time.Duration) (*Log, error) {
	if path == "" {
		return nil, errors.New("no database file given: use --db FILE")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q contains '?' or '#': rename it", path)
	}
	if retention < 0 {
		return nil, fmt.Errorf("log retention %v is negative: give a positive duration, or 0 to keep everything", retention)
	}
	if strings.HasPrefix(path, "file:") {
		path = "./" + path
	}
	dsn := fmt.Sprintf("%s?_busy_timeout=%d&_journal_mode=DELETE&_synchronous=FULL&_txlock=immediate", path, (5 * time.Second).Milliseconds())
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the verification log in %s: %w", path, err)
	}
	db.SetMaxOpenConns(2) // one writer, one reader for counts and exports
	if _, err := db.Exec(logSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the verification log table in %s: %w", path, err)
	}
	l := &Log{db: db, path: path, retention: retention, queue: make(chan logReq, logQueue),
		done: make(chan struct{}), now: time.Now}
	if _, err := l.Prune(); err != nil {
		db.Close()
		return nil, err
	}
	if err := l.refreshToday(); err != nil {
		db.Close()
		return nil, err
	}
	go l.writer()
	return l, nil
}

// Close flushes pending entries and closes the database.
func (l *Log) Close() error {
	l.closeOnce.Do(func() { close(l.queue) })
	<-l.done
	return l.db.Close()
}

// Record writes one entry and returns when it is committed. Entries recorded
// at the same time share one transaction.
func (l *Log) Record(ctx context.Context, e Entry) (err error) {
	req := logReq{e: e, err: make(chan error, 1)}
	defer func() {
		if recover() != nil { // queue closed: the log is shutting down
			err = errors.New("the verification log is closed")
		}
	}()
	select {
	case l.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.err
}

func (l *Log) writer() {
	defer close(l.done)
	prune := time.NewTicker(pruneEvery)
	defer prune.Stop()
	for {
		select {
		case <-prune.C:
			l.Prune()
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
			err := l.write(batch)
			for _, r := range batch {
				r.err <- err
			}
		}
	}
}

func (l *Log) write(batch []logReq) error {
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("writing the verification log: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO station_log (at, credential_id, issuer, status, policy, reason_codes, reason, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("writing the verification log: %w", err)
	}
	defer stmt.Close()
	for _, r := range batch {
		e := r.e
		if _, err := stmt.Exec(e.At.UnixMilli(), e.CredentialID, e.Issuer, string(e.Status), string(e.Policy), e.ReasonCodes, e.Reason, e.Source); err != nil {
			return fmt.Errorf("writing the verification log: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("writing the verification log: %w", err)
	}
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
	return nil
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

// Prune deletes entries older than the retention period and returns how
// many it deleted. With retention 0 it deletes nothing.
func (l *Log) Prune() (int64, error) {
	if l.retention == 0 {
		return 0, nil
	}
	res, err := l.db.Exec(`DELETE FROM station_log WHERE at < ?`, l.now().Add(-l.retention).UnixMilli())
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
	rows, err := l.db.Query(`SELECT at, credential_id, issuer, status, policy, reason_codes, reason, source
		FROM station_log WHERE at >= ? AND at < ? ORDER BY at, id`, since.UnixMilli(), end)
	if err != nil {
		return fmt.Errorf("reading the verification log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var at int64
		var status, policy string
		if err := rows.Scan(&at, &e.CredentialID, &e.Issuer, &status, &policy, &e.ReasonCodes, &e.Reason, &e.Source); err != nil {
			return fmt.Errorf("reading the verification log: %w", err)
		}
		e.At, e.Status, e.Policy = time.UnixMilli(at), verify.Status(status), PolicyStatus(policy)
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
var CSVHeader = []string{"time", "credential_id", "issuer", "status", "policy", "reason_codes", "reason", "source"}

// WriteCSV writes the entries from since to until as CSV (RFC 4180) with a
// header row, times in RFC 3339 UTC. Cells starting with = + - @ are
// prefixed with ' so spreadsheets do not run them as formulas.
func (l *Log) WriteCSV(w io.Writer, since, until time.Time) (int, error) {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	n := 0
	err := l.Entries(since, until, func(e Entry) error {
		n++
		return cw.Write([]string{e.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), cell(e.CredentialID), cell(e.Issuer),
			string(e.Status), string(e.Policy), cell(e.ReasonCodes), cell(e.Reason), cell(e.Source)})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
