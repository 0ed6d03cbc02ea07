package policy

import (
	"strings"
	"testing"

	"passport/credential"
	"passport/verify"
)

// groupPolicy asks every passport for identity checks, and a nurse also
// for an enhanced DBS with barred lists and Safeguarding Children level 3;
// a doctor for a professional registration.
const groupPolicy = `{
  "name": "Shared agreement (TEST)",
  "checks": [{"type": "identity"}],
  "groups": {
    "Nursing and Midwifery Registered": {
      "checks": [{"type": "dbs", "levels": ["enhanced_barred"], "within": "3y"}],
      "training": [{"subject": "safeguarding_children", "min_level": 3}]
    },
    "Medical and Dental": {"checks": [{"type": "professional_registration"}]}
  }
}`

// TestPolicyGroups: the rules of the passport's staff group are added to
// the rules for every passport, and the result says which group's rules
// applied; a staff group the policy does not list meets the common rules
// only.
func TestPolicyGroups(t *testing.T) {
	f := newFixture()
	p, err := Parse([]byte(groupPolicy))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		edit      func(c *credential.Claims)
		status    Status
		group     string
		rules     int
		notMet    string // code of a group rule not met ("" for none)
		inSummary string
	}{
		{"nurse meets the nursing rules", nil, Met, "Nursing and Midwifery Registered", 3, "", `with its rules for staff group "Nursing and Midwifery Registered"`},
		{"nurse with a standard DBS", func(c *credential.Claims) { c.Body.Checks[2].Level = "standard" }, NotMet, "Nursing and Midwifery Registered", 3, "dbs", "DBS not met"},
		{"case and spacing ignored", func(c *credential.Claims) {
			c.Body.Employment.StaffGroup = "  nursing and   MIDWIFERY registered"
			c.Body.Checks[2].Level = "standard"
		}, NotMet, "Nursing and Midwifery Registered", 3, "dbs", "Nursing and Midwifery Registered"},
		{"doctor without a registration", func(c *credential.Claims) { c.Body.Employment.StaffGroup = "Medical and Dental" }, NotMet, "Medical and Dental", 2, "professional_registration", `staff group "Medical and Dental"`},
		{"another staff group: common rules only", func(c *credential.Claims) {
			c.Body.Employment.StaffGroup = "Administrative and Clerical"
			c.Body.Checks[2].Level = "standard"
		}, Met, "", 1, "", `Meets the site policy "Shared agreement (TEST)".`},
		{"no staff group: common rules only", func(c *credential.Claims) { c.Body.Employment.StaffGroup = "" }, Met, "", 1, "", "Meets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.claims("Zoë Whitfield", 200, 100)
			if tc.edit != nil {
				tc.edit(c)
			}
			r := p.Evaluate(verify.StatusValid, c, f.now)
			if r.Status != tc.status || r.Group != tc.group || len(r.Requirements) != tc.rules || !strings.Contains(r.Summary, tc.inSummary) {
				t.Fatalf("got %s, group %q, %d rules, summary %q; want %s, %q, %d, ~%q", r.Status, r.Group, len(r.Requirements), r.Summary, tc.status, tc.group, tc.rules, tc.inSummary)
			}
			for _, q := range r.Requirements {
				if (q.Code == "identity") != (q.Group == "") || q.Group != "" && q.Group != tc.group {
					t.Errorf("requirement %s has group %q", q.Code, q.Group)
				}
				if (q.Status == NotMet) != (q.Code == tc.notMet) {
					t.Errorf("requirement %s is %s (%s)", q.Code, q.Status, q.Reason)
				}
			}
			if tc.notMet == "" {
				return
			}
			r2 := verify.Result{Status: verify.StatusValid, Reasons: []verify.Reason{}, Parsed: c, VerifiedAt: f.now}
			d := Decide(Apply(p, r2))
			if d.Code != CheckNeeded || !strings.Contains(d.Reason, "(required for staff group "+tc.group+")") {
				t.Errorf("decision %+v does not name the group whose rule was not met", d)
			}
		})
	}
	desc := strings.Join(p.Describe(), "\n")
	for _, want := range []string{`for staff group "Medical and Dental" also: Professional registration check`, `for staff group "Nursing and Midwifery Registered" also: DBS check`} {
		if !strings.Contains(desc, want) {
			t.Errorf("Describe lacks %q:\n%s", want, desc)
		}
	}
}

// TestPolicyGroupErrors: a mistake in a group's rules is refused, naming
// the group, so a typo never silently drops a staff group's rules.
func TestPolicyGroupErrors(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"Nursing":{"checks":[{"type":"dbz"}]}}}`, `groups["Nursing"].checks[0]`},
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"Nursing":{"training":[{"subject":"fire_safety","within":"3q"}]}}}`, `groups["Nursing"].training[0]`},
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"Nursing":{},"Other":{"checks":[{"type":"dbs"}]}}}`, `"Nursing" adds no rules`},
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"  ":{"checks":[{"type":"dbs"}]}}}`, "empty staff group name"},
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"Nursing":{"checks":[{"type":"dbs"}]},"NURSING ":{"checks":[{"type":"dbs"}]}}}`, "names the staff group twice"},
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"Nursing\u202e":{"checks":[{"type":"dbs"}]}}}`, "control characters"},
		{`{"name":"x","checks":[{"type":"identity"}],"groups":{"Nursing":{"checks":[{"type":"dbs"}],"extra":1}}}`, "extra"},
	} {
		_, err := Parse([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ~%q", tc.json, err, tc.want)
		}
	}
	// Group rules alone would accept any other staff group on nothing.
	if _, err := Parse([]byte(`{"name":"only groups","groups":{"Nursing":{"checks":[{"type":"dbs"}]}}}`)); err == nil || !strings.Contains(err.Error(), "requires nothing of every passport") {
		t.Errorf("a policy of group rules only: %v", err)
	}
}

// TestPolicyBundleVersion: the bundle a policy came from is in every
// result, for the log.
func TestPolicyBundleVersion(t *testing.T) {
	f := newFixture()
	p, err := Parse([]byte(groupPolicy))
	if err != nil {
		t.Fatal(err)
	}
	p.BundleVersion, p.BundleName = 42, "ward-nurse"
	if r := p.Evaluate(verify.StatusValid, f.claims("A", 200, 100), f.now); r.BundleVersion != 42 || r.BundleName != "ward-nurse" || r.Policy != "Shared agreement (TEST)" {
		t.Fatalf("%+v", r)
	}
}
