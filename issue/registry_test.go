package issue

import (
	"strings"
	"testing"

	"passport/credential"
)

// TestRefresherFromRegistry: a subject added to the registry (the Oliver
// McGowan training, body version 2) gets its default refresher period from
// the registry, not a zero-year expiry.
func TestRefresherFromRegistry(t *testing.T) {
	csv := "staff_number,name,date_of_birth,role,learning_disability_autism_date,fire_safety_date\n" +
		"T1,Alex Example,1990-01-01,Nurse,2025-03-01,2025-03-01\n"
	r, err := NewCSVReader(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	rec, errs, err := r.Next()
	if err != nil || len(errs) > 0 {
		t.Fatalf("%v %v", err, errs)
	}
	want := map[credential.Subject]string{credential.SubjectLearningDisability: "2028-03-01", credential.SubjectFireSafety: "2026-03-01"}
	for _, tr := range rec.Training {
		if tr.Expires.String() != want[tr.Subject] {
			t.Errorf("%s expires %s, want %s", tr.Subject.Code(), tr.Expires, want[tr.Subject])
		}
	}
	if len(rec.Training) != 2 {
		t.Fatalf("training %+v", rec.Training)
	}
}

// TestLevelColumns: every level column the README documents (generated
// from the registry) is read, in CSV and JSON Lines alike, into the
// registry's level code; a wrong level, a level without its date and a DBS
// check without its level are refused naming the column.
func TestLevelColumns(t *testing.T) {
	header := "staff_number,name,date_of_birth,role,dbs_date,dbs_level,occupational_health_date,occupational_health_clearance," +
		"safeguarding_children_date,safeguarding_children_level,learning_disability_autism_date,learning_disability_autism_tier,resuscitation_date,resuscitation_level\n"
	good := "T1,Alex Example,1990-01-01,Nurse,2025-01-01,Enhanced Barred,2025-01-02,EPP,2025-02-01,3,2025-03-01,Tier 2,2025-04-01,level-1\n"
	wantChecks := map[credential.CheckType]string{credential.CheckDBS: "enhanced_barred", credential.CheckOccupationalHealth: "epp"}
	wantTraining := map[credential.Subject]string{credential.SubjectSafeguardingChild: "level_3", credential.SubjectLearningDisability: "tier_2", credential.SubjectResuscitation: "level_1"}
	check := func(what string, rec *Record) {
		t.Helper()
		if len(rec.Checks) != 2 || len(rec.Training) != 3 {
			t.Fatalf("%s: %+v %+v", what, rec.Checks, rec.Training)
		}
		for _, c := range rec.Checks {
			if c.Level != wantChecks[c.Type] || !c.Known() {
				t.Errorf("%s: %s level %q, want %q", what, c.Type.Code(), c.Level, wantChecks[c.Type])
			}
		}
		for _, tr := range rec.Training {
			if tr.Level != wantTraining[tr.Subject] || !tr.Known() {
				t.Errorf("%s: %s level %q, want %q", what, tr.Subject.Code(), tr.Level, wantTraining[tr.Subject])
			}
		}
	}
	r, err := NewCSVReader(strings.NewReader(header + good))
	if err != nil {
		t.Fatal(err)
	}
	rec, errs, err := r.Next()
	if err != nil || len(errs) > 0 {
		t.Fatalf("csv: %v %v", err, errs)
	}
	check("csv", rec)

	jl := `{"staff_number":"T1","name":"Alex Example","date_of_birth":"1990-01-01","role":"Nurse","dbs_date":"2025-01-01","DBS Level":"enhanced_barred",` +
		`"occupational_health_date":"2025-01-02","occupational_health_clearance":"epp","safeguarding_children_date":"2025-02-01","safeguarding_children_level":3,` +
		`"learning_disability_autism_date":"2025-03-01","learning_disability_autism_tier":"2","resuscitation_date":"2025-04-01","resuscitation_level":"level_1"}`
	rec, errs, err = NewJSONLReader(strings.NewReader(jl)).Next()
	if err != nil || len(errs) > 0 {
		t.Fatalf("jsonl: %v %v", err, errs)
	}
	check("jsonl", rec)

	bad := []struct{ row, column string }{
		{"T1,A,1990-01-01,N,2025-01-01,,,,,,,,,\n", "dbs_level"}, // DBS needs its level
		{"T1,A,1990-01-01,N,2025-01-01,enhanced,,,2025-02-01,4,,,,\n", "safeguarding_children_level"},
		{"T1,A,1990-01-01,N,2025-01-01,enhanced,,,,,2025-03-01,3,,\n", "learning_disability_autism_tier"},
		{"T1,A,1990-01-01,N,2025-01-01,enhanced,2025-01-02,fit,,,,,,\n", "occupational_health_clearance"},
		{"T1,A,1990-01-01,N,2025-01-01,enhanced,,,,3,,,,\n", "safeguarding_children_date"}, // a level without its date
		{"T1,A,1990-01-01,N,2025-01-01,enhanced,,epp,,,,,,\n", "occupational_health_date"},
	}
	for _, b := range bad {
		r, err := NewCSVReader(strings.NewReader(header + b.row))
		if err != nil {
			t.Fatal(err)
		}
		rec, errs, err := r.Next()
		if err != nil || rec != nil || len(errs) != 1 || errs[0].Column != b.column {
			t.Errorf("%q: record %v, errors %v (%v); want one error in %s", b.row, rec, errs, err, b.column)
		}
	}
	// Occupational health clearance is optional.
	r, _ = NewCSVReader(strings.NewReader(header + "T1,A,1990-01-01,N,,,2025-01-02,,,,,,,\n"))
	if rec, errs, err := r.Next(); err != nil || len(errs) > 0 || rec.Checks[0].Level != "" {
		t.Fatalf("clearance optional: %v %v %v", rec, errs, err)
	}
}
