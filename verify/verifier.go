package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"passport/trust"
)

// Verifier checks credential texts against one trust store. It is built
// once with its options (clock, clock skew), which are fixed from then on,
// and is safe for concurrent use if its TrustStore is: a station builds one
// at start and uses it for every request. Reading images, PDFs and typed
// text into credential texts is package read's job, above this one.
type Verifier struct {
	store trust.TrustStore
	clock func() time.Time
	skew  time.Duration
	// floor, when set (WithTimeFloor), is the time the clock must not be
	// behind.
	floor func() (trust.TimeFloor, error)
}

// Option configures a Verifier.
type Option func(*Verifier) error

// WithClock makes the Verifier ask now for the time of each verification
// (one reading per input, so all its results share it). The default is
// time.Now; `verify --now` and tests pass a fixed time.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) error {
		if now == nil {
			return errors.New("verify: WithClock(nil)")
		}
		v.clock = now
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

// NewVerifier makes a Verifier over store.
func NewVerifier(store trust.TrustStore, opts ...Option) (*Verifier, error) {
	if store == nil {
		return nil, errors.New("verify: no trust store")
	}
	v := &Verifier{store: store, clock: time.Now, skew: DefaultSkew}
	for _, o := range opts {
		if err := o(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// VerifyTexts verifies the credential texts read from one input, all as at
// one moment, and returns one Result per text. onePage says the texts were
// read from the barcode symbols of one image, PDF or camera frame: then
// texts that disagree are flagged (multiple_credentials), since a reader
// must not take one person's verdict for another's, and a text that stops
// early is altered, not incomplete, since a symbol arrives whole. A text
// file's lines are separate typed scans and are neither. When ctx is
// cancelled it returns one unreadable result saying so.
func (v *Verifier) VerifyTexts(ctx context.Context, name string, texts []string, onePage bool) []Result {
	now := v.clock()
	clock := v.checkClock(now)
	results := make([]Result, 0, len(texts))
	for _, t := range texts {
		if err := ctx.Err(); err != nil {
			return []Result{Unreadable(name, err)}
		}
		results = append(results, v.text(name, t, now, clock))
	}
	if onePage {
		for i := range results {
			wholeFromSymbol(&results[i])
		}
		flagMixedPages(results)
	}
	return results
}

// VerifyText verifies one credential text (already read from a barcode or
// typed).
func (v *Verifier) VerifyText(name, text string) Result {
	now := v.clock()
	return v.text(name, text, now, v.checkClock(now))
}
