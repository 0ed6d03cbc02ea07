package verify

import (
	"errors"
	"strconv"
	"time"

	"passport/credential"
	"passport/trust"
)

// WarnTrustListUnconfirmed is the warning every result carries while the
// list in force names a timestamp key and nothing signed confirms it is
// still the newest (trust.ListUnconfirmed): a revocation published since
// may be missing, so no front end may show ACCEPT.
const WarnTrustListUnconfirmed credential.Reason = "trust_list_unconfirmed"

// ReasonClockBehind: the verifier's clock is behind a time the site has
// already seen pass (WithTimeFloor), so no date on the passport can be
// judged; the verdict is not reached (CHECK NEEDED, never ACCEPT).
const ReasonClockBehind credential.Reason = "clock_behind"

// UnconfirmedWarning is the trust_list_unconfirmed warning for a list
// that is unconfirmed at now, saying since when and what to do; nil
// otherwise. Every front end (verify, the station's results and its
// status) shows this one message.
func UnconfirmedWarning(info trust.ListInfo, now time.Time) *Reason {
	if info.StateAt(now) != trust.ListUnconfirmed {
		return nil
	}
	msg := "the trust list (version " + strconv.FormatInt(info.Version, 10) + ") has not been confirmed as the newest since " +
		info.ConfirmedUntil.UTC().Format("02 Jan 2006 15:04 UTC") + ": a revocation may be missing, so no passport is ACCEPTED until it is"
	if info.StatementVersion > info.Version {
		msg += "; version " + strconv.FormatInt(info.StatementVersion, 10) + " is published: sync or import it"
	} else {
		msg += "; check the trust-list source and the publishing host's scheduler"
	}
	return &Reason{Code: WarnTrustListUnconfirmed, Message: msg}
}

// WithTimeFloor makes the Verifier compare its clock, once per input, with
// the newest time the site knows has passed (floor; sitedb's DB.TimeFloor
// gives it): when the clock is behind it by more than the skew, every
// result fails with clock_behind instead of being judged. A station whose
// clock was set back, or whose CMOS battery died, would otherwise accept
// passports that have expired. Only a verifier on the system clock needs
// it: `verify --now` sets the time on purpose.
func WithTimeFloor(floor func() (trust.TimeFloor, error)) Option {
	return func(v *Verifier) error {
		if floor == nil {
			return errors.New("verify: WithTimeFloor(nil)")
		}
		v.floor = floor
		return nil
	}
}

// clockCheck is the result of comparing the clock with the time floor for
// one input: nil when the clock may be used.
type clockCheck struct {
	code credential.Reason
	msg  string
}

// checkClock compares now with the time floor, when there is one.
func (v *Verifier) checkClock(now time.Time) *clockCheck {
	if v.floor == nil {
		return nil
	}
	f, err := v.floor()
	if err != nil {
		return &clockCheck{ReasonTrustStore, "the time this site last saw pass could not be read (" + err.Error() + "), so this computer's clock cannot be checked: repair the --db file"}
	}
	if err := trust.CheckClock(now, f, v.skew); err != nil {
		return &clockCheck{ReasonClockBehind, err.Error()}
	}
	return nil
}
