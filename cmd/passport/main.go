// Command passport issues and verifies paper staff passports offline.
//
// See README.md for the commands, docs/format.md for the wire format.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes (README documents them; tools rely on them).
const (
	exitValid      = 0 // all credentials valid (or the command succeeded)
	exitInvalid    = 1 // some credential invalid, or some row/page failed
	exitUnreadable = 2 // nothing readable found in some input
	exitUsage      = 3 // usage, configuration or I/O error
	exitPolicy     = 4 // every credential genuine, but some does not meet the site policy
)

// cliError is an error with the exit code and a hint for the user.
type cliError struct {
	code int
	msg  string
	hint string
}

func (e *cliError) Error() string { return e.msg }

func usageErr(hint, format string, a ...any) error {
	return &cliError{code: exitUsage, msg: fmt.Sprintf(format, a...), hint: hint}
}

// exitCode is returned by commands that finished but must exit non-zero
// without printing an error line (their output already says why).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// env is what a command may touch: streams and environment, injectable for tests.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	summary string
	run     func(e *env, args []string) error
}

// commands maps "group sub" or "name" to a command; each group lives in its own file.
var commands = map[string]command{}

func register(name, summary string, run func(e *env, args []string) error) {
	commands[name] = command{summary, run}
}

func main() {
	os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:]))
}

func run(e *env, args []string) int {
	if len(args) == 0 {
		// No command is a usage error: the list goes to stderr, so a
		// script that captures stdout does not take it for output.
		usage(e.stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		return 0
	}
	if args[0] == "--version" || args[0] == "version" {
		if err := refuseArgs("version", args[1:], ""); err != nil {
			return report(e, err)
		}
		printVersion(e.stdout)
		return 0
	}
	name, rest := args[0], args[1:]
	cmd, ok := commands[name]
	if !ok && len(rest) > 0 {
		name, rest = args[0]+" "+args[1], args[2:]
		cmd, ok = commands[name]
	}
	if !ok {
		fmt.Fprintf(e.stderr, "passport: error: unknown command %q\n", strings.Join(args[:min(2, len(args))], " "))
		fmt.Fprintln(e.stderr, "passport: hint: run 'passport --help' for the list of commands")
		return exitUsage
	}
	err := cmd.run(e, rest)
	return report(e, err)
}

func report(e *env, err error) int {
	if err == nil {
		return 0
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ce *cliError
	if errors.As(err, &ce) {
		fmt.Fprintf(e.stderr, "passport: error: %s\n", ce.msg)
		if ce.hint != "" {
			fmt.Fprintf(e.stderr, "passport: hint: %s\n", ce.hint)
		}
		return ce.code
	}
	fmt.Fprintf(e.stderr, "passport: error: %v\n", err)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `passport issues and verifies paper staff passports, offline.

Usage:
  passport COMMAND [options] [arguments]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "version", "print the version, target and the module versions linked in")
	fmt.Fprint(w, `
Run 'passport COMMAND --help' for a command's options.

Examples:
  passport keys new --org RHQ --name "Sheffield Teaching Hospitals" --dir keys/
  passport trust add --db site.db keys/issuer.crt
  passport issue --key keys/ --in staff.csv --out out/
  passport verify --db site.db out/*.pdf scan.png
  passport verify --db site.db -          (one credential text per line, as a USB scanner types)

Exit codes: 0 all valid · 1 some credential invalid · 2 nothing readable found in some input ·
3 usage, configuration or I/O error · 4 genuine but not meeting the site policy (--policy).
Passphrases come from PASSPORT_PASSPHRASE or a prompt, never from a flag.
`)
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(e *env, name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: passport %s %s\n\n%s\n\nOptions:\n", name, args, about)
		printOptions(e.stderr, fs)
	}
	return fs
}

// printOptions lists a command's flags in the --flag form README uses (Go's
// flag package accepts both; PrintDefaults shows only -flag).
func printOptions(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch {
		case f.DefValue == "" || f.DefValue == "false" || f.DefValue == "0" || f.DefValue == "0s":
		case kind == "string":
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		default:
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// parse parses flags anywhere among the arguments (Go's flag package stops
// at the first positional one, but people type "verify file --json").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &cliError{code: exitUsage, msg: err.Error(), hint: "run with --help for the options"}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// refuseArgs refuses arguments a command does not use: a stray word (such
// as a file name after a flag that takes none) would otherwise be
// silently ignored and the user left believing it did something. Every
// command that takes only options goes through it (or parseOptions), so
// the refusal reads the same everywhere: exit 3, an error and a hint.
func refuseArgs(cmd string, pos []string, hint string) error {
	if len(pos) == 0 {
		return nil
	}
	if hint == "" {
		hint = "run 'passport " + cmd + " --help' for its options"
	}
	return usageErr(hint, "passport %s takes no arguments besides its options, but was given %q", cmd, strings.Join(pos, " "))
}

// parseOptions parses the flags of a command that takes no positional
// arguments and refuses any (see refuseArgs; hint may be "").
func parseOptions(fs *flag.FlagSet, args []string, hint string) error {
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	return refuseArgs(fs.Name(), pos, hint)
}
