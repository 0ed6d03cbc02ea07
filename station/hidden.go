package station

import (
	"passport/credential"
	"passport/internal/textsafe"
	"passport/policy"
	"passport/verify"
)

// WarnHiddenCharacters is the warning on a result whose text a person reads
// (name, role, organisation, numbers) holds characters that are invisible,
// blank, or reverse the text around them (textsafe.Hidden). They are shown
// as ⟦U+202E⟧ markers, never as they are.
const WarnHiddenCharacters credential.Reason = "hidden_characters"

// showHidden replaces every hidden character in the strings of v a person
// reads by a visible marker (textsafe.Visible), warns, and keeps an ACCEPT
// from standing over such a name: "Alice" + U+202E + "boB DILAVNI" must not
// read "Alice INVALID Bob" under a blue ACCEPT. The signed claims are not
// changed (the policy has read them); only what is shown is.
func showHidden(v *policy.Verdict) {
	found := false
	vis := func(s *string) {
		if out, changed := textsafe.Visible(*s); changed {
			*s, found = out, true
		}
	}
	if v.Claims != nil {
		c := *v.Claims
		for _, s := range []*string{&c.Issuer, &c.Person.Name, &c.Person.LatinName, &c.Person.StaffNumber, &c.Person.Registration,
			&c.Employment.OrgCode, &c.Employment.OrgName, &c.Employment.Role, &c.Employment.StaffGroup} {
			vis(s)
		}
		v.Claims = &c
	}
	if v.DCC != nil {
		d := *v.DCC
		for _, s := range []*string{&d.Country, &d.Name.FamilyName, &d.Name.GivenName, &d.Name.FamilyNameStandard, &d.Name.GivenNameStandard} {
			vis(s)
		}
		v.DCC = &d
	}
	for _, s := range []*string{&v.Subject, &v.CredentialID, &v.Issuer, &v.IssuerName} {
		vis(s)
	}
	if !found {
		return
	}
	v.Warnings = append(v.Warnings, verify.Reason{Code: WarnHiddenCharacters,
		Message: "this passport's text holds hidden or direction-changing characters, shown as ⟦U+…⟧: it may be made to mislead"})
	if v.Decision.Code == policy.Accept {
		d := policy.Decision{Code: policy.CheckNeeded, Headline: policy.CheckNeeded.Headline(),
			Reason:   "The name or details hold hidden or direction-changing characters (shown as ⟦U+…⟧).",
			NextStep: "Compare the name with photo ID letter by letter, and ask the issuer's HR to reissue the passport without them."}
		d.Reasons = []string{d.Reason}
		v.Decision = d
	}
}
