package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passport/sitedb"
)

// TestLogExportsDecision: `passport log` exports the decision shown and who
// pressed Accept or Refuse, in the table, CSV and JSON (the record a
// receiving site's HR keeps).
func TestLogExportsDecision(t *testing.T) {
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := sitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := sitedb.OpenLog(db, sitedb.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	id, err := l.Add(ctx, sitedb.Entry{At: now, CredentialID: "c0ffee", Issuer: "RHQ", Status: "valid", Decision: "check_needed", Source: "text"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetAction(ctx, id, sitedb.ActionRefused, "Sam Okafor", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Add(ctx, sitedb.Entry{At: now.Add(time.Second), Status: "unreadable", Decision: "not_a_passport", ReasonCodes: "bad_prefix", Source: "text"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	db.Close()
	export := func(args ...string) string {
		var out, errb bytes.Buffer
		if code := run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}, append([]string{"log", "--db", path}, args...)); code != 0 {
			t.Fatalf("passport log %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	if table := export(); !strings.Contains(table, "check_needed") || !strings.Contains(table, "refused by Sam Okafor") || !strings.Contains(table, "not_a_passport") {
		t.Errorf("table:\n%s", table)
	}
	csv := strings.Split(strings.TrimSpace(export("--csv")), "\n")
	if len(csv) != 3 || !strings.HasSuffix(csv[0], "decision,action,action_by,action_time") || !strings.Contains(csv[1], ",check_needed,refused,Sam Okafor,") {
		t.Errorf("CSV:\n%s", strings.Join(csv, "\n"))
	}
	var first sitedb.Entry
	if err := json.Unmarshal([]byte(strings.SplitN(export("--json"), "\n", 2)[0]), &first); err != nil || first.Decision != "check_needed" || first.Action != "refused" || first.ActionBy != "Sam Okafor" {
		t.Errorf("JSON: %+v %v", first, err)
	}
}
