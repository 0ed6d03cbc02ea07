package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"passport/trust"
	"passport/verify/scan"
)

// Verifier checks credentials against one trust store. It is built once
// with its options (clock, clock skew, input limits), which are fixed from
// then on, and is safe for concurrent use if its TrustStore is: a station
// builds one at start and uses it for every request.
type Verifier struct {
	store  trust.TrustStore
	clock  func() time.Time
	skew   time.Duration
	limits Limits
	scan   scan.Options
}

// Limits bound the work one input may cause.
type Limits struct {
	// MaxInputBytes caps one input (image, PDF or text); larger inputs are
	// refused unread. Zero means MaxInputBytes.
	MaxInputBytes int
	// MaxTextLines caps the credentials read from one text input. Zero
	// means MaxTextLines.
	MaxTextLines int
}

// Option configures a Verifier.
type Option func(*Verifier) error

// WithDecodeBudget bounds the barcode reading of one image or PDF input:
// budget is the wall-clock time (the request's context stops it earlier),
// work the pixel visits (scan.Options.Work; 0 keeps scan.DefaultWork). An
// input that runs out is unreadable with a "gave up after N ms" reason.
// The default is scan.DefaultBudget, a guard against hangs: interactive
// callers such as the station pass a few seconds.
func WithDecodeBudget(budget time.Duration, work int64) Option {
	return func(v *Verifier) error {
		if budget < 0 || work < 0 {
			return fmt.Errorf("verify: a decode budget must not be negative (got %v, %d)", budget, work)
		}
		v.scan = scan.Options{Budget: budget, Work: work}
		return nil
	}
}

// WithClock makes the Verifier ask now for the time of each verification
// (one reading per input, so all its results share it). The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) error {
		if now == nil {
			return errors.New("verify: WithClock(nil)")
		}
		v.clock = now
		return nil
	}
}

// At fixes the verification time, for `verify --now` and tests.
func At(t time.Time) Option {
	return func(v *Verifier) error {
		if t.IsZero() {
			return nil
		}
		v.clock = func() time.Time { return t }
		return nil
	}
}

// WithSkew sets the clock difference allowed between issuer and verifier
// (default DefaultSkew).
func WithSkew(d time.Duration) Option {
	return func(v *Verifier) error {
		if d < 0 || d > 24*time.Hour {
			return fmt.Errorf("verify: clock skew %v is outside 0 to 24h", d)
		}
		if d > 0 {
			v.skew = d
		}
		return nil
	}
}

// WithLimits lowers (or, up to the package maximums, keeps) the input limits.
func WithLimits(l Limits) Option {
	return func(v *Verifier) error {
		if l.MaxInputBytes < 0 || l.MaxInputBytes > MaxInputBytes || l.MaxTextLines < 0 || l.MaxTextLines > MaxTextLines {
			return fmt.Errorf("verify: limits %+v are outside 0 to %d bytes and 0 to %d lines", l, MaxInputBytes, MaxTextLines)
		}
		if l.MaxInputBytes > 0 {
			v.limits.MaxInputBytes = l.MaxInputBytes
		}
		if l.MaxTextLines > 0 {
			v.limits.MaxTextLines = l.MaxTextLines
		}
		return nil
	}
}

// NewVerifier makes a Verifier over store.
func NewVerifier(store trust.TrustStore, opts ...Option) (*Verifier, error) {
	if store == nil {
		return nil, errors.New("verify: no trust store")
	}
	v := &Verifier{store: store, clock: time.Now, skew: DefaultSkew,
		limits: Limits{MaxInputBytes: MaxInputBytes, MaxTextLines: MaxTextLines}}
	for _, o := range opts {
		if err := o(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// verifierFor is the Verifier the package-level functions use.
func verifierFor(store trust.TrustStore, opts Options) *Verifier {
	v := &Verifier{store: store, clock: opts.now, skew: opts.skew(),
		limits: Limits{MaxInputBytes: MaxInputBytes, MaxTextLines: MaxTextLines}}
	if !opts.Now.IsZero() {
		now := opts.Now
		v.clock = func() time.Time { return now }
	}
	return v
}

// Verify verifies every credential found in one input (an image, a PDF,
// or text with one credential per line). It returns at least one Result;
// when ctx is cancelled before the work is done it returns one unreadable
// result saying so.
func (v *Verifier) Verify(ctx context.Context, name string, data []byte) []Result {
	if err := ctx.Err(); err != nil {
		return []Result{Unreadable(name, err)}
	}
	texts, err := v.codes(ctx, data)
	if err != nil {
		return []Result{Unreadable(name, err)}
	}
	return v.verifyTexts(ctx, name, texts, scan.Sniff(data) != scan.KindText)
}

// verifyTexts verifies the credential texts read from one input, all as at
// one moment. Texts from one image or PDF (onePage) that disagree are
// flagged; a text file's lines are separate scans.
func (v *Verifier) verifyTexts(ctx context.Context, name string, texts []string, onePage bool) []Result {
	now := v.clock()
	results := make([]Result, 0, len(texts))
	for _, t := range texts {
		if err := ctx.Err(); err != nil {
			return []Result{Unreadable(name, err)}
		}
		results = append(results, v.text(name, t, now))
	}
	if onePage {
		flagMixedPages(results)
	}
	return results
}

// VerifyText verifies one credential text (already read from a barcode or
// typed).
func (v *Verifier) VerifyText(name, text string) Result {
	return v.text(name, text, v.clock())
}
