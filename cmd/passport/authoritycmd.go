package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"passport/keys"
	"passport/trust"
)

func init() {
	register("authority new", "create a trust-authority key (encrypted; keep it offline)", authorityNew)
	register("authority bundle", "sign a trust-list bundle of issuer keys and revocations", authorityBundle)
}

func authorityNew(e *env, args []string) error {
	fs := newFlags(e, "authority new", "--dir DIR",
		"Creates a trust-authority ECDSA P-256 key, encrypted with a passphrase (age/scrypt), in\n"+
			"DIR/authority.key (keep it offline), and DIR/authority.pub, which sites pin with\n"+
			"'passport trust init --anchor'.\n\nExample:\n  passport authority new --dir auth/")
	dir := fs.String("dir", "", "directory to write authority.key and authority.pub into (required)")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	if *dir == "" {
		return usageErr("example: passport authority new --dir auth/", "--dir is required")
	}
	pass, err := passphrase(e, true)
	if err != nil {
		return err
	}
	a, err := keys.NewAuthority()
	if err != nil {
		return err
	}
	if err := a.Save(*dir, pass); err != nil {
		return &cliError{code: exitUsage, msg: err.Error(), hint: "choose an empty --dir; an existing key is never overwritten"}
	}
	fmt.Fprintf(e.stdout, "authority key id %x\nkey    %s (encrypted; keep offline)\npublic %s (give to sites: trust init --anchor)\n",
		a.KID, filepath.Join(*dir, keys.AuthorityKeyFileName), filepath.Join(*dir, keys.AuthorityPubFileName))
	return nil
}

func authorityBundle(e *env, args []string) error {
	fs := newFlags(e, "authority bundle", "--key DIR --issuers FILE.csv|DIR [--revoked FILE] --version N --expires DATE --out FILE",
		"Signs a trust-list bundle with the authority key. --issuers is a directory of issuer\n"+
			"certificates (PEM/DER) or a CSV with the columns org_code, org_name, cert (or public_key\n"+
			"and kid), valid_from, valid_until, status (active|revoked), revoked_from (compromise date:\n"+
			"credentials issued before it stay valid). --revoked lists one revoked credential id per line\n"+
			"(32 hex digits, or a DCC certificate identifier). Dates are YYYY-MM-DD or RFC 3339.\n\n"+
			"Example:\n  passport authority bundle --key auth/ --issuers certs/ --revoked revoked.txt \\\n"+
			"      --version 3 --expires 2027-01-31 --out trust-3.bundle")
	keyDir := fs.String("key", "", "the authority directory written by 'authority new' (required)")
	issuers := fs.String("issuers", "", "issuers CSV file or directory of certificates (required)")
	revoked := fs.String("revoked", "", "file of revoked credential ids, one per line")
	version := fs.Int64("version", 0, "bundle version; each bundle must be higher than the last (required)")
	expires := fs.String("expires", "", "expiry date; sites warn after it (required; YYYY-MM-DD means the end of that day, UTC)")
	out := fs.String("out", "", "bundle file to write; never overwritten (required)")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	if *keyDir == "" || *issuers == "" || *version <= 0 || *expires == "" || *out == "" {
		return usageErr("example: passport authority bundle --key auth/ --issuers certs/ --version 1 --expires 2027-01-31 --out trust-1.bundle",
			"--key, --issuers, --version (1 or more), --expires and --out are required")
	}
	now := time.Now().UTC().Truncate(time.Second)
	exp, err := trust.ParseBundleTime(*expires, true)
	if err != nil {
		return usageErr("use e.g. 2027-01-31", "--expires: %v", err)
	}
	if !exp.After(now) {
		return usageErr("give a date in the future; sites refuse an expired bundle", "--expires %s is in the past", *expires)
	}
	b := &trust.Bundle{Version: *version, Issued: now, Expires: exp}
	if b.Issuers, err = trust.ReadIssuers(*issuers); err != nil {
		return usageErr("give a directory of issuer certificates or an issuers CSV (see --help)", "--issuers %s: %v", *issuers, err)
	}
	if *revoked != "" {
		f, err := os.Open(*revoked)
		if err != nil {
			return usageErr("", "--revoked: %v", err)
		}
		b.Revoked, err = trust.ReadRevokedIDs(f)
		f.Close()
		if err != nil {
			return usageErr("one credential id per line: 32 hex digits as verify prints it, or a DCC certificate identifier", "--revoked %s: %v", *revoked, err)
		}
	}
	if err := b.Validate(); err != nil {
		return usageErr("fix the issuers or revoked list and run again", "%v", err)
	}
	if _, err := os.Lstat(*out); err == nil {
		return usageErr("choose a new file name, such as trust-N.bundle", "%s already exists: a published bundle is never overwritten", *out)
	}
	pass, err := passphrase(e, false)
	if err != nil {
		return err
	}
	a, err := keys.LoadAuthority(*keyDir, pass)
	if errors.Is(err, keys.ErrWrongPassphrase) {
		return usageErr("check PASSPORT_PASSPHRASE", "wrong passphrase for the authority key in %s", *keyDir)
	}
	if err != nil {
		return usageErr("--key names the directory that 'passport authority new' wrote", "cannot load the authority key: %v", err)
	}
	signed, err := a.SignBundle(b)
	if err != nil {
		return usageErr("", "%v", err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return usageErr("", "cannot create %s: %v", *out, err)
	}
	_, werr := f.Write(signed)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(*out)
		return usageErr("", "writing %s: %v", *out, err)
	}
	revokedKeys := 0
	for _, i := range b.Issuers {
		if i.Revoked {
			revokedKeys++
		}
	}
	fmt.Fprintf(e.stdout, "bundle version %d signed by authority %x: %d issuer keys (%d revoked), %d revoked credentials, expires %s\nwrote %s (%d bytes)\n",
		b.Version, a.KID, len(b.Issuers), revokedKeys, len(b.Revoked), b.Expires.Format(time.RFC3339), *out, len(signed))
	return nil
}
