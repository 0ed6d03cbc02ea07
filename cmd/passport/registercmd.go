package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passport/credential"
	"passport/issue"
)

func init() {
	register("register list", "list credentials in the issuer register (by staff number or batch)", registerList)
	register("register show", "show one credential, or everything a staff number holds", registerShow)
	register("register revoke", "mark a credential revoked in the issuer register", registerRevoke)
	register("register export-revoked", "write the revoked credential ids for 'passport authority bundle --revoked'", registerExport)
	register("register forget", "remove personal data the register no longer needs (signed texts, expired credentials)", registerForget)
}

// registerFlags adds --register and --out (OUT/register.db) and opens it.
func openRegisterFlag(reg, out string) (*issue.Register, error) {
	if reg == "" && out != "" {
		reg = filepath.Join(out, "register.db")
	}
	if reg == "" {
		return nil, usageErr("e.g. --register out/register.db", "--register FILE (or --out DIR) is required")
	}
	if _, err := os.Stat(reg); err != nil {
		return nil, usageErr("'passport issue' creates it in its --out directory", "no register at %s", reg)
	}
	return issue.OpenRegister(reg)
}

func printEntry(w io.Writer, en issue.RegisterEntry) {
	status := en.Status
	if !en.RevokedAt.IsZero() {
		status = "REVOKED " + en.RevokedAt.Format("02 Jan 2006")
		if en.RevokedCode == issue.ReasonSuperseded {
			status = "SUPERSEDED " + en.RevokedAt.Format("02 Jan 2006")
		}
	}
	file := en.File
	if file == "" && en.Combined != "" {
		file = fmt.Sprintf("%s page %d", en.Combined, en.Page)
	}
	fmt.Fprintf(w, "%s  %-12s %-28s issued %s  expires %s  %-10s %s\n", en.ID, safe(en.StaffNumber), safe(en.Name),
		en.IssuedAt.Format("02 Jan 2006"), en.Expires.Format("02 Jan 2006"), status, safe(file))
}

func registerList(e *env, args []string) error {
	fs := newFlags(e, "register list", "--register FILE [--staff NUMBER] [--batch ID] [--revoked]", "Lists credentials, newest first.")
	reg := fs.String("register", "", "issuer register file")
	out := fs.String("out", "", "issue output directory (uses OUT/register.db)")
	staff := fs.String("staff", "", "only this staff number")
	batch := fs.String("batch", "", "only this batch")
	revoked := fs.Bool("revoked", false, "only revoked credentials")
	limit := fs.Int("limit", 0, "at most this many (0: all)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := refuseArgs("register list", pos, "choose credentials with --staff, --batch or --revoked"); err != nil {
		return err
	}
	r, err := openRegisterFlag(*reg, *out)
	if err != nil {
		return err
	}
	defer r.Close()
	n := 0
	err = r.List(issue.ListFilter{StaffNumber: *staff, BatchID: *batch, RevokedOnly: *revoked, Limit: *limit}, func(en issue.RegisterEntry) error {
		printEntry(e.stdout, en)
		n++
		return nil
	})
	if err != nil {
		return usageErr("", "register: %v", err)
	}
	fmt.Fprintf(e.stdout, "%d credentials\n", n)
	return nil
}

func registerShow(e *env, args []string) error {
	fs := newFlags(e, "register show", "--register FILE ID|STAFF_NUMBER", "Shows a credential by id, or every credential of a staff number.")
	reg := fs.String("register", "", "issuer register file")
	out := fs.String("out", "", "issue output directory (uses OUT/register.db)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("e.g. passport register show --register out/register.db TEST1001", "give one credential id or staff number")
	}
	r, err := openRegisterFlag(*reg, *out)
	if err != nil {
		return err
	}
	defer r.Close()
	if en, err := r.Get(pos[0]); err == nil {
		fmt.Fprintf(e.stdout, "credential  %s\nstaff       %s\nname        %s\nissued      %s\nexpires     %s\nkey id      %s\nbatch       %s (row %d)\nfile        %s\ncombined    %s (page %d)\nstatus      %s\n",
			en.ID, safe(en.StaffNumber), safe(en.Name), en.IssuedAt.Format("02 Jan 2006 15:04 MST"), en.Expires.Format("02 Jan 2006"),
			en.KID, en.BatchID, en.Row, safe(en.File), safe(en.Combined), en.Page, en.Status)
		if !en.RevokedAt.IsZero() {
			fmt.Fprintf(e.stdout, "revoked     %s: %s %s\n", en.RevokedAt.Format("02 Jan 2006 15:04 MST"), en.RevokedCode, safe(en.RevokedReason))
		}
		return nil
	}
	n := 0
	err = r.List(issue.ListFilter{StaffNumber: pos[0]}, func(en issue.RegisterEntry) error {
		printEntry(e.stdout, en)
		n++
		return nil
	})
	if err != nil {
		return usageErr("", "register: %v", err)
	}
	if n == 0 {
		return usageErr("list them with 'passport register list'", "no credential or staff number %q in the register", pos[0])
	}
	return nil
}

