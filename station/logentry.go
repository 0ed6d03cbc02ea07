package station

import (
	"strings"
	"time"

	"passport/policy"
	"passport/sitedb"
	"passport/verify"
)

// EntryOf makes the log entry for one verdict. It copies no names and no
// credential text; the strings a credential chooses (a DCC's certificate
// identifier, a reason quoting it) are made printable first, so no entry
// can carry a control character into `passport log` or a terminal.
func EntryOf(v policy.Verdict, source string, at time.Time) sitedb.Entry {
	e := sitedb.Entry{At: at, CredentialID: verify.Printable(v.CredentialID), Issuer: verify.Printable(v.Issuer), Status: string(v.Status), Source: source}
	var codes []string
	for _, r := range v.Reasons {
		codes = append(codes, string(r.Code))
	}
	if len(v.Reasons) > 0 {
		e.Reason = verify.Printable(v.Reasons[0].Message)
	}
	if v.Policy != nil {
		e.Policy = string(v.Policy.Status)
		for _, q := range v.Policy.Requirements {
			if q.Status == policy.NotMet {
				codes = append(codes, "policy_not_met:"+q.Code)
			}
		}
		if e.Reason == "" && v.Policy.Status != policy.NotEvaluated {
			e.Reason = v.Policy.Summary
		}
	}
	e.ReasonCodes = strings.Join(codes, " ")
	return e
}
