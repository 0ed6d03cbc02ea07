package main

import (
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
			"exits": exits,
			// blankpng FILE: writes a white 400x300 PNG, an image with no code.
			"blankpng": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: blankpng FILE")
				}
				img := image.NewGray(image.Rect(0, 0, 400, 300))
				for i := range img.Pix {
					img.Pix[i] = 0xff
				}
				f, err := os.Create(ts.MkAbs(args[0]))
				ts.Check(err)
				ts.Check(errors.Join(png.Encode(f, img), f.Close()))
			},
			"httpserve": httpServe, "freeport": freePort, "waithttp": waitHTTP, // sync_script_test.go
			// tamper FILE OUT sig|payload: flips one bit of the COSE message of the
			// first credential text in FILE, as an outside tamper check would.
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

// exits N COMMAND [ARGS...] runs COMMAND (such as passport, the test binary
// re-run as the CLI, as exec does) and fails unless it exits with exactly
// code N; stdout and stderr are kept for the stdout/stderr commands after
// it. testscript's "! exec" only checks "non-zero", and scripts and tools
// rely on each code's meaning (README: exit codes).
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exits does not take '!': give the expected exit code")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 || want > 255 {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %s did not run: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}
