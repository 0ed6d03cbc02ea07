package main

import (
	"fmt"
	"os"
	"time"

	"passport/issue"
	"passport/layout"
)

func init() {
	register("issue", "sign staff records from an HR CSV and print one PDF passport each", issueCmd)
}

// maxErrorsShown caps row errors printed; the rest are counted.
const maxErrorsShown = 50

func issueCmd(e *env, args []string) error {
	fs := newFlags(e, "issue", "--key DIR --in FILE.csv --out DIR",
		"Validates every row, signs one credential per valid row and writes one PDF per person.\n"+
			"Bad rows are reported (row, column, reason) and skipped; the exit code is 1 if any failed.")
	keyDir := fs.String("key", "", "issuer key directory written by 'passport keys new' (required)")
	in := fs.String("in", "", "staff records, CSV with a header row (README lists the columns) (required)")
	out := fs.String("out", "", "directory for the PDFs (required)")
	validFor := fs.Duration("valid-for", issue.DefaultValidity, "how long each passport is valid, e.g. 8760h (a year)")
	ecc := fs.String("ecc", "M", "QR error-correction level: L, M, Q or H")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *keyDir == "" || *in == "" || *out == "" {
		return usageErr("example: passport issue --key keys/ --in staff.csv --out out/", "--key, --in and --out are required")
	}
	if *validFor <= 0 || *validFor > 10*365*24*time.Hour {
		return usageErr("use a duration such as 8760h (one year)", "--valid-for %v is out of range (up to 10 years)", *validFor)
	}
	iss, err := loadIssuer(e, *keyDir)
	if err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return usageErr("", "cannot read the staff records: %v", err)
	}
	defer f.Close()
	src, err := issue.NewCSVReader(f)
	if err != nil {
		return usageErr("README lists the CSV columns", "%s: %v", *in, err)
	}
	start := time.Now()
	sum, err := issue.Run(src, issue.Options{Issuer: iss, OutDir: *out, ValidFor: *validFor, Layout: layout.Options{ECC: *ecc}})
	for i, re := range sum.Errors {
		if i == maxErrorsShown {
			fmt.Fprintf(e.stderr, "passport: ... and %d more row errors\n", len(sum.Errors)-maxErrorsShown)
			break
		}
		fmt.Fprintf(e.stderr, "passport: error: %s: %s\n", *in, safe(re.Error()))
	}
	for _, it := range sum.Issued {
		fmt.Fprintf(e.stdout, "issued %-10s %s  %s  (%d chars, QR version %d)\n", safe(it.StaffNumber), it.CredentialID, it.File, it.TextLen, it.QRVersion)
	}
	fmt.Fprintf(e.stdout, "%d passports issued, %d rows failed, in %.1fs\n", len(sum.Issued), len(rowsWithErrors(sum)), time.Since(start).Seconds())
	if err != nil {
		return usageErr("", "%v", err)
	}
	if len(sum.Errors) > 0 {
		fmt.Fprintln(e.stderr, "passport: hint: fix the rows above and issue them again; the other rows were issued")
		return exitCode(exitInvalid)
	}
	return nil
}

func rowsWithErrors(s issue.Summary) map[int]bool {
	rows := map[int]bool{}
	for _, e := range s.Errors {
		rows[e.Row] = true
	}
	return rows
}
