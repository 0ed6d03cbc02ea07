package issue

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecogniseCourse(t *testing.T) {
	tests := []struct {
		name, subject, level string // subject "" : not recognised
	}{
		{"NHS|CSTF|Fire Safety - 2 Years|", "fire_safety", ""},
		{"NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|", "safeguarding_children", "level_3"},
		{"NHS|CSTF|Safeguarding Adults - Level 1 - 3 Years|", "safeguarding_adults", "level_1"},
		{"NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support|1 Years|", "resuscitation", "level_2"},
		{"NHS|CSTF|Resuscitation - Level 3 - Adult Immediate Life Support - 1 Year|", "resuscitation", "level_3"},
		{"NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|", "equality_diversity", ""},
		{"NHS|CSTF|Health, Safety and Welfare - 3 Years|", "health_safety", ""},
		{"NHS|CSTF|Conflict Resolution - 3 Years|", "conflict_resolution", ""},
		{"NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|", "infection_prevention", "level_2"},
		{"NHS|CSTF|Moving & Handling - Level 1 - 3 Years|", "moving_handling", "level_1"},
		{"NHS|CSTF|Preventing Radicalisation - Basic Prevent Awareness - 3 Years|", "preventing_radicalisation", ""},
		{"NHS|CSTF|Preventing Radicalisation - Level 3 - 3 Years|", "preventing_radicalisation", ""}, // no levels in the registry
		{"NHS|CSTF|Data Security Awareness - Level 1|", "information_governance", ""},
		{"NHS|MAND|The Oliver McGowan Mandatory Training on Learning Disability and Autism - Tier 2|", "learning_disability_autism", "tier_2"},
		{"Oliver McGowan Mandatory Training - Tier 1 - 3 Years", "learning_disability_autism", "tier_1"},
		{"Prevent Awareness", "preventing_radicalisation", ""},
		{"nhs|cstf|fire safety - level 1 - 1 year|", "fire_safety", ""},
		// A level the registry does not have is the map's to decide.
		{"NHS|CSTF|Safeguarding Children - Level 4 - 3 Years|", "", ""},
		// Local courses are not the national framework, whatever they are called.
		{"457|LOCAL|Fire Warden|", "", ""},
		{"457|LOCAL|Infection Prevention Link Nurse|", "", ""},
		{"Fire Safety", "", ""},
		{"NHS|CSTF|Sepsis Awareness|", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		s, lvl, ok := RecogniseCourse(tt.name)
		got := ""
		if ok {
			got = s.Code()
		}
		if got != tt.subject || lvl != tt.level {
			t.Errorf("RecogniseCourse(%q) = %q %q, want %q %q", tt.name, got, lvl, tt.subject, tt.level)
		}
	}
}

func TestLearningDates(t *testing.T) {
	tests := []struct {
		in, want string // want "never", "" (zero), "error" or a date
	}{
		{"30-Nov-2028", "2028-11-30"},
		{"30-NOV-2028", "2028-11-30"},
		{"2024/01/01 00:00:00", "2024-01-01"},
		{"2024-01-01", "2024-01-01"},
		{"01/02/2024", "2024-02-01"},
		{"2024-01-01 13:45:00", "2024-01-01"},
		{"No Expiry", "never"},
		{"no  expiry", "never"},
		{"", ""},
		{"31-Feb-2025", "error"},
		{"tomorrow", "error"},
	}
	for _, tt := range tests {
		d, never, err := parseLearningDate(tt.in)
		got := d.String()
		switch {
		case err != nil:
			got = "error"
		case never:
			got = "never"
		case d.IsZero():
			got = ""
		}
		if got != tt.want {
			t.Errorf("parseLearningDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadMapStrict(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"good", `{"columns":{"Assignment Number":"staff_number","X":""},"courses":{"A":{"subject":"fire_safety"},"B":{"ignore":true}}}`, ""},
		{"unknown top key", `{"columns":{},"coarses":{}}`, `unknown key "coarses"`},
		{"unknown course key", `{"courses":{"A":{"subject":"fire_safety","lvl":"1"}}}`, `unknown key "lvl"`},
		{"duplicate column", `{"columns":{"A":"name","A":"role"}}`, `key "A" appears twice in $.columns`},
		{"duplicate after normalising", `{"columns":{"Staff No":"staff_number","staff-no":"staff_number"}}`, "given twice"},
		{"duplicate top key", `{"columns":{},"columns":{}}`, `key "columns" appears twice`},
		{"duplicate course", `{"courses":{"A b":{"ignore":true},"a  B":{"ignore":true}}}`, "given twice"},
		{"not our column", `{"columns":{"A":"grade"}}`, `not one of our columns`},
		{"unknown subject", `{"courses":{"A":{"subject":"sepsis"}}}`, `unknown training subject`},
		{"bad level", `{"courses":{"A":{"subject":"safeguarding_children","level":"5"}}}`, `unknown level`},
		{"ignore and subject", `{"courses":{"A":{"subject":"fire_safety","ignore":true}}}`, "keep one"},
		{"trailing", `{"columns":{}} {}`, "more than one JSON value"},
		{"not json", `columns: {}`, "not a map"},
		{"too large", `{"columns":{"A":"` + strings.Repeat("x", MaxMapBytes) + `"}}`, "over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadMap(strings.NewReader(tt.in))
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}

// trainingOf lists a record's training as "subject level completed expires".
func trainingOf(r *Record) []string {
	var out []string
	for _, t := range r.Training {
		out = append(out, fmt.Sprintf("%s %s %s %s", t.Subject.Code(), t.Level, t.Completed, t.Expires))
	}
	return out
}

func loadTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "learning", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestLearningIntoRecords reads a people file and a learning file in the
// shapes systems export them, through a map, and checks each person's
// training: the latest completion wins, the row's expiry or the registry's
// period, "No Expiry", levels from the names, a bad row failing its person.
func TestLearningIntoRecords(t *testing.T) {
	m, err := LoadMap(loadTestdata(t, "map.json"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadLearning(loadTestdata(t, "learning.csv"), false, m)
	if err != nil {
		t.Fatal(err)
	}
	people, err := NewCSVReaderMap(loadTestdata(t, "people.csv"), m)
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, WithLearning(people, l))
	want := map[string][]string{
		"10000001-1": {
			"fire_safety  2025-11-03 2026-11-03", // the later row; the registry's one year
			"safeguarding_children level_3 2024-01-15 ",
			"resuscitation level_2 2025-03-12 2026-03-12",
		},
		"10000002-1": {
			"moving_handling level_2 2025-06-01 2027-06-01",
			"preventing_radicalisation  2024-09-09 2027-09-09",
			"learning_disability_autism tier_1 2025-04-04 2028-04-04",
		},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d (errors %v)", len(recs), len(want), errs)
	}
	for _, r := range recs {
		got := trainingOf(r)
		if strings.Join(got, "\n") != strings.Join(want[r.Person.StaffNumber], "\n") {
			t.Errorf("%s training:\n%s\nwant\n%s", r.Person.StaffNumber, strings.Join(got, "\n"), strings.Join(want[r.Person.StaffNumber], "\n"))
		}
	}
	if r := recs[0]; r.Person.Name != "Ann Test" || r.Employment.Role != "Staff Nurse" || r.Person.DateOfBirth.String() != "1985-03-02" {
		t.Errorf("people columns not mapped: %+v", r)
	}
	if len(errs) != 1 || errs[0].Row != 4 || !strings.Contains(errs[0].Reason, `learning file row 14, column "completed"`) {
		t.Errorf("errors %v, want row 4 failing with learning file row 14's date", errs)
	}
	unk := fmt.Sprint(l.UnrecognisedCourses())
	if unk != "[{457|LOCAL|Sepsis Awareness| 2} {457|LOCAL|Phlebotomy Refresher| 1}]" {
		t.Errorf("unrecognised courses %s", unk)
	}
	if got := l.NotInPeople(); len(got) != 1 || got[0] != "10000009-1" {
		t.Errorf("not in people: %v", got)
	}
	if l.NotCompleted != 1 || l.Rows != 14 {
		t.Errorf("%d not completed of %d rows, want 1 of 14", l.NotCompleted, l.Rows)
	}
}

// TestLearningMapJSONL: the same map renames the fields of JSON Lines
// people and learning files.
func TestLearningMapJSONL(t *testing.T) {
	m, err := LoadMap(strings.NewReader(`{"columns":{"Emp No":"staff_number","Title":"role","Module":"course","Passed":"completed","Dept":""},
		"courses":{"Resus ILS":{"subject":"resuscitation","level":"level 3"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadLearning(strings.NewReader(`{"Emp No":"E1","Module":"resus  ils","Passed":"2025-05-05"}
{"Emp No":"E1","Module":"NHS|CSTF|Resuscitation - Level 2 - 1 Year|","Passed":"2025-01-01","expires":"2025-12-31"}`), true, m)
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, WithLearning(NewJSONLReaderMap(strings.NewReader(
		`{"Emp No":"E1","name":"Eve Test","date_of_birth":"1990-01-01","Title":"Doctor","Dept":"ED"}`), m), l))
	if len(errs) > 0 || len(recs) != 1 {
		t.Fatalf("%d records, errors %v", len(recs), errs)
	}
	if got := strings.Join(trainingOf(recs[0]), ";"); got != "resuscitation level_3 2025-05-05 2026-05-05" {
		t.Errorf("training %s", got)
	}
	if recs[0].Employment.Role != "Doctor" {
		t.Errorf("role %q", recs[0].Employment.Role)
	}
}

func TestLearningHeaderErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "empty"},
		{"staff_number,course\n", "no completed column"},
		{"staff_number,course,completed,grade\n", `unknown column "grade"`},
		{"Assignment Number,staff_number,course,completed\n", "two columns are staff_number"},
	}
	for _, tt := range tests {
		_, err := LoadLearning(strings.NewReader(tt.in), false, nil)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
		}
	}
}

// The people file's own training columns and the learning file meet: the
// later completion of a subject wins, whichever file it is in.
func TestLearningMergesWithPeopleColumns(t *testing.T) {
	l, err := LoadLearning(strings.NewReader("staff_number,course,completed\nA1,NHS|CSTF|Fire Safety - 1 Year|,2025-01-01\nA1,NHS|CSTF|Conflict Resolution - 3 Years|,2020-01-01\n"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	people, err := NewCSVReader(strings.NewReader("staff_number,name,date_of_birth,role,fire_safety_date,conflict_resolution_date\nA1,Ann,1990-01-01,Nurse,2024-06-01,2024-06-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := readAll(t, WithLearning(people, l))
	got := strings.Join(trainingOf(recs[0]), ";")
	if got != "conflict_resolution  2024-06-01 2027-06-01;fire_safety  2025-01-01 2026-01-01" {
		t.Errorf("training %s", got)
	}
}

// FuzzLoadMap: any bytes give a map or an error, never a panic.
func FuzzLoadMap(f *testing.F) {
	f.Add([]byte(`{"columns":{"Assignment Number":"staff_number","X":""},"courses":{"A":{"subject":"safeguarding_children","level":"3"},"B":{"ignore":true}}}`))
	f.Add([]byte(`{"columns":{"A":"name","A":"role"}}`))
	f.Add([]byte(`[[[[[[[[[[{}]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadMap(bytes.NewReader(data))
		if err == nil && (m.Columns == nil || m.Courses == nil) {
			t.Fatal("a map without its tables")
		}
	})
}

// FuzzLearning: any learning file, CSV or JSON Lines, gives training or
// errors, never a panic; a recognised row never carries a level its
// subject does not have.
func FuzzLearning(f *testing.F) {
	f.Add([]byte("staff_number,course,completed,expires,level\nA1|Ann,NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|,30-Nov-2024,No Expiry,\n"), false)
	f.Add([]byte(`{"staff_number":"A1","course":"NHS|CSTF|Fire Safety - 2 Years|","completed":"2024/01/01 00:00:00"}`), true)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		l, err := LoadLearning(bytes.NewReader(data), jsonl, nil)
		if err != nil {
			return
		}
		for _, byS := range l.training {
			for _, tr := range byS {
				if !tr.LevelKnown() {
					t.Fatalf("training %+v has a level its subject does not have", tr)
				}
			}
		}
	})
}
