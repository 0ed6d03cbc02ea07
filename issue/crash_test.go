package issue

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"passport/credential"
	"passport/keys"
	"passport/verify/scan"
)

// The crash test runs real batches in a child process (this test binary,
// re-executed) and kills it with SIGKILL: no deferred function, no flush,
// exactly what a power cut or the OOM killer leaves behind. Re-executing
// the test binary rather than building cmd/passport keeps the test to
// seconds (a cold build of the CLI and its browser and SQLite
// dependencies takes minutes on a loaded machine); the child runs the
// same Run the CLI calls.
const crashChildEnv = "PASSPORT_ISSUE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// crashChild issues the CSV named by the environment into the directory
// named by it, committing in small groups so a kill can land between
// many commits.
func crashChild() int {
	commitEvery = 16
	data, err := os.ReadFile(os.Getenv("CRASH_CSV"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	iss, err := keys.NewIssuer("RXT", "Synthetic Integrated Care System (TEST)", benchNow.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	opts := Options{Issuer: iss, OutDir: os.Getenv("CRASH_OUT"), Now: benchNow, Workers: 2,
		Combined: os.Getenv("CRASH_COMBINED") == "1", Resume: os.Getenv("CRASH_RESUME") == "1"}
	if _, err := Run(context.Background(), csvOpener(data), opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// killAt is when to kill a run: after a delay, or once pdfs PDFs are on
// disk under their final names (so kills land at several points of a
// batch whatever the machine's speed).
type killAt struct {
	delay time.Duration
	pdfs  int
}

func (k killAt) String() string {
	if k.pdfs > 0 {
		return fmt.Sprintf("after-%d-pdfs", k.pdfs)
	}
	return "after-" + k.delay.String()
}

// TestKillAndResume kills batches at several points, checks that every
// credential in a PDF on disk is in the register, then resumes (killing
// the resumed run too in some cases) and checks that everyone holds
// exactly one credential, printed in their PDF.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs batches in child processes; skipped in -short")
	}
	type crashCase struct {
		combined bool
		kills    []killAt // the first run, then each resumed run, is killed
	}
	n, cases := 200, []crashCase{
		{false, []killAt{{delay: 30 * time.Millisecond}}},
		{false, []killAt{{pdfs: 1}}},
		{false, []killAt{{pdfs: 60}, {pdfs: 130}}},
		{false, []killAt{{delay: 250 * time.Millisecond}, {delay: 150 * time.Millisecond}}},
		{true, []killAt{{pdfs: 20}}},
		{true, []killAt{{delay: 200 * time.Millisecond}, {pdfs: 120}}},
	}
	if raceEnabled {
		n, cases = 50, []crashCase{
			{false, []killAt{{pdfs: 1}}},
			{false, []killAt{{pdfs: 17}, {pdfs: 35}}},
			{true, []killAt{{delay: 500 * time.Millisecond}, {pdfs: 25}}},
		}
	}
	csvPath := filepath.Join(t.TempDir(), "staff.csv")
	if err := os.WriteFile(csvPath, popCSV(t, n), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		name := fmt.Sprintf("combined=%v/%v", tc.combined, tc.kills)
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			resume := false
			for _, k := range tc.kills {
				finished := runChild(t, csvPath, out, tc.combined, resume, k)
				held := checkDiskInRegister(t, out)
				t.Logf("killed %v: %d PDFs on disk, all %d credentials in them registered", k, countPDFs(out), len(held))
				if finished {
					t.Logf("the run finished before the kill (%v)", k)
					return
				}
				resume = batchStarted(t, out)
			}
			runChild(t, csvPath, out, tc.combined, resume, killAt{})
			held := checkDiskInRegister(t, out)
			checkEveryoneOnce(t, out, n, held, tc.combined)
		})
	}
}

// runChild runs one batch and kills it at k (k zero: let it finish). It
// reports whether the run finished by itself.
func runChild(t *testing.T, csvPath, out string, combined, resume bool, k killAt) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", "CRASH_CSV="+csvPath, "CRASH_OUT="+out,
		"CRASH_COMBINED="+b2s(combined), "CRASH_RESUME="+b2s(resume))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if k == (killAt{}) {
		if err := <-done; err != nil {
			t.Fatalf("resume run: %v\n%s", err, stderr.String())
		}
		return true
	}
	start := time.Now()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run failed before the kill: %v\n%s", err, stderr.String())
			}
			return true
		case <-time.After(2 * time.Millisecond):
		}
		if (k.pdfs > 0 && countPDFs(out) >= k.pdfs) || (k.pdfs == 0 && time.Since(start) >= k.delay) {
			cmd.Process.Signal(syscall.SIGKILL)
			err := <-done
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return false
			}
			if err != nil {
				t.Fatalf("run failed: %v\n%s", err, stderr.String())
			}
			return true // it finished in the same instant
		}
	}
}

