package policy

import (
	"os"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/verify"
)

func TestPolicyEvaluate(t *testing.T) {
	f := newFixture()
	pol := examplePolicy(t)
	type want struct {
		status Status
		code   string // requirement to look at ("" = none)
		req    Status // its status
		reason string // substring of its reason
	}
	tests := []struct {
		name   string
		edit   func(c *credential.Claims)
		forged bool
		want   want
	}{
		{"all met", nil, false, want{Met, "dbs", Met, "done "}},
		{"DBS four years old", func(c *credential.Claims) { c.Body.Checks[2].Done = credential.DateOf(f.now).AddDays(-4 * 365) },
			false, want{NotMet, "dbs", NotMet, "more than 3 years ago"}},
		{"DBS enhanced without barred lists", func(c *credential.Claims) { c.Body.Checks[2].Level = "enhanced" },
			false, want{NotMet, "dbs", NotMet, "the level is enhanced; this site requires one of: enhanced barred"}},
		{"DBS level spelt with hyphens", func(c *credential.Claims) { c.Body.Checks[2].Level = "Enhanced-Barred" },
			false, want{Met, "dbs", Met, ""}},
		{"no occupational health", func(c *credential.Claims) { c.Body.Checks = append(c.Body.Checks[:3], c.Body.Checks[4]) },
			false, want{NotMet, "occupational_health", NotMet, "not on the passport"}},
		{"fire safety lapses within 30 days", func(c *credential.Claims) {
			c.Body.Training[0].Completed = credential.DateOf(f.now).AddDays(-350)
			c.Body.Training[0].Expires = credential.DateOf(f.now).AddDays(200)
		}, false, want{ExpiringSoon, "fire_safety", ExpiringSoon, "days left"}},
		{"fire safety past its own expiry", func(c *credential.Claims) {
			c.Body.Training[0].Completed = credential.DateOf(f.now).AddDays(-100)
			c.Body.Training[0].Expires = credential.DateOf(f.now).AddDays(-1)
		}, false, want{NotMet, "fire_safety", NotMet, "expired on"}},
		{"two DBS checks, the newer counts", func(c *credential.Claims) {
			old := c.Body.Checks[2]
			old.Done = credential.DateOf(f.now).AddDays(-2000)
			c.Body.Checks = append([]credential.Check{old}, c.Body.Checks...)
		}, false, want{Met, "dbs", Met, ""}},
		{"forged passport is not evaluated", nil, true, want{NotEvaluated, "", "", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.claims("Zoë Whitfield", 200, 100)
			if tc.edit != nil {
				tc.edit(c)
			}
			status := verify.StatusValid
			if tc.forged {
				status = verify.StatusInvalid
			}
			got := pol.Evaluate(status, c, f.now)
			if got.Status != tc.want.status {
				t.Fatalf("status %s, want %s (%s)", got.Status, tc.want.status, got.Summary)
			}
			if got.Policy != pol.Name || got.Summary == "" {
				t.Errorf("policy %q summary %q", got.Policy, got.Summary)
			}
			if tc.want.status == NotEvaluated {
				if len(got.Requirements) != 0 {
					t.Errorf("requirements reported for a forged passport: %v", got.Requirements)
				}
				return
			}
			if len(got.Requirements) != len(pol.Checks)+len(pol.Training) {
				t.Fatalf("%d requirements, want %d", len(got.Requirements), len(pol.Checks)+len(pol.Training))
			}
			var req *Requirement
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
	p, err := Parse([]byte(`{"name":"b","expiring_soon_days":-1,"checks":[{"type":"dbs","within":"3y"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c := &credential.Claims{Body: credential.Body{Checks: []credential.Check{
		{Type: credential.CheckDBS, Outcome: credential.OutcomeClear, Done: credential.NewDate(2022, 3, 14)}}}}
	for _, tc := range []struct {
		day  string
		want Status
	}{{"2025-03-13", Met}, {"2025-03-14", NotMet}, {"2022-03-14", Met}} {
		now, _ := time.Parse("2006-01-02", tc.day)
		if got := p.Evaluate(verify.StatusValid, c, now.Add(12*time.Hour)); got.Status != tc.want {
			t.Errorf("on %s: %s (%s), want %s", tc.day, got.Status, got.Requirements[0].Reason, tc.want)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"empty object", `{}`, `"name" is empty`},
		{"nothing required", `{"name":"x"}`, "requires nothing"},
		{"unknown field", `{"name":"x","checks":[{"type":"dbs","whithin":"3y"}]}`, `unknown key "whithin"`},
		{"checks twice", `{"name":"x","checks":[{"type":"dbs"}],"checks":[{"type":"rtw"}]}`, `key "checks" appears twice`},
		{"a rule's key twice", `{"name":"x","checks":[{"type":"dbs","type":"rtw"}]}`, `key "type" appears twice in $.checks[]`},
		{"unknown check", `{"name":"x","checks":[{"type":"dbx"}]}`, "unknown check type"},
		{"unknown subject", `{"name":"x","training":[{"subject":"fire"}]}`, "unknown training subject"},
		{"bad period unit", `{"name":"x","training":[{"subject":"fire_safety","within":"12q"}]}`, "unknown unit"},
		{"negative period", `{"name":"x","training":[{"subject":"fire_safety","within":"-1y"}]}`, "positive number"},
		{"period too long", `{"name":"x","training":[{"subject":"fire_safety","within":"51y"}]}`, "longer than 50 years"},
		{"bad outcome", `{"name":"x","checks":[{"type":"dbs","outcomes":["maybe"]}]}`, "use clear or conditions"},
		{"two values", `{"name":"x","checks":[{"type":"dbs"}]} {}`, "more than one JSON value"},
		{"not JSON", "%PDF-1.4", "not a valid policy"},
		{"warning window", `{"name":"x","expiring_soon_days":400,"checks":[{"type":"dbs"}]}`, "expiring_soon_days"},
		{"too large", `{"name":"` + strings.Repeat("a", MaxBytes) + `"}`, "over 256 KB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := Load("does-not-exist.json"); err == nil {
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

func FuzzParsePolicy(f *testing.F) {
	if b, err := os.ReadFile("../fixtures/site-policy.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","checks":[{"type":"dbs","within":"3y","levels":["enhanced"]}]}`))
	f.Add([]byte(`{"name":"x","training":[{"subject":"fire_safety","within":"99999999999999y"}]}`))
	c := &credential.Claims{Body: credential.Body{
		Checks:   []credential.Check{{Type: credential.CheckDBS, Outcome: credential.OutcomeClear, Done: credential.NewDate(2024, 1, 1), Level: "enhanced"}},
		Training: []credential.Training{{Subject: credential.SubjectFireSafety, Expires: credential.NewDate(2026, 1, 1)}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		got := p.Evaluate(verify.StatusValid, c, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		if len(got.Requirements) != len(p.Checks)+len(p.Training) {
			t.Fatalf("%d requirements for %d rules", len(got.Requirements), len(p.Checks)+len(p.Training))
		}
		p.Describe()
	})
}
