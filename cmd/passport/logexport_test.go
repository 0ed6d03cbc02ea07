package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	if _, err := l.AddAction(ctx, sitedb.Action{Ref: id, Action: sitedb.ActionRefused, By: "Sam Okafor", At: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Add(ctx, sitedb.Entry{At: now.Add(time.Second), Status: "unreadable", Decision: "not_a_passport", ReasonCodes: "bad_prefix", Source: "text"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	db.Close()
	var stderr string
	export := func(args ...string) string {
		var out, errb bytes.Buffer
		if code := run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}, append([]string{"log", "--db", path}, args...)); code != 0 {
			t.Fatalf("passport log %v: exit %d: %s", args, code, errb.String())
		}
		stderr = errb.String()
		return out.String()
	}
	if table := export(); !strings.Contains(table, "check_needed") || !strings.Contains(table, "refused by Sam Okafor") || !strings.Contains(table, "not_a_passport") {
		t.Errorf("table:\n%s", table)
	}
	csv := strings.Split(strings.TrimSpace(export("--csv")), "\n")
	if len(csv) != 4 || !strings.HasSuffix(csv[0], "decision,action,action_by,action_time,trust_version,ref,id,hash,policy_name") || !strings.Contains(csv[3], ",check_needed,refused,Sam Okafor,") {
		t.Errorf("CSV:\n%s", strings.Join(csv, "\n"))
	}
	// Every export names the chain's head: the last row written (the
	// not_a_passport row, id 3; rows are exported in time order).
	last := csv[2][strings.LastIndex(csv[2], ",")+1:]
	if !strings.Contains(csv[2], ",not_a_passport,") || !strings.Contains(stderr, "log head: row 3, hash "+last) {
		t.Errorf("the CSV export's stderr %q does not name the head, row 3 hash %s", stderr, last)
	}
	lines := strings.Split(strings.TrimSpace(export("--json")), "\n")
	var first, press sitedb.Entry
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Decision != "check_needed" || first.Action != "" || len(first.Hash) != 64 {
		t.Errorf("JSON: %+v %v", first, err)
	}
	if err := json.Unmarshal([]byte(lines[2]), &press); err != nil || press.Decision != "check_needed" || press.Action != "refused" || press.ActionBy != "Sam Okafor" || press.Ref != first.ID {
		t.Errorf("JSON: %+v %v", press, err)
	}
	var third sitedb.Entry
	if err := json.Unmarshal([]byte(lines[1]), &third); err != nil || third.ID != 3 || !strings.Contains(stderr, "log head: row 3, hash "+third.Hash) {
		t.Errorf("the JSON export's stderr %q does not name the head", stderr)
	}
}

// TestLogVerify: `passport log --verify` passes a whole log and names the
// first row an edit, a deletion or a reordering broke, with exit 1.
func TestLogVerify(t *testing.T) {
	tests := []struct {
		name, tamper, want string
	}{
		{"intact", "", ""},
		{"edited", `UPDATE station_log SET decision = 'accept' WHERE id = 2`, "breaks at row 2 "},
		{"deleted", `DELETE FROM station_log WHERE id = 2`, "breaks at row 3 "},
		{"reordered", `UPDATE station_log SET id = 9 WHERE id = 1`, "breaks at row 2 "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "site.db")
			db, err := sitedb.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			l, err := sitedb.OpenLog(db, sitedb.LogOptions{})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			for i, d := range []string{"accept", "do_not_accept", "check_needed", "accept"} {
				if _, err := l.Add(context.Background(), sitedb.Entry{At: now.Add(time.Duration(i) * time.Second), Status: "valid", Decision: d, Source: "text"}); err != nil {
					t.Fatal(err)
				}
			}
			l.Close()
			db.Close()
			if tc.tamper != "" {
				raw, err := sql.Open("sqlite3", path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := raw.Exec(tc.tamper); err != nil {
					t.Fatal(err)
				}
				raw.Close()
			}
			var out, errb bytes.Buffer
			code := run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}, []string{"log", "--db", path, "--verify"})
			if tc.want == "" {
				if code != 0 || !strings.Contains(out.String(), "intact: 4 rows, head row 4") {
					t.Errorf("intact log: exit %d, %s %s", code, out.String(), errb.String())
				}
				return
			}
			if code != exitInvalid || !strings.Contains(errb.String(), tc.want) || !strings.Contains(errb.String(), "hint:") {
				t.Errorf("%s log: exit %d, stderr %q; want exit 1 naming %q", tc.name, code, errb.String(), tc.want)
			}
		})
	}
}

// TestLogVerifyNotedHead: a head noted from an export (ROW:HASH) shows a
// rewrite that leaves a whole chain behind: the newest rows cut off and the
// chain's head moved back, or the rows rewritten with new hashes.
func TestLogVerifyNotedHead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := sitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := sitedb.OpenLog(db, sitedb.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := l.Add(context.Background(), sitedb.Entry{At: time.Now().Add(time.Duration(i) * time.Second), Status: "valid", Decision: "accept", Source: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	head, err := l.Head()
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	db.Close()
	verify := func(noted string) (int, string) {
		var out, errb bytes.Buffer
		code := run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}, []string{"log", "--db", path, "--verify", "--head", noted})
		return code, out.String() + errb.String()
	}
	noted := fmt.Sprintf("%d:%s", head.ID, head.Hash)
	if code, out := verify(noted); code != 0 || !strings.Contains(out, "noted head (row 4) is unchanged") {
		t.Errorf("intact: exit %d, %s", code, out)
	}
	if code, out := verify("4:" + strings.Repeat("0", 64)); code != exitInvalid || !strings.Contains(out, "not the 0000") {
		t.Errorf("another hash noted: exit %d, %s", code, out)
	}
	if code, out := verify("4:xyz"); code != exitUsage {
		t.Errorf("a malformed head: exit %d, %s", code, out)
	}
	// Cut the newest row and move the chain's head back: the chain is whole
	// again, but the noted head is gone.
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM station_log WHERE id = 4; UPDATE log_chain SET head_id = 3, head_hash = (SELECT row_hash FROM station_log WHERE id = 3)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if code, out := verify(""); code != 0 {
		t.Fatalf("the cut log's chain: exit %d, %s", code, out)
	}
	if code, out := verify(noted); code != exitInvalid || !strings.Contains(out, "row 4, the head you noted, is not in the log") {
		t.Errorf("cut after the noted head: exit %d, %s", code, out)
	}
}