func b2s(b bool) string { return map[bool]string{false: "0", true: "1"}[b] }

// countPDFs counts the PDFs under their final names.
func countPDFs(dir string) int {
	ents, _ := os.ReadDir(dir)
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".pdf") && !strings.HasPrefix(e.Name(), tmpPrefix) {
			n++
		}
	}
	return n
}

// batchStarted reports whether the killed run recorded its batch (a run
// killed before that is started again, not resumed).
func batchStarted(t *testing.T, out string) bool {
	path := filepath.Join(out, "register.db")
	if _, err := os.Stat(path); err != nil {
		return false
	}
	reg, err := OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	_, _, err = reg.LastUnfinishedBatch()
	return err == nil
}

// checkDiskInRegister decodes the code of every PDF in out and fails if
// any credential in it is not in the register with that exact text. It
// returns the credential ids found in PDFs, by staff number.
func checkDiskInRegister(t *testing.T, out string) map[string]map[string]bool {
	t.Helper()
	reg := map[string]RegisterEntry{}
	if _, err := os.Stat(filepath.Join(out, "register.db")); err == nil {
		r, err := OpenRegister(filepath.Join(out, "register.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.List(ListFilter{}, func(e RegisterEntry) error { reg[e.ID] = e; return nil }); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	held := map[string]map[string]bool{}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".pdf") || strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		codes, err := scan.PDF(data)
		if err != nil || len(codes) == 0 {
			t.Fatalf("%s: no code read (%v)", e.Name(), err)
		}
		for _, code := range codes {
			s, err := credential.Decode(code.Text)
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			c, err := s.Claims()
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			id := c.IDString()
			if ent, ok := reg[id]; !ok || ent.Text != code.Text {
				t.Fatalf("%s holds credential %s of %s, which the register does not hold (%d credentials registered)",
					e.Name(), id, c.Body.Person.StaffNumber, len(reg))
			}
			staff := c.Body.Person.StaffNumber
			if held[staff] == nil {
				held[staff] = map[string]bool{}
			}
			held[staff][id] = true
		}
	}
	return held
}

// checkEveryoneOnce: after the batch finished, each person has exactly
// one credential in the register, issued, and the PDFs hold that one.
func checkEveryoneOnce(t *testing.T, out string, n int, held map[string]map[string]bool, combined bool) {
	t.Helper()
	r, err := OpenRegister(filepath.Join(out, "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	creds := map[string][]RegisterEntry{}
	if err := r.List(ListFilter{}, func(e RegisterEntry) error {
		creds[e.StaffNumber] = append(creds[e.StaffNumber], e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		staff := "TEST" + fmt.Sprintf("%06d", i)
		es := creds[staff]
		if len(es) != 1 || es[0].Status != StatusIssued {
			t.Fatalf("%s holds %d credentials in the register (%+v), want one issued", staff, len(es), es)
		}
		if len(held[staff]) != 1 || !held[staff][es[0].ID] {
			t.Fatalf("%s: the PDFs hold %v, the register %s", staff, held[staff], es[0].ID)
		}
		if combined && (es[0].Combined == "" || es[0].Page == 0) {
			t.Fatalf("%s is on no page of a combined PDF: %+v", staff, es[0])
		}
	}
	if len(creds) != n {
		t.Fatalf("the register holds %d people, want %d", len(creds), n)
	}
	if ents, _ := os.ReadDir(out); len(ents) > 0 {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tmpPrefix) {
				t.Fatalf("temporary file %s left after the batch finished", e.Name())
			}
		}
	}
}
