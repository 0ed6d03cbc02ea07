package trustsync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"passport/sitedb"
)

// DefaultTimeout bounds one whole sync (index and bundle): a bundle of
// trust.MaxBundleBytes arrives in that time at about 3 Mbit/s.
const DefaultTimeout = 3 * time.Minute

// minBackoff is the first retry delay after a failed sync; it doubles with
// each further failure, up to the sync interval.
const minBackoff = time.Minute

// jitter spreads syncs by ±10% so sites started together do not all ask
// the server at the same moment.
const jitter = 0.1

// Options configure a Syncer.
type Options struct {
	// Client fetches http(s) sources; nil means NewHTTPClient().
	Client *http.Client
	// Timeout bounds one Sync; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AllowRedirectHosts names other hosts the default client may follow
	// a redirect to (RedirectPolicy); by default only the source's own.
	AllowRedirectHosts []string
}

// Outcome says what a successful sync did.
type Outcome string

// Outcomes of a successful sync.
const (
	Imported    Outcome = "imported"     // a newer bundle is now the list in force
	UpToDate    Outcome = "up-to-date"   // the source offers the version in force
	NotModified Outcome = "not-modified" // the index has not changed since the last sync (HTTP 304)
)

// Result is a successful sync.
type Result struct {
	Outcome Outcome
	Index   *Index               // the source's index; nil when NotModified
	Report  *sitedb.ImportReport // set when Imported
}

// Status is what a station shows about its syncing. Times are zero until
// the event happened.
type Status struct {
	Source        string    `json:"source"`
	LastAttempt   time.Time `json:"last_attempt,omitzero"`
	LastRefreshed time.Time `json:"last_refreshed,omitzero"` // the source last confirmed or delivered the newest list
	LastImported  time.Time `json:"last_imported,omitzero"`  // a bundle was last imported by this syncer
	LastError     string    `json:"last_error,omitempty"`    // of the latest attempt; empty after a success
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
	Failures      int       `json:"consecutive_failures"`
	NextAttempt   time.Time `json:"next_attempt,omitzero"`
	StaleAt       time.Time `json:"stale_at,omitzero"` // the list in force expires then; verifications warn after it
	// RecentFailures are the latest failed attempts, newest first, at most
	// MaxRecentFailures: a source that fails now and then shows it even
	// after a success cleared LastError.
	RecentFailures []Failure `json:"recent_failures,omitempty"`
}

// Failure is one failed sync attempt. Error is cleaned of control and
// escape characters: it may quote what the source sent.
type Failure struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"`
}

// MaxRecentFailures bounds Status.RecentFailures.
const MaxRecentFailures = 10

// Syncer fetches a source's newest bundle into a site database. It is safe
// for concurrent use; syncs run one at a time.
type Syncer struct {
	db   *sitedb.DB
	src  source
	opts Options

	running sync.Mutex // held for a whole Sync
	mu      sync.Mutex // guards v and st
	v       validators // of the last successful index read
	st      Status
}

