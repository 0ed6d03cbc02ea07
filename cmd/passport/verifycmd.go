package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"passport/policy"
	"passport/read"
	"passport/verify"
	"passport/verify/scan"
)

func init() {
	register("verify", "check passports in images, PDFs or text against the trust list", verifyCmd)
	register("scan", "only read barcodes and print their text (verifies nothing)", scanCmd)
}

// maxStdin caps text read from standard input (a USB scanner session).
const maxStdin = 16 << 20

func readInput(e *env, name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxStdin+1))
		if err == nil && len(b) > maxStdin {
			err = fmt.Errorf("standard input is over %d MB", maxStdin>>20)
		}
		return b, err
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory: give the files in it (e.g. %s/*.pdf)", name, strings.TrimRight(name, "/"))
	}
	if st.Size() > read.MaxInputBytes {
		return nil, fmt.Errorf("%s is %d MB, larger than any passport scan", name, st.Size()>>20)
	}
	return os.ReadFile(name)
}

func verifyCmd(e *env, args []string) error {
	fs := newFlags(e, "verify", "--db FILE [--json] INPUT...",
		"Reads every barcode in each input (PNG, JPEG, GIF, PDF; a text file or - for one credential\n"+
			"text per line) and checks it against the site's trust list. Never uses the network.")
	dbPath := fs.String("db", "", "the site's trust database (required)")
	asJSON := fs.Bool("json", false, "print one JSON object per credential (JSON Lines)")
	brief := fs.Bool("brief", false, "print one line per credential (a table)")
	nowFlag := fs.String("now", "", "verify as at this time (RFC 3339 or YYYY-MM-DD) instead of the clock")
	policyPath := fs.String("policy", "", "site acceptance policy (JSON) to check each valid passport against")
	policyName := fs.String("policy-name", "", "check each valid passport against the trust list's site policy NAME (see 'passport policy list')")
	decodeBudget := fs.Duration("decode-budget", defaultDecodeBudget, "longest time one image or PDF may spend in the barcode reader (e.g. 30s)")
	inputs, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usageErr("example: passport verify --db site.db scan.png, or - to read text from standard input", "no input given")
	}
	clock := time.Now
	if *nowFlag != "" {
		at, err := parseTime(*nowFlag)
		if err != nil {
			return usageErr("use e.g. 2026-03-01 or 2026-03-01T09:00:00Z", "--now: %v", err)
		}
		clock = func() time.Time { return at }
	}
	if *policyPath != "" && *policyName != "" {
		return usageErr("give one of them", "--policy and --policy-name cannot be used together")
	}
	var pol *policy.Policy
	if *policyPath != "" {
		// A broken policy file is reported before the database is opened.
		if pol, err = policy.Load(*policyPath); err != nil {
			return usageErr("check it with 'passport policy check "+*policyPath+"'", "%v", err)
		}
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *policyName != "" {
		if pol, err = bundlePolicy(db, *policyName); err != nil {
			return err
		}
	}
	opts := []verify.Option{verify.WithClock(clock)}
	if *nowFlag == "" {
		// On the system clock, a clock behind what this site has already
		// seen (a bundle's issue time, a logged check) decides nothing.
		opts = append(opts, verify.WithTimeFloor(db.TimeFloor))
	}
	verifier, err := verify.NewVerifier(db, opts...)
	if err != nil {
		return err
	}
	reader, err := read.New(verifier, read.WithDecodeBudget(*decodeBudget, 0))
	if err != nil {
		return usageErr("e.g. --decode-budget 30s", "--decode-budget: %v", err)
	}
	policyFailed := false
	printer := newPrinter(e.stdout, *asJSON, *brief)
	ioFailed := false
	for _, in := range inputs {
		data, err := readInput(e, in)
		if err != nil {
			ioFailed = true
			reportInputError(e, in, err)
			continue
		}
		for _, r := range reader.Verify(context.Background(), in, data) {
			v := policy.Apply(pol, r)
			policyFailed = policyFailed || v.Policy != nil && v.Policy.Status == policy.NotMet
			printer.print(v)
		}
	}
	printer.done()
	code := exitFor(printer.counts)
	if code == exitValid && policyFailed {
		code = exitPolicy
	}
	if ioFailed {
		// An input that could not be opened is the command line's fault,
		// not a scan's: the others were still checked and printed, but the
		// run did not check everything it was asked to.
		code = exitUsage
	}
	return exitCode(code)
}

// exitFor maps the verdicts of a run to the exit code: any invalid
// credential gives 1; otherwise any unreadable input gives 2; else 0.
func exitFor(counts map[verify.Status]int) int {
	switch {
	case counts[verify.StatusInvalid] > 0:
		return exitInvalid
	case counts[verify.StatusUnreadable] > 0:
		return exitUnreadable
	}
	return exitValid
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

func scanCmd(e *env, args []string) error {
	fs := newFlags(e, "scan", "[--json] INPUT...", "Prints the text of every barcode found in each image or PDF. Verifies nothing.")
	asJSON := fs.Bool("json", false, "print JSON Lines with input, text, format")
	decodeBudget := fs.Duration("decode-budget", defaultDecodeBudget, "longest time one image or PDF may spend in the barcode reader (e.g. 30s)")
	inputs, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usageErr("example: passport scan page.png", "no input given")
	}
	code := exitValid
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	ioFailed := false
	for _, in := range inputs {
		data, err := readInput(e, in)
		if err != nil {
			ioFailed = true
			reportInputError(e, in, err)
			continue
		}
		found, err := scan.ReadContext(context.Background(), data, scan.Options{Budget: *decodeBudget})
		if len(found) == 0 {
			if err == nil {
				err = scan.ErrNoBarcode
			}
			fmt.Fprintf(e.stderr, "passport: %s: %v\n", in, err)
			code = exitUnreadable
			continue
		}
		for _, c := range found {
			if *asJSON {
				enc.Encode(map[string]any{"input": in, "text": c.Text, "format": c.Format, "page": c.Page})
			} else {
				fmt.Fprintln(e.stdout, safe(c.Text))
			}
		}
	}
	if ioFailed {
		code = exitUsage
	}
	return exitCode(code)
}

// reportInputError says on stderr that an input file could not be opened
// or read (exit 3 at the end of the run): a missing file is an I/O error,
// unlike a file that opens but holds nothing readable (exit 2).
func reportInputError(e *env, name string, err error) {
	fmt.Fprintf(e.stderr, "passport: error: %s: %v\n", safe(name), err)
	fmt.Fprintln(e.stderr, "passport: hint: check the file name and that this user may read it")
}

// safe makes text from a credential or input safe to print on a terminal:
// control characters and bidirectional overrides (which could make a name
// or a verdict read differently) are shown as U+FFFD.
func safe(s string) string {
	return verify.Printable(s)
}

// defaultDecodeBudget bounds the barcode reading of one file given to
// verify or scan. A genuine page reads in under a second; a hard phone
// photo on a busy PC in a few; past this the file is reported unreadable
// ("gave up after N ms") instead of holding the desk's command for minutes.
const defaultDecodeBudget = 30 * time.Second
