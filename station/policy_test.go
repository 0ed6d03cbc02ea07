package station

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"passport/policy"
	"passport/verify"
)

func TestVerdictJSONShape(t *testing.T) {
	// A Verdict has every field of a verify --json line at the top level,
	// plus "policy".
	f := newFixture(t)
	v, err := verify.NewVerifier(f.db, verify.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	r := v.VerifyText("in", f.text(t, f.claims("Zoë Whitfield", 10, 10)))
	b, _ := json.Marshal(policy.Apply(examplePolicy(t), r))
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

// TestPolicySourceAppliesEachVerification: a station given a PolicySource
// applies the policy it gives at each verification (a sync may bring a new
// version), and while the source fails it applies the one the source last
// gave, with a status warning saying so.
func TestPolicySourceAppliesEachVerification(t *testing.T) {
	f := newFixture(t)
	first := examplePolicy(t)
	revised := *first
	revised.Name = "Revised (TEST)"
	give, fail := first, error(nil)
	srv, err := New(Config{Store: f.db, PolicySource: func() (*policy.Policy, error) { return give, fail }})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.NewVerifier(f.db, verify.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	res := []verify.Result{v.VerifyText("in", f.text(t, f.claims("Zoë Whitfield", 10, 10)))}
	applied := func() string {
		vs := srv.verdicts(res)
		if len(vs) != 1 || vs[0].Policy == nil {
			t.Fatalf("verdicts %+v", vs)
		}
		return vs[0].Policy.Policy
	}
	if got := applied(); got != first.Name {
		t.Errorf("applied %q, want %q", got, first.Name)
	}
	give = &revised
	if got := applied(); got != revised.Name {
		t.Errorf("after the source changed: applied %q, want %q", got, revised.Name)
	}
	fail = errors.New("the trust list in force no longer holds the site policy")
	if got := applied(); got != revised.Name {
		t.Errorf("while the source fails: applied %q, want the last one %q", got, revised.Name)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/status", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `"code":"policy_not_reloaded"`) || !strings.Contains(body, `"policy":"Revised (TEST)"`) {
		t.Errorf("status while the source fails: %s", body)
	}
}
