package policy

import (
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/verify"
)

func TestDecide(t *testing.T) {
	f := newFixture()
	pol := examplePolicy(t)
	valid := func(edit func(c *credential.Claims)) verify.Result {
		c := f.claims("Zoë Whitfield", 200, 100)
		if edit != nil {
			edit(c)
		}
		return verify.Result{Status: verify.StatusValid, Reasons: []verify.Reason{}, Parsed: c, IssuerName: "Test Hospitals NHS Trust",
			Subject: c.Body.Person.Name, VerifiedAt: f.now}
	}
	invalid := func(status verify.Status, code credential.Reason, msg string) verify.Result {
		return verify.Result{Status: status, Reasons: []verify.Reason{{Code: code, Message: msg}}, VerifiedAt: f.now}
	}
	withWarn := func(r verify.Result, code credential.Reason, msg string) verify.Result {
		r.Warnings = append(r.Warnings, verify.Reason{Code: code, Message: msg})
		return r
	}
	expiredList := valid(nil)
	expiredList.TrustList = &verify.TrustListID{Version: 3, Expires: "2026-01-02T00:00:00Z", Expired: true}
	oldDBS := valid(func(c *credential.Claims) { c.Body.Checks[2].Done = credential.DateOf(f.now).AddDays(-4 * 365) })
	dcc := valid(nil)
	dcc.Parsed, dcc.DCC, dcc.Document = nil, &verify.DCCView{}, verify.DocumentEUDCC

	tests := []struct {
		name     string
		r        verify.Result
		pol      *Policy
		want     DecisionCode
		reason   string // substring of Reason
		next     string // substring of NextStep
		nReasons int
	}{
		{"genuine, policy met", valid(nil), pol, Accept, "meets the site policy", "Check photo ID", 0},
		{"genuine, no policy", valid(nil), nil, Accept, "Genuine passport from Test Hospitals", "name and date of birth", 0},
		{"policy not met comes first", oldDBS, pol, CheckNeeded, "DBS", "must be sorted", 1},
		{"trust list expired", expiredList, pol, CheckNeeded, "expired on 2 Jan 2026", "latest trust list", 1},
		{"policy and list both: policy reason first", func() verify.Result { r := oldDBS; r.TrustList = expiredList.TrustList; return r }(), pol, CheckNeeded, "DBS", "must be sorted", 2},
		{"items from a newer format", withWarn(valid(nil), credential.WarnNotRecognised, "x"), pol, CheckNeeded, "newer passport format", "update", 1},
		{"lapsed item, no policy", withWarn(valid(nil), verify.WarnLapsed, "fire safety training lapsed on 1 Jan 2026"), nil, CheckNeeded, "Fire safety training lapsed", "employer", 1},
		{"lapsed item the policy does not need", withWarn(valid(nil), verify.WarnLapsed, "x lapsed"), pol, Accept, "", "photo ID", 0},
		{"EU DCC is not a staff passport", dcc, pol, NotAPassport, "COVID", "staff passport", 0},
		{"forged signature", invalid(verify.StatusInvalid, verify.ReasonSignatureInvalid, "sig"), pol, DoNotAccept, "signature", "forged document", 0},
		{"unknown issuer", invalid(verify.StatusInvalid, verify.ReasonIssuerUnknown, "kid"), pol, DoNotAccept, "trust list", "call the issuing organisation", 0},
		{"revoked", invalid(verify.StatusInvalid, verify.ReasonRevoked, "r"), pol, DoNotAccept, "revoked", "Call the issuing", 0},
		{"superseded", func() verify.Result {
			r := invalid(verify.StatusInvalid, verify.ReasonRevoked, "r")
			r.Reasons[0].RevocationReason = "superseded"
			return r
		}(), pol, DoNotAccept, "replaced by a newer one", "newest passport", 0},
		{"expired", invalid(verify.StatusInvalid, verify.ReasonExpired, "e"), pol, DoNotAccept, "expired", "current passport", 0},
		{"key for another kind of document", invalid(verify.StatusInvalid, verify.ReasonKeyNotForKind, "k"), pol, DoNotAccept, "another kind of document", "forged", 0},
		{"a reason code added later", invalid(verify.StatusInvalid, "made_up_later", "k"), pol, DoNotAccept, "security check", "forged", 0},
		{"staff number typed", invalid(verify.StatusInvalid, credential.ReasonBadPrefix, `it starts "1234567"`), pol, NotAPassport, "not a staff passport", "square code", 0},
		{"text summary", invalid(verify.StatusUnreadable, credential.ReasonBadPrefix, "235 lines of text, no passport code found."), pol, NotAPassport, "235 lines", "square code", 0},
		{"cut off", func() verify.Result {
			r := invalid(verify.StatusInvalid, credential.ReasonBadCompression, "z")
			r.Reasons[0].Incomplete = true
			return r
		}(), pol, CannotRead, "cut off", "Scan it again", 0},
		{"altered: base45", invalid(verify.StatusInvalid, credential.ReasonBadEncoding, "b"), pol, DoNotAccept, "Altered", "forged", 0},
		{"altered: zlib", invalid(verify.StatusInvalid, credential.ReasonBadCompression, "z"), pol, DoNotAccept, "Altered", "forged", 0},
		{"altered: zlib bomb", invalid(verify.StatusInvalid, credential.ReasonTooLarge, "z"), pol, DoNotAccept, "Altered", "forged", 0},
		{"altered: COSE", invalid(verify.StatusInvalid, credential.ReasonBadCOSE, "c"), pol, DoNotAccept, "Altered", "forged", 0},
		{"signed but malformed claims", invalid(verify.StatusInvalid, credential.ReasonBadClaims, "c"), pol, DoNotAccept, "security check", "forged", 0},
		{"update required never hides expired", func() verify.Result {
			r := invalid(verify.StatusInvalid, credential.ReasonUpdateRequired, "u")
			r.Reasons = append(r.Reasons, verify.Reason{Code: verify.ReasonExpired, Message: "e"})
			return r
		}(), pol, DoNotAccept, "expired", "current passport", 0},
		{"trust store error never hides a revoked key", func() verify.Result {
			r := invalid(verify.StatusInvalid, verify.ReasonTrustStore, "t")
			r.Reasons = append(r.Reasons, verify.Reason{Code: verify.ReasonIssuerRevoked, Message: "k"})
			return r
		}(), pol, DoNotAccept, "signing key", "forged", 0},
		{"blank page", invalid(verify.StatusUnreadable, verify.ReasonNoBarcode, "n"), pol, CannotRead, "No passport code", "flat", 0},
		{"update required", invalid(verify.StatusInvalid, credential.ReasonUpdateRequired, "u"), pol, CheckNeeded, "newer", "update", 0},
		{"trust list unconfirmed: never accept", withWarn(valid(nil), verify.WarnTrustListUnconfirmed, "the trust list (version 3) has not been confirmed as the newest since 02 Jan 2026 10:00 UTC: a revocation may be missing"), pol, CheckNeeded, "not been confirmed as the newest since 02 Jan 2026", "latest trust list", 1},
		{"trust list unconfirmed, no policy", withWarn(valid(nil), verify.WarnTrustListUnconfirmed, "not confirmed since x"), nil, CheckNeeded, "Not confirmed since x", "latest trust list", 1},
		{"clock behind: nothing decided", invalid(verify.StatusInvalid, verify.ReasonClockBehind, "this computer's clock is wrong: it says 01 Sep 2025 12:00 UTC, but the trust list in force was issued 01 Sep 2028 00:00 UTC"), pol, CheckNeeded, "This computer's clock is wrong: it says 01 Sep 2025", "set this computer's date and time", 0},
		{"clock behind never hides a forgery", func() verify.Result {
			r := invalid(verify.StatusInvalid, verify.ReasonClockBehind, "c")
			r.Reasons = append(r.Reasons, verify.Reason{Code: verify.ReasonSignatureInvalid, Message: "s"})
			return r
		}(), pol, DoNotAccept, "signature", "forged", 0},
		{"contact on do not accept", func() verify.Result {
			r := invalid(verify.StatusInvalid, verify.ReasonRevoked, "r")
			r.IssuerContact = "Workforce team, 0114 496 0000."
			return r
		}(), pol, DoNotAccept, "revoked", "Issuer's contact: call Workforce team, 0114 496 0000.", 0},
		{"contact on check needed", func() verify.Result { r := oldDBS; r.IssuerContact = "HR, 0114 496 0001"; return r }(), pol, CheckNeeded, "DBS", "manager first. Issuer's contact: call HR, 0114 496 0001.", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := Apply(tc.pol, tc.r)
			d := Decide(v)
			if d.Code != tc.want || !strings.Contains(d.Reason, tc.reason) || !strings.Contains(d.NextStep, tc.next) || len(d.Reasons) != tc.nReasons {
				t.Fatalf("got %+v\nwant %s, reason ~%q, next ~%q, %d reasons", d, tc.want, tc.reason, tc.next, tc.nReasons)
			}
			if d.Headline != tc.want.Headline() || d.Headline == "" {
				t.Errorf("headline %q", d.Headline)
			}
			if v.Decision.Code != d.Code {
				t.Errorf("Apply decided %s, Decide %s", v.Decision.Code, d.Code)
			}
		})
	}
}

