package verify_test

import (
	"strings"
	"testing"
	"time"

	"passport/verify"
)

func TestExtractCode(t *testing.T) {
	valid := loadVectors(t, "valid")
	good := valid["basic"].Text
	half := good[:len(good)/2]
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", good, good, true},
		{"stray key before", "x" + good, good, true},
		{"AIM identifier ]Q1", "]Q1" + good, good, true},
		{"AIM identifier ]Q3 and CR LF", "]Q3" + good + "\r\n", good, true},
		{"Caps Lock", strings.ToLower(good), good, true},
		{"Tab suffix then junk", good + "\tabc", good, true},
		{"half a scan, then a whole one", half + good, good, true},
		{"staff number", "1234567", "", false},
		{"wristband", "9434765919 SMITH JOHN", "", false},
		{"prose mentioning the prefix", "Codes start with SP1: and then base45 text, as the README explains at length here.", "", false},
		{"cut off", half, half, true},
	}
	for _, tc := range tests {
		got, ok := verify.ExtractCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %.20q… %v, want %.20q… %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestScannerTextInput: what a USB scanner types into `passport verify -`
// (an AIM identifier, a stray key, Caps Lock, a Tab suffix) verifies as the
// clean code does, and a line with no code still gets its own result.
func TestScannerTextInput(t *testing.T) {
	st, valid := attackStore(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	good := valid["basic"].Text
	in := "]Q1" + good + "\r\n" + "x" + good + "\n" + strings.ToLower(good) + "\t\n" + "1234567\n"
	results := readInput(t, "-", []byte(in), st, now)
	want := []verify.Status{verify.StatusValid, verify.StatusValid, verify.StatusValid, verify.StatusInvalid}
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d", len(results), len(want))
	}
	for i, r := range results {
		if r.Status != want[i] {
			t.Errorf("line %d: %s %+v, want %s", i+1, r.Status, r.Reasons, want[i])
		}
	}
}
