package policy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/verify"
)

// levelPolicy requires levels, kinds and two items of a newer format by
// their raw codes (check_7, subject_13).
const levelPolicy = `{"name": "Paediatric ward", "expiring_soon_days": -1,
  "checks": [
    {"type": "identity"},
    {"type": "dbs", "levels": ["Enhanced Barred", "enhanced_barred_children"]},
    {"type": "occupational_health", "levels": ["epp"]},
    {"type": "check_7"}
  ],
  "training": [
    {"subject": "safeguarding_children", "min_level": 3, "within": "3y"},
    {"subject": "learning_disability_autism", "min_level": "tier 2"},
    {"subject": "subject_13"}
  ]}`

// TestPolicyFutureVectors runs a policy on the claims of the committed
// vectors: the version-2 passport with levels meets every rule it can,
// and in each "future" vector the item this version does not recognise is
// never met, even where the policy names it by its raw code or the rest of
// the entry (dates, subject) would meet the rule.
func TestPolicyFutureVectors(t *testing.T) {
	p, err := Parse([]byte(levelPolicy))
	if err != nil {
		t.Fatal(err)
	}
	const absent, unknown = "not on the passport", "does not recognise"
	base := map[string]string{"identity": "", "dbs": "", "occupational_health": "", "check_7": absent,
		"safeguarding_children": "", "learning_disability_autism": "", "subject_13": absent}
	tests := []struct {
		vector string
		notMet map[string]string // requirement code -> reason substring; the rest are met
	}{
		{"valid/v2-levels", nil},
		{"invalid/future-v3-unknown-subject", map[string]string{"subject_13": unknown}},
		{"invalid/future-v3-unknown-check-type", map[string]string{"check_7": unknown}},
		{"invalid/future-v2-unknown-level", map[string]string{"safeguarding_children": "a level (level_4) this verifier does not recognise"}},
		{"invalid/future-v2-unknown-outcome", map[string]string{"identity": unknown}},
		{"invalid/future-v3-item-element", map[string]string{"identity": unknown}},
	}
	for _, tc := range tests {
		t.Run(tc.vector, func(t *testing.T) {
			c, now := vectorClaims(t, tc.vector)
			got := p.Evaluate(verify.StatusValid, c, now)
			if got.Status != NotMet || len(got.Requirements) != len(base) {
				t.Fatalf("status %s with %d requirements (%s)", got.Status, len(got.Requirements), got.Summary)
			}
			for _, req := range got.Requirements {
				want, ok := tc.notMet[req.Code]
				if !ok {
					want = base[req.Code]
				}
				switch {
				case want == "" && req.Status != Met:
					t.Errorf("%s: %s (%s), want met", req.Code, req.Status, req.Reason)
				case want != "" && (req.Status != NotMet || !strings.Contains(req.Reason, want)):
					t.Errorf("%s: %s (%s), want not met: %s", req.Code, req.Status, req.Reason, want)
				}
			}
		})
	}
}

func vectorClaims(t *testing.T, name string) (*credential.Claims, time.Time) {
	t.Helper()
	b, err := os.ReadFile("../fixtures/vectors/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Text           string
		ExpectedStatus string `json:"expected_status"`
		Now            time.Time
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.ExpectedStatus != "valid" {
		t.Fatalf("%s is expected %q: the policy only judges valid passports", name, v.ExpectedStatus)
	}
	s, err := credential.Decode(credential.Normalize(v.Text))
	if err != nil {
		t.Fatal(err)
	}
	c, err := credential.UnmarshalClaims(s.Payload())
	if err != nil {
		t.Fatal(err)
	}
	return c, v.Now
}

// TestPolicyLevels: minimum training levels compare ranks (level 3
// includes nothing lower; a higher level meets a lower minimum), and check
// levels are a list of accepted kinds.
func TestPolicyLevels(t *testing.T) {
	p, err := Parse([]byte(`{"name": "x", "expiring_soon_days": -1,
	  "checks": [{"type": "occupational_health", "levels": ["epp"]}],
	  "training": [{"subject": "safeguarding_children", "min_level": "level_2"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	done := credential.NewDate(2026, 1, 1)
	for _, tc := range []struct {
		oh, sc       string
		ohMet, scMet bool
		reason       string
	}{
		{"epp", "level_2", true, true, ""},
		{"epp", "level_3", true, true, ""},
		{"standard", "level_1", false, false, "the level is level 1; this site requires level 2 or higher"},
		{"", "", false, false, "the level is not stated; this site requires level 2 or higher"},
		{"restricted", "level_9", false, false, "a level (level_9) this verifier does not recognise"},
	} {
		c := &credential.Claims{Body: credential.Body{Version: 2,
			Checks:   []credential.Check{{Type: credential.CheckOccupationalHealth, Outcome: credential.OutcomeClear, Done: done, Level: tc.oh}},
			Training: []credential.Training{{Subject: credential.SubjectSafeguardingChild, Completed: done, Level: tc.sc}}}}
		got := p.Evaluate(verify.StatusValid, c, now)
		oh, sc := got.Requirements[0], got.Requirements[1]
		if (oh.Status == Met) != tc.ohMet || (sc.Status == Met) != tc.scMet || !strings.Contains(sc.Reason, tc.reason) {
			t.Errorf("%q/%q: clearance %s (%s), training %s (%s)", tc.oh, tc.sc, oh.Status, oh.Reason, sc.Status, sc.Reason)
		}
		if !tc.ohMet && !strings.Contains(oh.Reason, "epp") && !strings.Contains(oh.Reason, "recognise") {
			t.Errorf("%q: the reason %q does not say what is required", tc.oh, oh.Reason)
		}
	}
	want := []string{"Occupational health check, clearance epp, not expired", "Safeguarding children training, level 2 or higher, not expired"}
	if d := p.Describe(); strings.Join(d, "|") != strings.Join(want, "|") {
		t.Errorf("Describe: %q, want %q", d, want)
	}
}

func TestParsePolicyLevelErrors(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"name":"x","checks":[{"type":"dbs","levels":["enhancd"]}]}`, `unknown level "enhancd" for DBS`},
		{`{"name":"x","checks":[{"type":"identity","levels":["basic"]}]}`, "has no levels"},
		{`{"name":"x","checks":[{"type":"check_7","levels":["basic"]}]}`, "does not know the check type"},
		{`{"name":"x","training":[{"subject":"safeguarding_children","min_level":4}]}`, "unknown level"},
		{`{"name":"x","training":[{"subject":"safeguarding_children","min_level":2.5}]}`, "not a whole number"},
		{`{"name":"x","training":[{"subject":"safeguarding_children","min_level":["3"]}]}`, "must be a number or a string"},
		{`{"name":"x","training":[{"subject":"fire_safety","min_level":"1"}]}`, "has no levels"},
		{`{"name":"x","training":[{"subject":"learning_disability_autism","min_level":"level_1"}]}`, "unknown level"},
		{`{"name":"x","training":[{"subject":"subject_13","min_level":"1"}]}`, "does not know the subject"},
		{`{"name":"x","training":[{"subject":"subject_0"}]}`, "unknown training subject"},
		{`{"name":"x","checks":[{"type":"check_x"}]}`, "unknown check type"},
	} {
		if _, err := Parse([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.json, err, tc.want)
		}
	}
}
