package policy

import (
	"testing"
	"time"

	"passport/credential"
)

// fixture makes passport claims relative to now. The policy reads only
// typed claims and a verdict, so no signing is needed here; station's tests
// run the same policy through verification end to end.
type fixture struct{ now time.Time }

func newFixture() *fixture { return &fixture{now: time.Now()} }

func (f *fixture) claims(name string, dbsAgo, fireAgo int) *credential.Claims {
	today := credential.DateOf(f.now)
	iat := f.now.Add(-time.Hour).UTC().Truncate(time.Second)
	return &credential.Claims{
		Issuer: "RXT", IssuedAt: iat, NotBefore: iat, Expires: iat.AddDate(1, 0, 0), ID: make([]byte, 16),
		Body: credential.Body{
			Version: credential.SchemaVersion,
			Person:  credential.Person{Name: name, StaffNumber: "TEST1001"},
			Checks: []credential.Check{
				{Type: credential.CheckIdentity, Outcome: credential.OutcomeClear, Done: credential.NewDate(2017, 1, 10)},
				{Type: credential.CheckRightToWork, Outcome: credential.OutcomeClear, Done: credential.NewDate(2017, 1, 10)},
				{Type: credential.CheckDBS, Outcome: credential.OutcomeClear, Done: today.AddDays(-dbsAgo), Level: "enhanced_barred"},
				{Type: credential.CheckOccupationalHealth, Outcome: credential.OutcomeConditions, Done: credential.NewDate(2017, 2, 1)},
				{Type: credential.CheckReferences, Outcome: credential.OutcomeClear, Done: credential.NewDate(2017, 1, 5)},
			},
			Training: []credential.Training{
				{Subject: credential.SubjectFireSafety, Completed: today.AddDays(-fireAgo), Expires: today.AddDays(-fireAgo + 365)},
				{Subject: credential.SubjectInfectionPrevention, Completed: today.AddDays(-40), Expires: today.AddDays(325)},
				{Subject: credential.SubjectSafeguardingAdults, Completed: today.AddDays(-400), Expires: today.AddDays(695)},
				{Subject: credential.SubjectResuscitation, Completed: today.AddDays(-100), Expires: today.AddDays(265)},
				{Subject: credential.SubjectInfoGovernance, Completed: today.AddDays(-20), Expires: today.AddDays(345)},
			},
		},
	}
}

func examplePolicy(t testing.TB) *Policy {
	t.Helper()
	p, err := Load("../fixtures/site-policy.json")
	if err != nil {
		t.Fatalf("the example policy does not load: %v", err)
	}
	return p
}