// New makes a Syncer importing into db from `from`: an http(s) URL of an
// index (or of the directory holding index.json), or a directory or index
// file on a disk or shared drive. Nothing is fetched yet.
func New(db *sitedb.DB, from string, opts Options) (*Syncer, error) {
	if db == nil {
		return nil, errors.New("trustsync: no database")
	}
	if opts.Client == nil {
		opts.Client = newHTTPClient(opts.AllowRedirectHosts)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	src, err := parseSource(from, opts.Client)
	if err != nil {
		return nil, err
	}
	return &Syncer{db: db, src: src, opts: opts, st: Status{Source: src.String()}}, nil
}

// Source names where the syncer reads from (an URL without its password).
func (s *Syncer) Source() string { return s.src.String() }

// Sync reads the source's index and, when it names a version other than
// the one in force, the bundle; checks the bundle against the index
// (ErrMismatch) and imports it with sitedb.DB.ImportBundle, so a bundle
// not signed by a pinned authority, altered, expired or not newer is
// refused with the same errors as `trust import` and the list in force is
// kept. An index older than the list in force is refused as a rollback
// without fetching the bundle.
func (s *Syncer) Sync(ctx context.Context) (Result, error) {
	s.running.Lock()
	defer s.running.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	started := s.opts.Now()
	res, v, err := s.sync(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.LastAttempt = started
	if err != nil {
		err = cleanError{err}
		s.st.LastError, s.st.LastErrorAt = err.Error(), started
		s.st.Failures++
		s.st.RecentFailures = append([]Failure{{At: started, Error: err.Error()}}, s.st.RecentFailures...)
		s.st.RecentFailures = s.st.RecentFailures[:min(len(s.st.RecentFailures), MaxRecentFailures)]
		return res, err
	}
	s.v = v
	s.st.LastError, s.st.Failures = "", 0
	s.st.LastRefreshed = s.opts.Now()
	if res.Outcome == Imported {
		s.st.LastImported = s.st.LastRefreshed
	}
	return res, nil
}

func (s *Syncer) sync(ctx context.Context) (Result, validators, error) {
	s.mu.Lock()
	v := s.v
	s.mu.Unlock()
	f, err := s.src.fetchIndex(ctx, v)
	if err != nil {
		return Result{}, v, err
	}
	if f.notModified {
		return Result{Outcome: NotModified}, v, nil
	}
	idx, err := ParseIndex(f.data)
	if err != nil {
		return Result{}, v, fmt.Errorf("%s: %w", s.src, err)
	}
	info, err := s.db.Info()
	if err != nil {
		return Result{Index: idx}, v, err
	}
	switch {
	case info.Version != 0 && idx.Version == info.Version:
		return Result{Outcome: UpToDate, Index: idx}, f.validators, nil
	case idx.Version < info.Version:
		return Result{Index: idx}, v, fmt.Errorf("%w: the source offers version %d and version %d is in force (%s)",
			sitedb.ErrRollback, idx.Version, info.Version, s.src)
	}
	data, err := s.src.fetchBundle(ctx, idx.File, idx.Size)
	if err != nil {
		return Result{Index: idx}, v, err
	}
	if err := idx.checkBundle(data); err != nil {
		return Result{Index: idx}, v, err
	}
	rep, err := s.db.ImportBundle(data, sitedb.ImportOptions{Now: s.opts.Now()})
	if err != nil {
		return Result{Index: idx}, v, err
	}
	return Result{Outcome: Imported, Index: idx, Report: rep}, f.validators, nil
}

// Status reports the syncer's state and when the list in force goes stale.
func (s *Syncer) Status() Status {
	s.mu.Lock()
	st := s.st
	st.RecentFailures = append([]Failure{}, s.st.RecentFailures...)
	s.mu.Unlock()
	if info, err := s.db.Info(); err == nil {
		st.StaleAt = info.Expires
	}
	return st
}

// Run syncs now and then about every interval (±10%) until ctx ends. After
// a failure it retries sooner: after one minute, doubling per failure, never
// later than interval. report, when not nil, is called after each attempt.
func (s *Syncer) Run(ctx context.Context, interval time.Duration, report func(Result, error)) {
	for {
		res, err := s.Sync(ctx)
		if ctx.Err() != nil {
			return
		}
		if report != nil {
			report(res, err)
		}
		s.mu.Lock()
		wait := nextWait(interval, s.st.Failures, rand.Float64)
		s.st.NextAttempt = s.opts.Now().Add(wait)
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// nextWait is the delay before the next sync: interval after a success, a
// doubling backoff from minBackoff after failures (at most interval), each
// spread by ±jitter using rnd (uniform in [0, 1)).
func nextWait(interval time.Duration, failures int, rnd func() float64) time.Duration {
	d := interval
	if failures > 0 {
		backoff := minBackoff << min(failures-1, 20)
		d = min(interval, backoff)
	}
	return d + time.Duration((rnd()*2-1)*jitter*float64(d))
}
