package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"passport/sitedb"
	"passport/station"
	"passport/trust"
	"passport/trustsync"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func trustInit(e *env, args []string) error {
	fs := newFlags(e, "trust init", "--db FILE --anchor AUTHORITY.pub [--anchor ...]",
		"Pins trust-authority public keys: only bundles they sign are imported. Give --anchor more\n"+
			"than once, or run again on the same --db, to pin a new authority key during rollover.\n\n"+
			"Example:\n  passport trust init --db site.db --anchor auth/authority.pub")
	dbPath := fs.String("db", "", "the site's trust database (created if missing)")
	var anchors stringList
	fs.Var(&anchors, "anchor", "authority.pub file to pin (repeatable)")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	if len(anchors) == 0 {
		return usageErr("example: passport trust init --db site.db --anchor auth/authority.pub", "no --anchor given")
	}
	type pinned struct {
		file string
		pub  any
	}
	var pubs []pinned
	for _, a := range anchors {
		data, err := os.ReadFile(a)
		if err != nil {
			return usageErr("", "cannot read %s: %v", a, err)
		}
		pub, err := trust.ParseAuthorityPublicKey(data)
		if err != nil {
			return usageErr("give the authority.pub file from 'passport authority new'", "%s: %v", a, err)
		}
		pubs = append(pubs, pinned{a, pub})
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, p := range pubs {
		kid, err := db.AddAnchor(p.pub, p.file)
		if err != nil {
			return usageErr("", "%s: %v", p.file, err)
		}
		fmt.Fprintf(e.stdout, "pinned authority %x (%s)\n", kid, p.file)
	}
	return nil
}

func trustImport(e *env, args []string) error {
	fs := newFlags(e, "trust import", "--db FILE [--force] [--timestamp FILE] BUNDLE",
		"Verifies a trust-list bundle against the pinned authority keys and makes it the list in\n"+
			"force, in one transaction (an interrupted import leaves the previous list whole). Refuses\n"+
			"an unpinned signer, a bad signature, malformed entries, an expired bundle, and a version\n"+
			"not newer than the one in force (rollback) unless --force. When the bundle names a\n"+
			"timestamp key, the freshness statement beside it (timestamp.cose, or --timestamp) is\n"+
			"recorded too; one not signed by that key or not for this bundle refuses the import.\n\n"+
			"Example:\n  passport trust import --db site.db trust-3.bundle")
	dbPath := fs.String("db", "", "the site's trust database (made by trust init)")
	force := fs.Bool("force", false, "accept an older or equal version (undo a bad bundle; weakens rollback protection)")
	stmtFlag := fs.String("timestamp", "", "freshness statement to record with the bundle (default: timestamp.cose beside it, if any)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErr("example: passport trust import --db site.db trust-3.bundle", "give exactly one bundle file")
	}
	st, err := os.Stat(files[0])
	if err != nil {
		return usageErr("", "cannot read %s: %v", files[0], err)
	}
	if st.Size() > trust.MaxBundleBytes {
		return refused(fmt.Sprintf("a bundle is at most %d MB: is this the right file?", trust.MaxBundleBytes>>20), "%s is %d bytes, over the bundle limit", files[0], st.Size())
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return usageErr("", "cannot read %s: %v", files[0], err)
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	stmtPath := *stmtFlag
	if stmtPath == "" {
		beside := filepath.Join(filepath.Dir(files[0]), trustsync.StatementFileName)
		if _, err := os.Stat(beside); err == nil {
			stmtPath = beside
		}
	}
	var stmt []byte
	if stmtPath != "" {
		if stmt, err = checkStatementFor(data, stmtPath, *stmtFlag != ""); err != nil {
			return err
		}
	}
	rep, err := db.ImportBundle(data, sitedb.ImportOptions{ForceRollback: *force})
	if err != nil {
		return importError(files[0], err)
	}
	if stmt != nil {
		srep, err := db.RecordStatement(stmt, time.Time{})
		if err != nil {
			return importError(stmtPath, fmt.Errorf("the bundle was imported, but its statement was not recorded: %w", err))
		}
		fmt.Fprintf(e.stdout, "recorded freshness statement %s: version %d is the newest until %s\n", stmtPath, srep.Statement.Version, srep.Statement.Expires.Format("02 Jan 2006 15:04 UTC"))
	}
	b := rep.Bundle
	fmt.Fprintf(e.stdout, "imported trust list version %d (was %d), issued %s, expires %s: %d issuer keys, %d revoked credentials; signed by authority %x\n",
		b.Version, rep.PrevVersion, b.Issued.Format("02 Jan 2006"), b.Expires.Format("02 Jan 2006"), len(b.Issuers), len(b.Revoked)+len(b.Revocations), rep.AnchorKID)
	if *force && b.Version <= rep.PrevVersion {
		fmt.Fprintf(e.stderr, "passport: warning: --force: version %d replaced the newer version %d\n", b.Version, rep.PrevVersion)
	}
	return nil
}

// checkStatementFor reads the statement at path and checks it against the
// bundle about to be imported (signed by the timestamp key the bundle
// names, for exactly this bundle, not expired) before anything is written,
// so a bad statement refuses the whole import. A statement found beside a
// bundle that names no timestamp key is left alone (nil); given by name it
// is refused.
func checkStatementFor(bundle []byte, path string, named bool) ([]byte, error) {
	data, err := trust.ReadFileLimited(path, trust.MaxStatementBytes)
	if err != nil {
		return nil, refused("a statement is at most 1 KiB: give the timestamp.cose that 'passport authority timestamp' wrote", "%s: %v", path, err)
	}
	sb, err := trust.ParseSignedBundle(bundle)
	if err != nil {
		return nil, importError(path, err)
	}
	b, err := sb.UnverifiedBundle() // the import checks the signature before anything is written
	if err != nil {
		return nil, importError(path, err)
	}
	if b.TimestampKey == nil {
		if named {
			return nil, refused("import without --timestamp: this bundle does not use freshness statements", "%s: bundle version %d names no timestamp key", path, b.Version)
		}
		return nil, nil
	}
	ss, err := trust.ParseSignedStatement(data)
	if err != nil {
		return nil, importError(path, err)
	}
	st, err := ss.Verify(b.TimestampKey)
	if err != nil {
		return nil, importError(path, err)
	}
	switch {
	case !st.Covers(b.Version, bundle):
		return nil, refused("give the statement published with this bundle", "%s: it covers version %d, not this bundle (version %d)", path, st.Version, b.Version)
	case !time.Now().Before(st.Expires):
		return nil, refused("get a fresh statement from the published folder, or import without it (the bundle alone is confirmed for its fresh-for)", "%s: it expired at %s", path, st.Expires.Format(time.RFC3339))
	}
	return data, nil
}

// refused is a refused import: exit 1, the previous list unchanged.
func refused(hint, format string, a ...any) error {
	return &cliError{code: exitInvalid, msg: "import refused, the previous trust list is unchanged: " + fmt.Sprintf(format, a...), hint: hint}
}

func importError(file string, err error) error {
	switch {
	case errors.Is(err, sitedb.ErrNoAnchor):
		return refused("pin the authority first: passport trust init --db FILE --anchor authority.pub", "%v", err)
	case errors.Is(err, sitedb.ErrNotPinned):
		return refused("only bundles from a pinned authority are accepted; if the authority changed its key, pin the new authority.pub with trust init", "%s: %v", file, err)
	case errors.Is(err, trust.ErrBundleSignature):
		return refused("the file was altered or is not from your authority: get a fresh copy", "%s: %v", file, err)
	case errors.Is(err, sitedb.ErrRollback):
		return refused("import the latest bundle; --force accepts an older one only on the authority's instruction", "%s: %v", file, err)
	case errors.Is(err, sitedb.ErrBundleExpired):
		return refused("ask the authority for the current bundle (or check this computer's clock)", "%s: %v", file, err)
	case errors.Is(err, sitedb.ErrBundleFuture):
		return refused("check this computer's clock and date; if they are right, ask the authority why its bundle is dated ahead", "%s: %v", file, err)
	case errors.Is(err, trust.ErrBundleMalformed):
		return refused("give a .bundle file written by 'passport authority bundle'; report a damaged one to the authority", "%s: %v", file, err)
	case errors.Is(err, trust.ErrStatement):
		return refused("the freshness statement was altered or not signed by the timestamp key the bundle names: get a fresh copy", "%s: %v", file, err)
	case errors.Is(err, sitedb.ErrStatementRefused):
		return refused("get the current timestamp.cose from the published folder; an expired one means the publishing host's scheduler stopped", "%s: %v", file, err)
	case errors.Is(err, sitedb.ErrKidConflict):
		return refused("remove the conflicting directly trusted certificate or ask the authority", "%s: %v", file, err)
	}
	return usageErr("", "%s: %v", file, err)
}

func trustStatus(e *env, args []string) error {
	fs := newFlags(e, "trust status", "--db FILE [--json] [--now T]",
		"Says in one line whether the site's trust list is current: state current, unconfirmed\n"+
			"(not expired, but no signed statement says it is still the newest: a revocation may be\n"+
			"missing) or expired. Exit 0 current (or only direct trust), 1 unconfirmed or expired,\n"+
			"3 error.")
	dbPath := fs.String("db", "", "the site's trust database")
	nowFlag := fs.String("now", "", "check as at this time (RFC 3339 or YYYY-MM-DD) instead of the clock")
	asJSON := fs.Bool("json", false, "print JSON: version, issued, expires, confirmed_until, state")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	now := time.Now()
	if *nowFlag != "" {
		var err error
		if now, err = parseTime(*nowFlag); err != nil {
			return usageErr("use e.g. 2026-03-01", "--now: %v", err)
		}
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := db.Info()
	if err != nil {
		return err
	}
	state := info.StateAt(now)
	if *asJSON {
		out := map[string]any{"state": state, "version": info.Version, "issued": isoOrEmpty(info.Issued),
			"expires": isoOrEmpty(info.Expires), "confirmed_until": isoOrEmpty(info.ConfirmedUntil),
			"issuers": info.Issuers, "revoked_credentials": info.Revoked}
		if info.StatementVersion != 0 {
			out["statement_version"], out["statement_issued"] = info.StatementVersion, isoOrEmpty(info.StatementIssued)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		if state == trust.ListExpired || state == trust.ListUnconfirmed {
			return exitCode(exitInvalid)
		}
		return nil
	}
	switch state {
	case trust.ListNone:
		fmt.Fprintf(e.stdout, "no trust-list bundle imported: %d issuer keys trusted directly (no expiry to check)\n", info.Issuers)
		return nil
	case trust.ListExpired:
		fmt.Fprintf(e.stdout, "EXPIRED: trust list version %d expired on %s (%s ago): import the latest bundle\n",
			info.Version, info.Expires.Format("02 Jan 2006 15:04 UTC"), ago(now.Sub(info.Expires)))
		return exitCode(exitInvalid)
	case trust.ListUnconfirmed:
		newer := ""
		if info.StatementVersion > info.Version {
			newer = fmt.Sprintf("; version %d is published", info.StatementVersion)
		}
		fmt.Fprintf(e.stdout, "UNCONFIRMED: trust list version %d is not confirmed as the newest since %s (%s ago)%s: run 'passport trust sync' or import the latest bundle and timestamp.cose; a revocation may be missing\n",
			info.Version, info.ConfirmedUntil.Format("02 Jan 2006 15:04 UTC"), ago(now.Sub(info.ConfirmedUntil)), newer)
		return exitCode(exitInvalid)
	}
	confirmed := ""
	if info.Confirmable {
		confirmed = fmt.Sprintf(", confirmed as the newest until %s", info.ConfirmedUntil.Format("02 Jan 2006 15:04 UTC"))
	}
	if left := info.Expires.Sub(now); left < station.TrustExpiryWarning {
		// Still current (exit 0), but a site that waits for the expiry
		// spends a day on CHECK NEEDED: say so while there is time.
		fmt.Fprintf(e.stdout, "EXPIRES SOON: trust list version %d expires on %s (in %s): import or sync a newer bundle before then\n",
			info.Version, info.Expires.Format("02 Jan 2006 15:04 UTC"), ago(left))
	}
	fmt.Fprintf(e.stdout, "current: trust list version %d, issued %s, expires %s (in %s)%s; %d issuer keys, %d revoked credentials\n",
		info.Version, info.Issued.Format("02 Jan 2006"), info.Expires.Format("02 Jan 2006 15:04 UTC"), ago(info.Expires.Sub(now)), confirmed, info.Issuers, info.Revoked)
	return nil
}

// ago says a duration in days (or hours under two days; "less than an
// hour" rather than "0 hours").
func ago(d time.Duration) string {
	if d < time.Hour {
		return "less than an hour"
	}
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func init() {
	register("trust add", "trust issuer certificates directly (small set-ups)", trustAdd)
	register("trust list", "list the trusted issuers and the trust list's version", trustList)
	register("trust init", "pin trust-authority keys that sign trust-list bundles", trustInit)
	register("trust import", "import a signed trust-list bundle (atomic; refuses rollback)", trustImport)
	register("trust status", "say in one line whether the trust list is current", trustStatus)
}

func openDB(path string) (*sitedb.DB, error) {
	if path == "" {
		return nil, usageErr("give the site's trust database, e.g. --db site.db", "--db is required")
	}
	db, err := sitedb.Open(path)
	if err != nil {
		return nil, usageErr("--db must be a trust database made by passport (or a new file name)", "%v", err)
	}
	return db, nil
}

// openExistingDB refuses to create a new, empty store where one is expected
// to exist (verifying against an empty store only ever says issuer_unknown),
// and refuses a zero-byte or foreign file rather than turning it into one.
func openExistingDB(path string) (*sitedb.DB, error) {
	if path == "" {
		return nil, usageErr("give the site's trust database, e.g. --db site.db", "--db is required")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, usageErr("create it with 'passport trust add --db "+path+" CERT' or 'passport trust init'", "the trust database %s does not exist", path)
	}
	db, err := sitedb.OpenExisting(path)
	if err != nil {
		return nil, usageErr("--db must be a trust database made by 'passport trust add' or 'passport trust init'", "%v", err)
	}
	return db, nil
}

func trustAdd(e *env, args []string) error {
	fs := newFlags(e, "trust add", "--db FILE CERT...", "Trusts issuer certificates (PEM or DER) directly.")
	dbPath := fs.String("db", "", "the site's trust database (created if missing)")
	kindFlag := fs.String("kind", "", "what the key may sign: staff (staff passports) or dcc (EU DCCs); default: staff for a passport issuer certificate, dcc for any other certificate with a country")
	country := fs.String("country", "", "with --kind dcc: the two-letter country (ISO 3166-1) of the DCCs the key signs; default: the certificate's C")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErr("example: passport trust add --db site.db keys/issuer.crt", "no certificate given")
	}
	var kind trust.KeyKind
	if *kindFlag != "" {
		if kind, err = trust.ParseKind(*kindFlag); err != nil {
			return usageErr("use --kind staff or --kind dcc --country XX", "%v", err)
		}
	} else if *country != "" {
		return usageErr("add --kind dcc", "--country is only for --kind dcc")
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return usageErr("", "cannot read %s: %v", f, err)
		}
		certs, err := trust.ParseCertificates(data)
		if err != nil {
			return usageErr("give a PEM or DER X.509 certificate such as keys/issuer.crt", "%s: %v", f, err)
		}
		for _, c := range certs {
			cc := strings.ToUpper(*country)
			if kind == trust.KindDCC && cc == "" {
				_, cc, _ = trust.BindingOf(c)
			}
			k, err := db.AddCertificateAs(c, kind, cc)
			if err != nil {
				return usageErr("use --kind staff or --kind dcc --country XX to say what the key may sign", "%s: %v", f, err)
			}
			fmt.Fprintf(e.stdout, "trusted %s %s kid %x valid %s to %s, for %s\n", k.OrgCode, safe(k.OrgName), k.KID,
				k.ValidFrom.Format("02 Jan 2006"), k.ValidUntil.Format("02 Jan 2006"), kindLabel(k))
		}
	}
	return nil
}

type keyJSON struct {
	KID         string `json:"kid"`
	OrgCode     string `json:"org_code"`
	OrgName     string `json:"org_name"`
	ValidFrom   string `json:"valid_from,omitempty"`
	ValidUntil  string `json:"valid_until,omitempty"`
	Status      string `json:"status"`
	RevokedFrom string `json:"revoked_from,omitempty"`
	Source      string `json:"source"`
	Kind        string `json:"kind"`              // staff | dcc
	Country     string `json:"country,omitempty"` // dcc keys only
	Contact     string `json:"contact,omitempty"` // who to call, as the bundle gives it
	// DCCTypes: the DCC types ("v", "t", "r") a dcc key may sign, from its
	// certificate's key usage; absent for every type.
	DCCTypes string `json:"dcc_types,omitempty"`
}

// kindLabel says in words what a trusted key may sign.
func kindLabel(k *trust.TrustedKey) string {
	if k.KindOf() == trust.KindDCC {
		if len(k.DCCTypes) > 0 {
			return "EU DCCs of " + k.Country + ", " + trust.FormatDCCTypes(k.DCCTypes) + " only"
		}
		return "EU DCCs of " + k.Country
	}
	return "staff passports"
}

func isoOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func trustList(e *env, args []string) error {
	fs := newFlags(e, "trust list", "--db FILE [--json]", "Lists trusted issuer keys and the trust list's version and expiry.")
	dbPath := fs.String("db", "", "the site's trust database")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	ks, err := db.Keys()
	if err != nil {
		return err
	}
	info, err := db.Info()
	if err != nil {
		return err
	}
	anchors, err := db.Anchors()
	if err != nil {
		return err
	}
	pols, err := db.Policies()
	if err != nil {
		return err
	}
	policyNames := []string{}
	for _, p := range pols {
		policyNames = append(policyNames, p.Name)
	}
	anchorJSON := []map[string]string{}
	for _, a := range anchors {
		anchorJSON = append(anchorJSON, map[string]string{"kid": fmt.Sprintf("%x", a.KID), "name": a.Name, "added": isoOrEmpty(a.AddedAt)})
	}
	expired := info.Version > 0 && !time.Now().Before(info.Expires)
	out := []keyJSON{}
	for _, k := range ks {
		status := "trusted"
		if k.Revoked {
			status = "revoked"
			if !k.RevokedFrom.IsZero() {
				status = "revoked from " + k.RevokedFrom.Format("2006-01-02")
			}
		} else if !k.ValidUntil.IsZero() && time.Now().After(k.ValidUntil) {
			status = "expired"
		}
		out = append(out, keyJSON{KID: fmt.Sprintf("%x", k.KID), OrgCode: k.OrgCode, OrgName: k.OrgName,
			ValidFrom: isoOrEmpty(k.ValidFrom), ValidUntil: isoOrEmpty(k.ValidUntil), Status: status,
			RevokedFrom: isoOrEmpty(k.RevokedFrom), Source: k.Source, Kind: string(k.KindOf()), Country: k.Country, Contact: k.Contact,
			DCCTypes: trust.JoinDCCTypes(k.DCCTypes)})
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"version": info.Version, "issued": isoOrEmpty(info.Issued),
			"expires": isoOrEmpty(info.Expires), "expired": expired, "revoked_credentials": info.Revoked,
			"anchors": anchorJSON, "issuers": out, "policies": policyNames})
	}
	if info.Version > 0 {
		state := "current"
		if expired {
			state = "EXPIRED"
		}
		fmt.Fprintf(e.stdout, "trust list version %d, issued %s, expires %s (%s), %d revoked credentials\n",
			info.Version, info.Issued.Format("02 Jan 2006"), info.Expires.Format("02 Jan 2006"), state, info.Revoked)
	} else {
		fmt.Fprintln(e.stdout, "no trust-list bundle imported; issuers trusted directly only")
	}
	for _, a := range anchors {
		fmt.Fprintf(e.stdout, "pinned authority %x (%s)\n", a.KID, safe(a.Name))
	}
	if len(policyNames) > 0 {
		fmt.Fprintf(e.stdout, "site policies in the list: %s\n", strings.Join(policyNames, ", "))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORG\tNAME\tKIND\tKID\tVALID FROM\tVALID UNTIL\tSTATUS\tSOURCE")
	for _, k := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", safe(k.OrgCode), safe(k.OrgName), kindColumn(k), k.KID, day(k.ValidFrom), day(k.ValidUntil), k.Status, k.Source)
	}
	return tw.Flush()
}

// kindColumn is what a key may sign, short enough for the table: a DCC
// signer is trusted for one country's certificates only.
func kindColumn(k keyJSON) string {
	if k.Kind == string(trust.KindDCC) {
		if k.DCCTypes != "" {
			return "EU DCC (" + safe(k.Country) + ": " + safe(k.DCCTypes) + ")"
		}
		return "EU DCC (" + safe(k.Country) + ")"
	}
	return k.Kind
}

func day(iso string) string {
	if t, err := time.Parse(time.RFC3339, iso); err == nil {
		return t.Format("02 Jan 2006")
	}
	return "—"
}
