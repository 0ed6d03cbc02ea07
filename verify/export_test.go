package verify

import (
	"time"

	"passport/trust"
)

// Options and Text verify one text at a fixed time in one call, for the
// vector and attack tests; callers outside the tests build a Verifier
// (NewVerifier with WithClock and WithSkew).
type Options struct {
	// Now is the time to verify at; zero means time.Now().
	Now time.Time
	// Skew is the clock difference allowed; zero means DefaultSkew.
	Skew time.Duration
}

// Text verifies one credential text with a one-off Verifier.
func Text(input, text string, store trust.TrustStore, opts Options) Result {
	v := &Verifier{store: store, clock: time.Now, skew: DefaultSkew}
	if !opts.Now.IsZero() {
		v.clock = func() time.Time { return opts.Now }
	}
	if opts.Skew != 0 {
		v.skew = opts.Skew
	}
	return v.VerifyText(input, text)
}

// ForgetStep makes the verifier behave as if the code recording the i-th
// check had been forgotten, for the test that every check is required. It
// reports the check's name, whether there is an i-th check, and a function
// that puts things back.
func ForgetStep(i int) (name string, ok bool, restore func()) {
	s := stepTrustList << i
	if s > stepBody {
		return "", false, func() {}
	}
	forget = s
	return stepNames[s], true, func() { forget = 0 }
}
