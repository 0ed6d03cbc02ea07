package issue

import (
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, src Source) (recs []*Record, errs []*RowError) {
	t.Helper()
	for {
		rec, es, err := src.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec != nil {
			recs = append(recs, rec)
		}
		errs = append(errs, es...)
	}
}

func TestInputFormats(t *testing.T) {
	tests := []struct {
		name, in     string
		jsonl        bool
		recs         int
		errCol       string // column of the first error, if any
		dob, dbsDate string
	}{
		{"csv header variants and BOM", "\ufeffStaff Number, NAME ,Date-of-Birth,role\nA1,Ann Lee,1990-05-20,Nurse\n", false, 1, "", "1990-05-20", ""},
		{"csv UK dates", "staff_number,name,date_of_birth,role,dbs_date,dbs_level\nA1,Ann,20/05/1990,Nurse,3/2/2025,enhanced\n", false, 1, "", "1990-05-20", "2025-02-03"},
		{"csv bad date", "staff_number,name,date_of_birth,role\nA1,Ann,31/02/1990,Nurse\n", false, 0, "date_of_birth", "", ""},
		{"csv empty required", "staff_number,name,date_of_birth,role\nA1,,1990-01-01,Nurse\n", false, 0, "name", "", ""},
		{"csv blank lines skipped", "staff_number,name,date_of_birth,role\n,,,\nA1,Ann,1990-01-01,Nurse\n", false, 1, "", "1990-01-01", ""},
		{"jsonl", `{"Staff Number":"A1","name":"Ann","date_of_birth":"20/05/1990","role":"Nurse","dbs_date":"2025-02-03","DBS-Level":"enhanced"}` + "\n\n" + `{"staff_number":"A2","name":"Bo","date_of_birth":"1990-01-01","role":"HCA"}`, true, 2, "", "1990-05-20", "2025-02-03"},
		{"jsonl BOM and number", "\ufeff" + `{"staff_number":1234,"name":"Ann","date_of_birth":"1990-05-20","role":"Nurse"}`, true, 1, "", "1990-05-20", ""},
		{"jsonl unknown field", `{"staff_number":"A1","name":"Ann","date_of_birth":"1990-05-20","role":"Nurse","xray_date":"2025-01-01"}`, true, 0, "xray_date", "", ""},
		{"jsonl missing field", `{"staff_number":"A1","name":"Ann","role":"Nurse"}`, true, 0, "date_of_birth", "", ""},
		{"jsonl not an object", `["A1"]`, true, 0, "", "", ""},
		{"jsonl nested value", `{"staff_number":"A1","name":{"x":1},"date_of_birth":"1990-05-20","role":"Nurse"}`, true, 0, "name", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src Source
			if tt.jsonl {
				src = NewJSONLReader(strings.NewReader(tt.in))
			} else {
				r, err := NewCSVReader(strings.NewReader(tt.in))
				if err != nil {
					t.Fatal(err)
				}
				src = r
			}
			recs, errs := readAll(t, src)
			if len(recs) != tt.recs {
				t.Fatalf("%d records, want %d (errors %v)", len(recs), tt.recs, errs)
			}
			if tt.recs == 0 {
				if len(errs) == 0 {
					t.Fatal("no error reported")
				}
				if errs[0].Row == 0 || errs[0].Column != tt.errCol {
					t.Fatalf("first error %q: row %d column %q, want column %q", errs[0].Error(), errs[0].Row, errs[0].Column, tt.errCol)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors %v", errs)
			}
			if got := recs[0].Person.DateOfBirth.String(); got != tt.dob {
				t.Errorf("date of birth %s, want %s", got, tt.dob)
			}
			if tt.dbsDate != "" && (len(recs[0].Checks) != 1 || recs[0].Checks[0].Done.String() != tt.dbsDate || recs[0].Checks[0].Level != "enhanced") {
				t.Errorf("checks %+v, want DBS done %s", recs[0].Checks, tt.dbsDate)
			}
		})
	}
}

func TestJSONLLineLimit(t *testing.T) {
	_, _, err := NewJSONLReader(strings.NewReader(`{"name":"` + strings.Repeat("x", MaxLineBytes) + `"}`)).Next()
	if err == nil || !strings.Contains(err.Error(), "limited") {
		t.Fatalf("over-long line: %v", err)
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add(`{"staff_number":"A1","name":"Ann","date_of_birth":"1990-05-20","role":"Nurse"}`)
	f.Add(`{"staff_number":null}` + "\n[1,2]\n{")
	f.Fuzz(func(t *testing.T, in string) {
		src := NewJSONLReader(strings.NewReader(in))
		for i := 0; i < 1000; i++ {
			if _, _, err := src.Next(); err != nil {
				return
			}
		}
	})
}

// FuzzCSV: any CSV either fails with an error or yields records that pass
// validation (every field bounded, every date real); it never panics.
func FuzzCSV(f *testing.F) {
	f.Add("staff_number,name,date_of_birth,role\nA1,Zoë,1990-05-20,Nurse\n")
	f.Add("Staff Number,Name,Date of Birth,Role,dbs_date,dbs_level\nA1,Ann,31/02/1990,Nurse,2024-01-01,super\n")
	f.Add("\ufeffstaff_number,name,date_of_birth,role,fire_safety_date,fire_safety_expiry\nB,\"x\ny\",1990-01-01,R,2020-01-01,2019-01-01\n")
	f.Fuzz(func(t *testing.T, in string) {
		src, err := NewCSVReader(strings.NewReader(in))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			rec, errs, err := src.Next()
			if err != nil {
				return
			}
			if rec == nil && len(errs) == 0 {
				t.Fatal("Next returned neither a record nor errors")
			}
			if rec != nil && (rec.Person.Name == "" || len(rec.Person.Name) > MaxCellBytes) {
				t.Fatalf("accepted a record with an invalid name %q", rec.Person.Name)
			}
		}
	})
}

// TestHiddenCharactersAreRowErrors: a record whose name or role holds a
// character a person cannot see as it is (a right-to-left override, a
// braille blank, a soft hyphen, a variation selector, a zero-width space)
// is a row error naming the column: the passport would otherwise print a
// name that reads differently from the one signed.
func TestHiddenCharactersAreRowErrors(t *testing.T) {
	for _, c := range []struct{ col, value string }{
		{"name", "Alice \u202eboB DILAVNI"},
		{"name", "\u2800"},
		{"name", "Sam\u00adson"},
		{"role", "Nurse\ufe0f"},
		{"name", "Oka\u200bfor"},
	} {
		row := map[string]string{"staff_number": "T1", "name": "Zoë Whitfield", "date_of_birth": "1990-01-01", "role": "Nurse"}
		row[c.col] = c.value
		_, errs := parseRecord(2, func(k string) string { return row[k] })
		found := false
		for _, e := range errs {
			found = found || e.Column == c.col && strings.Contains(e.Reason, "invisible")
		}
		if !found {
			t.Errorf("%s %q: row errors %v, want one naming the hidden characters", c.col, c.value, errs)
		}
	}
}
