package verify

import (
	"passport/credential"
	"passport/internal/textsafe"
)

// WarnHiddenCharacters is the warning on a result whose text a person reads
// (name, role, organisation, numbers) holds characters that are invisible,
// blank, or reverse the text around them (textsafe.Hidden). They are shown
// as ⟦U+202E⟧ markers, never as they are.
const WarnHiddenCharacters credential.Reason = "hidden_characters"

// showHidden replaces every hidden character in the strings of r a person
// reads by a visible marker (textsafe.Visible) and warns; the policy's
// decision then keeps an ACCEPT from standing over such a name: "Alice" +
// U+202E + "boB DILAVNI" must not read "Alice INVALID Bob" under a blue
// ACCEPT. The signed claims (Parsed) are not changed, only what is shown.
func (r *Result) showHidden() {
	found := false
	vis := func(s *string) {
		if out, changed := textsafe.Visible(*s); changed {
			*s, found = out, true
		}
	}
	if r.Claims != nil {
		c := *r.Claims
		for _, s := range []*string{&c.Issuer, &c.Person.Name, &c.Person.LatinName, &c.Person.StaffNumber, &c.Person.Registration,
			&c.Employment.OrgCode, &c.Employment.OrgName, &c.Employment.Role, &c.Employment.StaffGroup} {
			vis(s)
		}
		r.Claims = &c
	}
	if r.DCC != nil {
		d := *r.DCC
		for _, s := range []*string{&d.Country, &d.Name.FamilyName, &d.Name.GivenName, &d.Name.FamilyNameStandard, &d.Name.GivenNameStandard} {
			vis(s)
		}
		r.DCC = &d
	}
	for _, s := range []*string{&r.Subject, &r.CredentialID, &r.Issuer, &r.IssuerName} {
		vis(s)
	}
	// A passport refused for other reasons is already DO NOT ACCEPT: its
	// text is shown safely all the same, and the warning is kept for one
	// that would otherwise be judged on.
	if !found || len(r.Reasons) > 0 {
		return
	}
	r.warn(WarnHiddenCharacters, "this passport's text holds hidden or direction-changing characters, shown as ⟦U+…⟧: it may be made to mislead")
}
