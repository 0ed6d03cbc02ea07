package station

import (
	"encoding/json"
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