func registerRevoke(e *env, args []string) error {
	fs := newFlags(e, "register revoke", "--register FILE --reason CODE [--note TEXT] ID...",
		"Marks credentials revoked from now. Then run 'passport register export-revoked' and give the file to the trust authority.\n"+
			"(Issuing a staff number again marks its earlier passport superseded by itself.)")
	reg := fs.String("register", "", "issuer register file")
	out := fs.String("out", "", "issue output directory (uses OUT/register.db)")
	reason := fs.String("reason", "", "why, one of "+revocationCodes()+" (required); verify shows it")
	note := fs.String("note", "", "a note in words for the register (not exported)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || strings.TrimSpace(*reason) == "" {
		return usageErr("e.g. passport register revoke --register out/register.db --reason lost 3f2a...", "give --reason (%s) and at least one credential id", revocationCodes())
	}
	r, err := openRegisterFlag(*reg, *out)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, id := range pos {
		if err := r.Revoke(id, *reason, *note, time.Now()); err != nil {
			return usageErr("find the id with 'passport register show STAFF_NUMBER'", "%v", err)
		}
		fmt.Fprintf(e.stdout, "revoked %s\n", strings.ToLower(id))
	}
	return nil
}

func registerExport(e *env, args []string) error {
	fs := newFlags(e, "register export-revoked", "--register FILE [--to FILE]",
		"Writes one revoked credential per line: id (lower-case hex), reason code, time it applies from (RFC 3339).")
	reg := fs.String("register", "", "issuer register file")
	out := fs.String("out", "", "issue output directory (uses OUT/register.db)")
	to := fs.String("to", "", "output file (default: standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := refuseArgs("register export-revoked", pos, "name the output file with --to FILE"); err != nil {
		return err
	}
	r, err := openRegisterFlag(*reg, *out)
	if err != nil {
		return err
	}
	defer r.Close()
	w := e.stdout
	var f *os.File
	if *to != "" {
		if f, err = os.Create(*to); err != nil {
			return usageErr("", "cannot write %s: %v", *to, err)
		}
		w = f
	}
	n, err := r.ExportRevoked(w)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return usageErr("", "export: %v", err)
	}
	if f != nil {
		fmt.Fprintf(e.stdout, "%d revoked credential ids written to %s\n", n, *to)
	}
	return nil
}

func revocationCodes() string {
	var codes []string
	for _, d := range credential.RevocationReasonDefs() {
		codes = append(codes, d.Code)
	}
	return strings.Join(codes, ", ")
}

func registerForget(e *env, args []string) error {
	fs := newFlags(e, "register forget", "--register FILE [--expired-before DATE]",
		"Clears the signed text (date of birth, checks, training) of every credential in a finished batch: it is\n"+
			"kept only so 'issue --resume' can reprint an interrupted batch. Ids, staff numbers, names and dates stay,\n"+
			"so passports can still be found and revoked. With --expired-before, credentials that expired before\n"+
			"DATE are deleted whole. Deleted data is overwritten on disk.")
	reg := fs.String("register", "", "issuer register file")
	out := fs.String("out", "", "issue output directory (uses OUT/register.db)")
	before := fs.String("expired-before", "", "also delete credentials that expired before this date (YYYY-MM-DD, not in the future)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := refuseArgs("register forget", pos, "give the register with --register FILE"); err != nil {
		return err
	}
	var cutoff time.Time
	if *before != "" {
		if cutoff, err = parseTime(*before); err != nil {
			return usageErr("e.g. --expired-before 2027-01-01", "--expired-before %q is not a date", *before)
		}
	}
	r, err := openRegisterFlag(*reg, *out)
	if err != nil {
		return err
	}
	defer r.Close()
	rep, err := r.Forget(context.Background(), cutoff, time.Now())
	if err != nil {
		return usageErr("give a date in the past, or leave --expired-before out", "%v", err)
	}
	fmt.Fprintf(e.stdout, "cleared the signed text of %d credentials in finished batches\n", rep.TextsCleared)
	if rep.Deleted > 0 || *before != "" {
		fmt.Fprintf(e.stdout, "deleted %d credentials that expired before %s\n", rep.Deleted, cutoff.Format("02 Jan 2006"))
	}
	if rep.TextsKept > 0 {
		fmt.Fprintf(e.stdout, "kept the text of %d credentials in an unfinished batch: finish it with 'passport issue --resume', then run this again\n", rep.TextsKept)
	}
	return nil
}
