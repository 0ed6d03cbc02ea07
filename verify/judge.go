package verify

import (
	"errors"
	"fmt"
	"time"

	"passport/credential"
)

// Invalid until proven valid: a verdict is not VALID because no branch
// failed it, but because every check it needs ran and passed. Each check
// records that it passed; finish sets the status from that record and the
// reasons, so a check that is forgotten (or skipped by a new code path)
// leaves the verdict INVALID instead of quietly VALID.

// step is one check a verdict depends on.
type step uint16

const (
	stepTrustList  step = 1 << iota // the trust list could be read
	stepEnvelope                    // prefix, base45, zlib, COSE
	stepKey                         // the kid names a trusted key
	stepSignature                   // the signature verifies under it
	stepKind                        // the key is trusted for this kind of document
	stepClaims                      // the fixed top-level claims are sound
	stepIssuer                      // the issuer claim is the key's organisation (or country)
	stepKeyWindow                   // the key was good (not revoked, in its window) at iat
	stepTimes                       // now is within nbf, iat and exp, with the skew
	stepRevocation                  // the credential is not revoked
	stepBody                        // the body was read, understood and is plausible

	// stepsRequired: every check, for both kinds of document.
	stepsRequired = stepTrustList | stepEnvelope | stepKey | stepSignature | stepKind | stepClaims |
		stepIssuer | stepKeyWindow | stepTimes | stepRevocation | stepBody
)

var stepNames = map[step]string{
	stepTrustList: "trust list", stepEnvelope: "envelope", stepKey: "key", stepSignature: "signature",
	stepKind: "key kind", stepClaims: "claims", stepIssuer: "issuer", stepKeyWindow: "key validity",
	stepTimes: "dates", stepRevocation: "revocation", stepBody: "body",
}

// forget is a test hook: a check it names is not recorded as passed, as if
// the code that runs it had been forgotten. It is zero outside tests.
var forget step

// judged is a Result being made, with the checks that have passed.
type judged struct {
	r      Result
	passed step
}

func (j *judged) pass(s step) {
	if forget&s == 0 {
		j.passed |= s
	}
}

// finish sets the status: valid only when every required check passed and
// no reason was added.
func (j *judged) finish() Result {
	r := j.r
	r.showHidden()
	if len(r.Reasons) == 0 && j.passed&stepsRequired == stepsRequired {
		r.Status = StatusValid
		return r
	}
	r.Status = StatusInvalid
	if len(r.Reasons) == 0 {
		var missing []string
		for s := stepTrustList; s <= stepBody; s <<= 1 {
			if stepsRequired&s != 0 && j.passed&s == 0 {
				missing = append(missing, stepNames[s])
			}
		}
		r.Reasons = append(r.Reasons, Reason{Code: ReasonNotChecked,
			Message: fmt.Sprintf("this verifier did not complete its checks (%v): do not accept the passport, and report this to IT", missing)})
	}
	return r
}

// failDecode records why a text could not be decoded down to a signed
// message. A text that starts like a credential arrived whole unless it
// stops before the code could (credential.ErrTruncated): a scanner or a
// camera has already corrected damage to the print, so a whole code that
// fails base45, zlib, CBOR or COSE has been altered.
func (r *Result) failDecode(err error) {
	code := credential.ReasonOf(err)
	if code == "" {
		code = credential.ReasonBadCOSE
	}
	msg := decodeMessage(err)
	switch {
	case code == credential.ReasonBadPrefix:
	case errors.Is(err, credential.ErrTruncated):
		r.Reasons = append(r.Reasons, Reason{Code: code, Incomplete: true,
			Message: "incomplete: only part of the code arrived (" + msg + "): scan it again"})
		return
	default:
		msg = "altered: not a genuine passport (" + msg + ")"
	}
	r.fail(code, "%s", msg)
}

// dateAllowance is how far past the signing time a check or training
// date may lie: a date has no time zone, and the issuer's calendar day
// may begin up to 14 hours before the same day in UTC (UTC+14).
const dateAllowance = 14 * time.Hour

// implausibleDate names the first check or training item the passport
// says was done after it was signed (beyond the clock skew and the time
// zones a calendar date allows), or "" when there is none. An issuer
// cannot vouch for a check that had not happened yet.
func implausibleDate(c *credential.Claims, skew time.Duration) string {
	late := func(d credential.Date) bool {
		return !d.IsZero() && d.Time().Add(-dateAllowance).After(c.IssuedAt.Add(skew))
	}
	for _, ch := range c.Body.Checks {
		if late(ch.Done) {
			return fmt.Sprintf("the %s check is dated %s, after the passport was signed (%s): a passport cannot vouch for a check not yet done", ch.Type, ch.Done.Human(), human(c.IssuedAt))
		}
	}
	for _, t := range c.Body.Training {
		if late(t.Completed) {
			return fmt.Sprintf("the %s training is dated %s, after the passport was signed (%s): a passport cannot vouch for training not yet done", t.Subject, t.Completed.Human(), human(c.IssuedAt))
		}
	}
	return ""
}