// TestDecideContactOnlyWhenNotAccepted: an accepted passport needs no call,
// so the issuer's contact is not in its next step.
func TestDecideContactOnlyWhenNotAccepted(t *testing.T) {
	c := newFixture().claims("Zoë Whitfield", 200, 100)
	r := verify.Result{Status: verify.StatusValid, Reasons: []verify.Reason{}, Parsed: c, VerifiedAt: time.Now(), IssuerContact: "HR, 0114 496 0001"}
	if d := Decide(Apply(nil, r)); d.Code != Accept || strings.Contains(d.NextStep, "0114") {
		t.Fatalf("%+v", d)
	}
}

// TestDecideNeverQuotesInput: what was scanned (a staff number, a wristband)
// never appears in the decision, which is shown and logged.
func TestDecideNeverQuotesInput(t *testing.T) {
	secret := "9434765919" // an NHS-number-shaped string
	for _, code := range []credential.Reason{credential.ReasonBadPrefix, credential.ReasonBadEncoding, credential.ReasonBadCompression, verify.ReasonNoBarcode, "made_up"} {
		r := verify.Result{Status: verify.StatusInvalid, Reasons: []verify.Reason{{Code: code, Message: "it starts " + secret}}, VerifiedAt: time.Now()}
		d := Decide(Apply(nil, r))
		if strings.Contains(d.Reason+d.NextStep+strings.Join(d.Reasons, " "), secret) {
			t.Errorf("%s: the decision quotes the input: %+v", code, d)
		}
	}
}
