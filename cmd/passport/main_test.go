package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"passport/credential"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"passport": func() {
			os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:]))
		},
	})
}

// TestScripts runs the CLI behaviour scripts in testdata/script: real
// binaries, real files, real SQLite databases, real PDF renders.
func TestScripts(t *testing.T) {
	root, _ := filepath.Abs("../..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("PASSPORT_PASSPHRASE", "test-only-passphrase")
			e.Setenv("FIXTURES", filepath.Join(root, "fixtures"))
			// Dates relative to the run, so scripts do not go stale.
			e.Setenv("RECENT", time.Now().AddDate(0, -1, 0).Format("2006-01-02"))
			e.Setenv("SOON", time.Now().AddDate(0, 1, 0).Format("2006-01-02"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "pdftoppm" {
				_, err := exec.LookPath("pdftoppm")
				return err == nil, nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"httpserve": httpServe, "freeport": freePort, "waithttp": waitHTTP, // sync_script_test.go
			// tamper FILE OUT sig|payload: flips one bit of the COSE message of the
			// first credential text in FILE (as ../shared/contract/pp.py does).
			"tamper": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: tamper IN OUT sig|payload")
				}
				text := strings.TrimSpace(strings.SplitN(ts.ReadFile(args[0]), "\n", 2)[0])
				s, err := credential.Decode(text)
				ts.Check(err)
				msg := append([]byte{}, s.COSE...)
				pos := len(msg) - 1
				if args[2] == "payload" {
					pos = len(msg) - 80
				}
				msg[pos] ^= 1
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(credential.Encode(msg)+"\n"), 0o644))
			},
		},
	})
}
