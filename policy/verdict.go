package policy

import (
	"passport/verify"
)

// Verdict is one credential's result as the station's API and
// `passport verify --json --policy` print it: the verify.Result fields
// unchanged, plus "policy" when a policy was applied. The policy's outcome
// sits beside the verifier's verdict and never changes it.
type Verdict struct {
	verify.Result
	Policy *Result `json:"policy,omitempty"`
	// Decision is the top-line decision (Decide) that every front end shows
	// first. Apply decides with no trust state; a front end that knows more
	// about its trust list (a failed refresh) decides again with it.
	Decision Decision `json:"decision"`
}

// Apply makes the Verdict for r: with p nil it only wraps r; otherwise it
// evaluates p on r's typed claims (r.Parsed) and verdict, on the day r was
// verified (r.VerifiedAt). Every front end (verify --policy, serve
// --policy, their JSON output) calls this, so they cannot disagree.
func Apply(p *Policy, r verify.Result) Verdict {
	v := Verdict{Result: r}
	if p != nil {
		pr := p.Evaluate(r.Status, r.Parsed, r.VerifiedAt)
		v.Policy = &pr
	}
	v.Decision = Decide(v)
	return v
}
