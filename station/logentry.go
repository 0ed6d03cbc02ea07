package station

import (
	"fmt"
	"strings"
	"time"

	"passport/internal/textsafe"
	"passport/policy"
	"passport/sitedb"
)

// EntryOf makes the log entry for one verdict. It copies no names and no
// credential text: when nothing was judged (not a passport, cannot read)
// the reason is the decision's fixed sentence, never the verifier's message,
// which may quote what was scanned (a staff number, a wristband's NHS
// number). The strings a credential chooses (a DCC's certificate
// identifier, a reason quoting it) are made printable first, so no entry
// can carry a control character into `passport log` or a terminal.
func EntryOf(v policy.Verdict, source string, at time.Time) sitedb.Entry {
	e := sitedb.Entry{At: at, CredentialID: printable(v.CredentialID), Issuer: printable(v.Issuer), Status: string(v.Status), Source: source,
		Decision: string(v.Decision.Code)}
	if v.TrustList != nil {
		e.TrustVersion = v.TrustList.Version
	}
	var codes []string
	for _, r := range v.Reasons {
		codes = append(codes, string(r.Code))
	}
	switch {
	case v.Decision.Code == policy.NotAPassport || v.Decision.Code == policy.CannotRead || v.Parsed == nil && v.DCC == nil:
		// Nothing was decoded (an altered code among them): the decoder's
		// message may quote the text, the decision's sentence never does.
		e.Reason = v.Decision.Reason
	case len(v.Reasons) > 0:
		e.Reason = printable(v.Reasons[0].Message)
	}
	if v.Policy != nil {
		e.Policy = string(v.Policy.Status)
		e.PolicyName = printable(v.Policy.Policy)
		if v.Policy.BundleName != "" {
			e.PolicyName = fmt.Sprintf("%s from trust list %d", printable(v.Policy.BundleName), v.Policy.BundleVersion)
		}
		for _, q := range v.Policy.Requirements {
			if q.Status == policy.NotMet {
				codes = append(codes, "policy_not_met:"+q.Code)
			}
		}
		if e.Reason == "" && v.Policy.Status != policy.NotEvaluated {
			e.Reason = v.Policy.Summary
		}
	}
	if e.Reason == "" {
		e.Reason = v.Decision.Reason
	}
	e.ReasonCodes = strings.Join(codes, " ")
	return e
}

// printable is s as the log keeps it: hidden characters (textsafe.Hidden,
// which include every control character) as visible markers.
func printable(s string) string {
	out, _ := textsafe.Visible(s)
	return out
}
