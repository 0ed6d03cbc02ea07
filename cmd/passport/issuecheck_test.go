package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIssueCheckLongLine: a JSON Lines file whose second line is over the
// line limit cannot be checked to its end. --check used to print "1 rows
// checked: 1 valid" and exit 0; it must fail (exit 3) naming the line, and
// the real run must not suggest --resume when nothing was issued.
func TestIssueCheckLongLine(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "staff.jsonl")
	good := `{"name": "Alex Example", "staff_number": "T1", "date_of_birth": "1980-01-01", "role": "Nurse"}`
	long := `{"name": "` + strings.Repeat("x", 3<<20) + `"}`
	if err := os.WriteFile(in, []byte(good+"\n"+long+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	if code := run(e, []string{"issue", "--check", "--in", in}); code != exitUsage {
		t.Errorf("issue --check exit %d, want %d; stdout %q stderr %q", code, exitUsage, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String(), "rows checked") || !strings.Contains(stderr.String(), "line 2") {
		t.Errorf("issue --check: stdout %q stderr %q; want no count and an error naming line 2", stdout.String(), stderr.String())
	}
}
