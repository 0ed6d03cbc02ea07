package verify_test

import (
	"context"
	"strings"
	"time"

	"passport/credential"
	"testing"

	"passport/policy"
	"passport/verify"
)

// TestEveryCheckIsRequired: a verdict is VALID only when every check ran
// and passed. Each check in turn is "forgotten" (it runs, but its pass is
// not recorded, as when a new code path skips it): a credential that is
// otherwise valid must then be INVALID, never VALID, and refused.
func TestEveryCheckIsRequired(t *testing.T) {
	cases := map[string]*vecFile{}
	for _, name := range []string{"basic", "v2-full"} {
		cases[name] = loadVectors(t, "valid")[name]
	}
	invalid := loadVectors(t, "invalid")
	cases["dcc-integer-dates"] = invalid["dcc-integer-dates"] // the HC1 path
	for name, v := range cases {
		if v == nil {
			t.Fatalf("vector %s is missing", name)
		}
		run := func() verify.Result {
			return verify.Text(name, v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
		}
		if r := run(); r.Status != verify.StatusValid {
			t.Fatalf("%s: %s %+v, want valid with every check", name, r.Status, r.Reasons)
		}
		n := 0
		for i := 0; ; i++ {
			step, ok, restore := verify.ForgetStep(i)
			if !ok {
				break
			}
			n++
			r := run()
			restore()
			if r.Status != verify.StatusInvalid || !hasCode(r.Reasons, string(verify.ReasonNotChecked)) {
				t.Errorf("%s without the %s check: %s %+v, want invalid/not_checked", name, step, r.Status, r.Reasons)
			}
			if d := policy.Apply(nil, r).Decision; d.Code != policy.DoNotAccept {
				t.Errorf("%s without the %s check: decision %s, want do_not_accept", name, step, d.Code)
			}
		}
		if n < 11 {
			t.Errorf("only %d checks can be forgotten", n)
		}
	}
}

// TestHardFailuresNeverHidden: a passport with an unknown must-understand
// field is still refused outright when a hard failure applies, and every
// reason is listed (the vectors crit-and-*, decided by the site policy).
func TestHardFailuresNeverHidden(t *testing.T) {
	pol := judgePolicy(t)
	n := 0
	for name, v := range loadVectors(t, "invalid") {
		if !strings.HasPrefix(name, "crit-and-") {
			continue
		}
		n++
		r := verify.Text(name, v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
		if !hasCode(r.Reasons, string(verify.ReasonUpdateRequired)) || len(r.Reasons) < 2 {
			t.Errorf("%s: reasons %v, want a hard failure and update_required", name, codes(r.Reasons))
		}
		for _, p := range []*policy.Policy{nil, pol} {
			if d := policy.Apply(p, r).Decision; d.Code != policy.DoNotAccept {
				t.Errorf("%s: decision %s (%s), want do_not_accept", name, d.Code, d.Reason)
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d crit-and-* vectors", n)
	}
}

// TestClosedV1AndPlausibleDates: the cases a site policy would otherwise
// have counted as met (a version-1 EPP clearance, a check dated after the
// signature) are refused.
func TestClosedV1AndPlausibleDates(t *testing.T) {
	pol := judgePolicy(t)
	for _, name := range []string{"v1-occupational-health-epp", "v1-dbs-unknown-level", "check-done-after-iat", "training-done-after-iat"} {
		v := loadVectors(t, "invalid")[name]
		r := verify.Text(name, v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
		if r.Status != verify.StatusInvalid || !hasCode(r.Reasons, string(credential.ReasonBadClaims)) || r.Parsed != nil && r.Status == verify.StatusValid {
			t.Errorf("%s: %s %v, want invalid/bad_claims", name, r.Status, codes(r.Reasons))
		}
		if d := policy.Apply(pol, r).Decision; d.Code != policy.DoNotAccept {
			t.Errorf("%s: decision %s, want do_not_accept", name, d.Code)
		}
	}
}

// judgePolicy requires an enhanced DBS check with both barred lists,
// an EPP occupational health clearance and fire safety training.
func judgePolicy(t *testing.T) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(`{"name": "EPP ward", "checks": [{"type": "dbs", "levels": ["enhanced_barred"]},
		{"type": "occupational_health", "levels": ["epp"]}], "training": [{"subject": "fire_safety"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAlteredIsNotIncomplete: a whole code with one character changed
// fails base45, zlib, CBOR, COSE or the signature, and is DO NOT ACCEPT
// ("altered"), except near its very end (see tailChars); the same code cut short at any length is CANNOT READ
// (scan it again), never "altered".
func TestAlteredIsNotIncomplete(t *testing.T) {
	const tailChars = 15
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for name, v := range loadVectors(t, "valid") {
		st, now := vecStore(t, v), vecTime(t, v.Now)
		decide := func(text string) (verify.Result, policy.Decision) {
			r := verify.Text(name, text, st, verify.Options{Now: now})
			return r, policy.Apply(nil, r).Decision
		}
		altered := 0
		for i := len(credential.Prefix); i < len(v.Text); i++ {
			c := alphabet[(i*7)%45]
			if c == v.Text[i] {
				c = alphabet[(i*7+1)%45]
			}
			r, d := decide(v.Text[:i] + string(c) + v.Text[i+1:])
			if r.Status == verify.StatusValid {
				continue // base45 has a few spare values: a change can still decode to the same bytes
			}
			altered++
			// A change among the last few characters (the final deflate
			// symbols and the checksum) can leave a stream that asks for
			// more, exactly as a cut one does: asking for a rescan there
			// is the honest answer; it is still never accepted.
			if len(v.Text)-i <= tailChars && d.Code == policy.CannotRead {
				continue
			}
			if d.Code != policy.DoNotAccept || !strings.Contains(r.Reasons[0].Message+d.Reason, "ltered") {
				t.Fatalf("%s, character %d changed: %v, decision %s %q; want do_not_accept, altered", name, i, codes(r.Reasons), d.Code, d.Reason)
			}
		}
		if altered < len(v.Text)/2 {
			t.Errorf("%s: only %d of %d changed characters were refused", name, altered, len(v.Text))
		}
		for n := len(credential.Prefix); n < len(v.Text); n++ {
			r, d := decide(v.Text[:n])
			if d.Code != policy.CannotRead || len(r.Reasons) != 1 || !r.Reasons[0].Incomplete {
				t.Fatalf("%s cut to %d characters: %+v, decision %s; want cannot_read, incomplete", name, n, r.Reasons, d.Code)
			}
		}
	}
}

// TestCutCodeFromASymbolIsAltered: the same cut-short text is CANNOT READ
// ("scan it again") when typed, where a scanner's burst can be cut off,
// and DO NOT ACCEPT (altered) when read from barcode symbols, which arrive
// whole: a symbol holding a cut code was printed that way.
func TestCutCodeFromASymbolIsAltered(t *testing.T) {
	v := loadVectors(t, "valid")["basic"]
	now := vecTime(t, v.Now)
	ver, err := verify.NewVerifier(vecStore(t, v), verify.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	cut := v.Text[:len(v.Text)*2/3]
	typed := ver.VerifyTexts(context.Background(), "scanner", []string{cut}, false)[0]
	if d := policy.Apply(nil, typed).Decision; d.Code != policy.CannotRead || !typed.Reasons[0].Incomplete {
		t.Fatalf("typed and cut: %+v, decision %s; want cannot_read, incomplete", typed.Reasons, d.Code)
	}
	symbol := ver.VerifyTexts(context.Background(), "page.png", []string{cut}, true)[0]
	d := policy.Apply(nil, symbol).Decision
	if d.Code != policy.DoNotAccept || symbol.Reasons[0].Incomplete || !strings.Contains(symbol.Reasons[0].Message, "altered") {
		t.Fatalf("from a symbol and cut: %+v, decision %s; want do_not_accept, altered", symbol.Reasons, d.Code)
	}
}
