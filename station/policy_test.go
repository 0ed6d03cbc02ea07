package station

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/verify"
)

func examplePolicy(t testing.TB) *Policy {
	t.Helper()
	p, err := LoadPolicy("../fixtures/site-policy.json")
	if err != nil {
		t.Fatalf("the example policy does not load: %v", err)
	}
	return p
}

func TestPolicyEvaluate(t *testing.T) {
	f := newFixture(t)
	pol := examplePolicy(t)
	type want struct {
		status PolicyStatus
		code   string       // requirement to look at ("" = none)
		req    PolicyStatus // its status
		reason string       // substring of its reason
	}
	tests := []struct {
		name   string
		edit   func(c *credential.Claims)
		forged bool
		want   want
	}{
		{"all met", nil, false, want{PolicyMet, "dbs", PolicyMet, "done "}},
		{"DBS four years old", func(c *credential.Claims) { c.Body.Checks[2].Done = credential.DateOf(f.now).AddDays(-4 * 365) },
			false, want{PolicyNotMet, "dbs", PolicyNotMet, "more than 3 years ago"}},
		{"DBS enhanced without barred lists", func(c *credential.Claims) { c.Body.Checks[2].Level = "enhanced" },
			false, want{PolicyNotMet, "dbs", PolicyNotMet, "the level is enhanced; this site requires one of: enhanced barred"}},
		{"DBS level spelt with hyphens", func(c *credential.Claims) { c.Body.Checks[2].Level = "Enhanced-Barred" },
			false, want{PolicyMet, "dbs", PolicyMet, ""}},
		{"no occupational health", func(c *credential.Claims) { c.Body.Checks = append(c.Body.Checks[:3], c.Body.Checks[4]) },
			false, want{PolicyNotMet, "occupational_health", PolicyNotMet, "not on the passport"}},
		{"fire safety lapses within 30 days", func(c *credential.Claims) {
			c.Body.Training[0].Completed = credential.DateOf(f.now).AddDays(-350)
			c.Body.Training[0].Expires = credential.DateOf(f.now).AddDays(200)
		}, false, want{PolicyExpiringSoon, "fire_safety", PolicyExpiringSoon, "days left"}},
		{"fire safety past its own expiry", func(c *credential.Claims) {
			c.Body.Training[0].Completed = credential.DateOf(f.now).AddDays(-100)
			c.Body.Training[0].Expires = credential.DateOf(f.now).AddDays(-1)
		}, false, want{PolicyNotMet, "fire_safety", PolicyNotMet, "expired on"}},
		{"two DBS checks, the newer counts", func(c *credential.Claims) {
			old := c.Body.Checks[2]
			old.Done = credential.DateOf(f.now).AddDays(-2000)
			c.Body.Checks = append([]credential.Check{old}, c.Body.Checks...)
		}, false, want{PolicyMet, "dbs", PolicyMet, ""}},
		{"forged passport is not evaluated", nil, true, want{PolicyNotEvaluated, "", "", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.claims("Zoë Whitfield", 200, 100)
			if tc.edit != nil {
				tc.edit(c)
			}
			text := f.text(t, c)
			if tc.forged {
				text = f.forged(t, c)
			}
			r := verify.Text("t", text, f.db, verify.Options{Now: f.now})
			if tc.forged != (r.Status != verify.StatusValid) {
				t.Fatalf("verify status %s %v", r.Status, r.Reasons)
			}
			got := pol.Evaluate(&r, f.now)
			if got.Status != tc.want.status {
				t.Fatalf("status %s, want %s (%s)", got.Status, tc.want.status, got.Summary)
			}
			if got.Policy != pol.Name || got.Summary == "" {
				t.Errorf("policy %q summary %q", got.Policy, got.Summary)
			}
			if tc.want.status == PolicyNotEvaluated {
				if len(got.Requirements) != 0 {
					t.Errorf("requirements reported for a forged passport: %v", got.Requirements)
				}
				return
			}
			if len(got.Requirements) != len(pol.Checks)+len(pol.Training) {
				t.Fatalf("%d requirements, want %d", len(got.Requirements), len(pol.Checks)+len(pol.Training))
			}
			var req *RequirementResult
			for i := range got.Requirements {
				if got.Requirements[i].Code == tc.want.code {
					req = &got.Requirements[i]
				}
			}
			if req == nil {
				t.Fatalf("no requirement %s in %+v", tc.want.code, got.Requirements)
			}
			if req.Status != tc.want.req || !strings.Contains(req.Reason, tc.want.reason) {
				t.Errorf("%s: %s %q, want %s containing %q", req.Code, req.Status, req.Reason, tc.want.req, tc.want.reason)
			}
		})
	}
}

