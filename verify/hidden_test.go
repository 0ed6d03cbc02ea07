package verify_test

import (
	"strings"
	"testing"
	"time"

	"passport/credential/sign"
	"passport/policy"
	"passport/trust"
	"passport/verify"
)

// TestHiddenCharactersAreShownAndNeverAccepted: a genuine passport whose
// name holds a right-to-left override or an invisible character is
// verified (the signature is good), but what a person reads shows each
// hidden character as a visible marker, a warning says why, and the
// decision (CLI and station alike, through policy.Decide) is CHECK NEEDED,
// never ACCEPT: "Alice" + U+202E + "boB DILAVNI" must not read as
// "Alice INVALID Bob" under ACCEPT.
func TestHiddenCharactersAreShownAndNeverAccepted(t *testing.T) {
	iss := newIssuer(t, "RXH", tT0)
	st := trust.NewMemoryStore()
	st.Add(trust.TrustedKey{KID: iss.KID, OrgCode: iss.OrgCode, OrgName: iss.OrgName, PublicKey: &iss.Key.PublicKey})
	v, err := verify.NewVerifier(st, verify.WithClock(func() time.Time { return tNow }))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, shown string }{
		{"Alice \u202eboB DILAVNI", "Alice ⟦U+202E⟧boB DILAVNI"},
		{"Sam\u00adson Oka\u200bfor", "Sam⟦U+00AD⟧son Oka⟦U+200B⟧for"},
		{"Zoë Whitfield", ""},
	} {
		claims := passportClaims(iss.OrgCode, tIssued, 7)
		claims.Body.Person.Name = c.name
		text, err := sign.Issue(claims, iss.Key, iss.KID)
		if err != nil {
			t.Fatal(err)
		}
		r := v.VerifyText("scan", text)
		d := policy.Apply(nil, r).Decision
		if c.shown == "" {
			if d.Code != policy.Accept || hasCode(r.Warnings, string(verify.WarnHiddenCharacters)) {
				t.Errorf("%q: decision %s, warnings %+v; want accept with no hidden-character warning", c.name, d.Code, r.Warnings)
			}
			continue
		}
		if r.Status != verify.StatusValid || r.Subject != c.shown || r.Claims.Person.Name != c.shown {
			t.Errorf("%q: status %s, subject %q, claims name %q; want valid and %q", c.name, r.Status, r.Subject, r.Claims.Person.Name, c.shown)
		}
		if r.Parsed.Body.Person.Name != c.name {
			t.Errorf("the signed claims were changed: %q", r.Parsed.Body.Person.Name)
		}
		if !hasCode(r.Warnings, string(verify.WarnHiddenCharacters)) || d.Code != policy.CheckNeeded || !strings.Contains(d.Reason, "hidden") {
			t.Errorf("%q: warnings %+v, decision %s %q; want hidden_characters and check_needed", c.name, r.Warnings, d.Code, d.Reason)
		}
	}
}
