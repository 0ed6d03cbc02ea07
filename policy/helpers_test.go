package policy

import (
	"testing"
	"time"

	"passport/credential"
	"passport/fixtures/sampleclaims"
)

// fixture makes passport claims relative to now. The policy reads only
// typed claims and a verdict, so no signing is needed here; station's tests
// run the same policy through verification end to end.
type fixture struct{ now time.Time }

func newFixture() *fixture { return &fixture{now: time.Now()} }

func (f *fixture) claims(name string, dbsAgo, fireAgo int) *credential.Claims {
	return sampleclaims.Nurse(f.now, "RXT", "Test Hospitals NHS Trust", name, dbsAgo, fireAgo)
}

func examplePolicy(t testing.TB) *Policy {
	t.Helper()
	p, err := Load("../fixtures/site-policy.json")
	if err != nil {
		t.Fatalf("the example policy does not load: %v", err)
	}
	return p
}