func TestPolicyWithinBoundary(t *testing.T) {
	// A check done exactly 3 years ago is met through the day before the
	// anniversary and not met on it.
	p, err := ParsePolicy([]byte(`{"name":"b","expiring_soon_days":-1,"checks":[{"type":"dbs","within":"3y"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	done := "2022-03-14"
	r := &verify.Result{Status: verify.StatusValid, Claims: &verify.ClaimsView{Checks: []verify.CheckView{{Type: "dbs", Name: "DBS", Outcome: "clear", Done: done}}}}
	for _, tc := range []struct {
		day  string
		want PolicyStatus
	}{{"2025-03-13", PolicyMet}, {"2025-03-14", PolicyNotMet}, {"2022-03-14", PolicyMet}} {
		now, _ := time.Parse("2006-01-02", tc.day)
		if got := p.Evaluate(r, now.Add(12*time.Hour)); got.Status != tc.want {
			t.Errorf("on %s: %s (%s), want %s", tc.day, got.Status, got.Requirements[0].Reason, tc.want)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"empty object", `{}`, `"name" is empty`},
		{"nothing required", `{"name":"x"}`, "requires nothing"},
		{"unknown field", `{"name":"x","checks":[{"type":"dbs","whithin":"3y"}]}`, "unknown field"},
		{"unknown check", `{"name":"x","checks":[{"type":"dbx"}]}`, "unknown check type"},
		{"unknown subject", `{"name":"x","training":[{"subject":"fire"}]}`, "unknown training subject"},
		{"bad period unit", `{"name":"x","training":[{"subject":"fire_safety","within":"12q"}]}`, "unknown unit"},
		{"negative period", `{"name":"x","training":[{"subject":"fire_safety","within":"-1y"}]}`, "positive number"},
		{"period too long", `{"name":"x","training":[{"subject":"fire_safety","within":"51y"}]}`, "longer than 50 years"},
		{"bad outcome", `{"name":"x","checks":[{"type":"dbs","outcomes":["maybe"]}]}`, "use clear or conditions"},
		{"two values", `{"name":"x","checks":[{"type":"dbs"}]} {}`, "more than one JSON value"},
		{"not JSON", "%PDF-1.4", "not a valid policy"},
		{"warning window", `{"name":"x","expiring_soon_days":400,"checks":[{"type":"dbs"}]}`, "expiring_soon_days"},
		{"too large", `{"name":"` + strings.Repeat("a", MaxPolicyBytes) + `"}`, "over 256 KB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := LoadPolicy("does-not-exist.json"); err == nil {
		t.Error("a missing policy file loaded")
	}
}

func TestParseRetention(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{"395d": 395 * day, "2y": 730 * day, "13m": 403 * day, "4w": 28 * day, "720h": 720 * time.Hour, "0": 0} {
		if got, err := ParseRetention(in); err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-3d", "3", "0d"} {
		if _, err := ParseRetention(in); err == nil {
			t.Errorf("ParseRetention(%q) accepted", in)
		}
	}
}

func TestVerdictJSONShape(t *testing.T) {
	// A Verdict has every field of a verify --json line at the top level,
	// plus "policy".
	f := newFixture(t)
	r := verify.Text("in", f.text(t, f.claims("Zoë Whitfield", 10, 10)), f.db, verify.Options{Now: f.now})
	pr := examplePolicy(t).Evaluate(&r, f.now)
	b, _ := json.Marshal(Verdict{Result: r, Policy: &pr})
	plain, _ := json.Marshal(r)
	var got, want map[string]any
	json.Unmarshal(b, &got)
	json.Unmarshal(plain, &want)
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("field %q of verify --json missing from the Verdict", k)
		}
	}
	pol, ok := got["policy"].(map[string]any)
	if !ok || pol["status"] != "met" || got["status"] != "valid" {
		t.Errorf("status %v, policy %v", got["status"], got["policy"])
	}
}

func FuzzParsePolicy(f *testing.F) {
	if b, err := os.ReadFile("../fixtures/site-policy.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","checks":[{"type":"dbs","within":"3y","levels":["enhanced"]}]}`))
	f.Add([]byte(`{"name":"x","training":[{"subject":"fire_safety","within":"99999999999999y"}]}`))
	r := &verify.Result{Status: verify.StatusValid, Claims: &verify.ClaimsView{
		Checks:   []verify.CheckView{{Type: "dbs", Outcome: "clear", Done: "2024-01-01", Level: "enhanced"}},
		Training: []verify.TrainingView{{Subject: "fire_safety", Completed: "bad", Expires: "2026-01-01"}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data)
		if err != nil {
			return
		}
		got := p.Evaluate(r, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		if len(got.Requirements) != len(p.Checks)+len(p.Training) {
			t.Fatalf("%d requirements for %d rules", len(got.Requirements), len(p.Checks)+len(p.Training))
		}
		p.Describe()
	})
}
