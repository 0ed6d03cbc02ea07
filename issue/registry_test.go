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
