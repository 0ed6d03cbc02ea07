package verify

import (
	"fmt"
	"time"

	"passport/credential"
	"passport/trust"
)

// Revocation of one credential (docs/format.md §3.1): the verdict's code
// is always `revoked`, so a program that knew only the first release's
// codes still refuses the passport; the entry's revocation_reason and
// revoked_from say why and since when, and the message says it in words
// ("replaced by a newer passport issued 03 Mar 2027", not "withdrawn").
// A revocation applies from its time on: verify judges "now", so a
// credential is revoked when now ≥ from, and a revocation that starts
// later (an employee leaving at the end of the month) does not refuse it
// yet.

// checkRevoked looks id up in the store and fails r if a revocation is in
// force at now. what names the credential for people ("this passport
// (…)"). It reports whether the lookup worked.
func (r *Result) checkRevoked(store trust.TrustStore, id []byte, what string, now time.Time) bool {
	rev, err := store.Revocation(id)
	if err != nil {
		r.fail(ReasonTrustStore, "the revocation list could not be read: %v", err)
		return false
	}
	if rev == nil || !rev.AppliesAt(now) {
		return true
	}
	r.fail(ReasonRevoked, "%s", revokedMessage(what, *rev))
	last := &r.Reasons[len(r.Reasons)-1]
	last.RevocationReason = rev.ReasonCode()
	if !rev.From.IsZero() {
		last.RevokedFrom = rev.From.UTC().Format(time.RFC3339)
	}
	return true
}

func revokedMessage(what string, rev trust.Revocation) string {
	since := ""
	if !rev.From.IsZero() {
		since = " on " + day(rev.From)
	}
	d, known := credential.RevocationReason(rev.Reason)
	switch {
	case rev.Reason == 0:
		return fmt.Sprintf("%s has been revoked by its issuer%s", what, since)
	case !known:
		return fmt.Sprintf("%s has been revoked by its issuer%s (reason %d, which this verifier does not know: update it)", what, since, rev.Reason)
	case d.Code == "superseded" && since != "":
		return fmt.Sprintf("%s was replaced by a newer passport issued %s: only the newer one is valid", what, day(rev.From))
	case d.Code == "superseded":
		return fmt.Sprintf("%s was replaced by a newer passport: only the newer one is valid", what)
	}
	return fmt.Sprintf("%s has been revoked by its issuer%s: %s", what, since, d.Label)
}

// day is a revocation time as people read it, "03 Mar 2027".
func day(t time.Time) string { return t.UTC().Format("02 Jan 2006") }
