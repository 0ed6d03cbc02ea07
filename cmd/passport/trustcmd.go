package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"passport/keys"
	"passport/keys/trustdb"
)

func init() {
	register("trust add", "trust issuer certificates directly (small set-ups)", trustAdd)
	register("trust list", "list the trusted issuers and the trust list's version", trustList)
}

func openDB(path string) (*trustdb.DB, error) {
	if path == "" {
		return nil, usageErr("give the site's trust database, e.g. --db site.db", "--db is required")
	}
	db, err := trustdb.Open(path)
	if err != nil {
		return nil, usageErr("--db must be a trust database made by passport (or a new file name)", "%v", err)
	}
	return db, nil
}

// openExistingDB refuses to create a new, empty store where one is expected
// to exist (verifying against an empty store only ever says issuer_unknown).
func openExistingDB(path string) (*trustdb.DB, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, usageErr("create it with 'passport trust add --db "+path+" CERT' or 'passport trust init'", "the trust database %s does not exist", path)
		}
	}
	return openDB(path)
}

func trustAdd(e *env, args []string) error {
	fs := newFlags(e, "trust add", "--db FILE CERT...", "Trusts issuer certificates (PEM or DER) directly.")
	dbPath := fs.String("db", "", "the site's trust database (created if missing)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErr("example: passport trust add --db site.db keys/issuer.crt", "no certificate given")
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
		certs, err := keys.ParseCertificates(data)
		if err != nil {
			return usageErr("give a PEM or DER X.509 certificate such as keys/issuer.crt", "%s: %v", f, err)
		}
		for _, c := range certs {
			k, err := db.AddCertificate(c)
			if err != nil {
				return usageErr("", "%s: %v", f, err)
			}
			fmt.Fprintf(e.stdout, "trusted %s %s kid %x valid %s to %s\n", k.OrgCode, safe(k.OrgName), k.KID,
				k.ValidFrom.Format("02 Jan 2006"), k.ValidUntil.Format("02 Jan 2006"))
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
	if _, err := parse(fs, args); err != nil {
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
	var out []keyJSON
	for _, k := range ks {
		status := "trusted"
		if k.Revoked {
			status = "revoked"
		} else if !k.ValidUntil.IsZero() && time.Now().After(k.ValidUntil) {
			status = "expired"
		}
		out = append(out, keyJSON{KID: fmt.Sprintf("%x", k.KID), OrgCode: k.OrgCode, OrgName: k.OrgName,
			ValidFrom: isoOrEmpty(k.ValidFrom), ValidUntil: isoOrEmpty(k.ValidUntil), Status: status,
			RevokedFrom: isoOrEmpty(k.RevokedFrom), Source: k.Source})
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"version": info.Version, "issued": isoOrEmpty(info.Issued),
			"expires": isoOrEmpty(info.Expires), "revoked_credentials": info.Revoked, "issuers": out})
	}
	if info.Version > 0 {
		fmt.Fprintf(e.stdout, "trust list version %d, issued %s, expires %s, %d revoked credentials\n",
			info.Version, info.Issued.Format("02 Jan 2006"), info.Expires.Format("02 Jan 2006"), info.Revoked)
	} else {
		fmt.Fprintln(e.stdout, "no trust-list bundle imported; issuers trusted directly only")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORG\tNAME\tKID\tVALID FROM\tVALID UNTIL\tSTATUS\tSOURCE")
	for _, k := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", safe(k.OrgCode), safe(k.OrgName), k.KID, day(k.ValidFrom), day(k.ValidUntil), k.Status, k.Source)
	}
	return tw.Flush()
}

func day(iso string) string {
	if t, err := time.Parse(time.RFC3339, iso); err == nil {
		return t.Format("02 Jan 2006")
	}
	return "—"
}
