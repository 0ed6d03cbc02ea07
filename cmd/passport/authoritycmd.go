package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"passport/keys"
	"passport/policy"
	"passport/trust"
	"passport/trustsync"
)

func init() {
	register("authority new", "create a trust-authority key (encrypted; keep it offline)", authorityNew)
	register("authority bundle", "sign a trust-list bundle of issuer keys and revocations", authorityBundle)
	register("authority timestamp-key", "create the publishing host's timestamp key (encrypted), for signed freshness", authorityTimestampKey)
	register("authority timestamp", "sign a freshness statement for the bundle a published folder offers", authorityTimestamp)
}

// parseDays reads a duration as time.ParseDuration does, and also whole
// days ("7d"), the unit people think of a bundle's freshness in.
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// printBundleSummary says what a signed bundle holds.
func printBundleSummary(e *env, b *trust.Bundle, kid []byte, out string, size int) {
	revokedKeys := 0
	for _, i := range b.Issuers {
		if i.Revoked {
			revokedKeys++
		}
	}
	fmt.Fprintf(e.stdout, "bundle version %d signed by authority %x: %d issuer keys (%d revoked), %d revoked credentials, expires %s\nwrote %s (%d bytes)\n",
		b.Version, kid, len(b.Issuers), revokedKeys, len(b.Revoked)+len(b.Revocations), b.Expires.Format(time.RFC3339), out, size)
	for _, p := range b.Policies {
		fmt.Fprintf(e.stdout, "policy  %s\n", p.Name)
	}
}

// timestampFlags reads --timestamp-key (a timestamp.pub) and --fresh-for
// as a bundle carries them.
func timestampFlags(pubFile, freshFor string) ([]byte, time.Duration, error) {
	data, err := trust.ReadFileLimited(pubFile, trust.MaxAuthorityKeyFileSize)
	if err != nil {
		return nil, 0, usageErr("give the timestamp.pub written by 'passport authority timestamp-key'", "--timestamp-key: %v", err)
	}
	pub, err := trust.ParseAuthorityPublicKey(data)
	if err != nil {
		return nil, 0, usageErr("give the timestamp.pub written by 'passport authority timestamp-key'", "--timestamp-key %s: %v", pubFile, err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, 0, err
	}
	d, err := parseDays(freshFor)
	if err != nil || d < 0 || d > trust.MaxFreshFor {
		return nil, 0, usageErr("use e.g. --fresh-for 7d", "--fresh-for %s is not a duration from 0 to %v", freshFor, trust.MaxFreshFor)
	}
	return der, d, nil
}

// readBundlePolicies reads every NAME.json in dir as a site policy,
// checked with the policy package as a site will read it.
func readBundlePolicies(dir string) ([]trust.BundlePolicy, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []trust.BundlePolicy
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if err := trust.ValidPolicyName(name); err != nil {
			return nil, fmt.Errorf("%s: %v", e.Name(), err)
		}
		data, err := trust.ReadFileLimited(filepath.Join(dir, e.Name()), trust.MaxBundlePolicyBytes)
		if err != nil {
			return nil, err
		}
		if _, err := policy.Parse(data); err != nil {
			return nil, fmt.Errorf("%s: %v", e.Name(), err)
		}
		out = append(out, trust.BundlePolicy{Name: name, JSON: data})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no NAME.json policy files in %s", dir)
	}
	return out, nil
}

func authorityTimestampKey(e *env, args []string) error {
	fs := newFlags(e, "authority timestamp-key", "--dir DIR",
		"Creates the online ECDSA P-256 key of the publishing host, encrypted with a passphrase\n"+
			"(age/scrypt), in DIR/timestamp.key (mode 0600), and DIR/timestamp.pub. It only signs\n"+
			"freshness statements ('authority timestamp'), never bundles: keep the authority key\n"+
			"offline. Name timestamp.pub in 'authority bundle --timestamp-key'.\n\n"+
			"Example:\n  passport authority timestamp-key --dir /etc/passport/timestamp")
	dir := fs.String("dir", "", "directory to write timestamp.key and timestamp.pub into (required)")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	if *dir == "" {
		return usageErr("example: passport authority timestamp-key --dir tskey/", "--dir is required")
	}
	pass, err := passphrase(e, true)
	if err != nil {
		return err
	}
	k, err := keys.NewTimestampKey()
	if err != nil {
		return err
	}
	if err := k.Save(*dir, pass); err != nil {
		return &cliError{code: exitUsage, msg: err.Error(), hint: "choose an empty --dir; an existing key is never overwritten"}
	}
	fmt.Fprintf(e.stdout, "timestamp key id %x\nkey    %s (encrypted; on the publishing host only)\npublic %s (give to 'authority bundle --timestamp-key')\n",
		k.KID, filepath.Join(*dir, keys.TimestampKeyFileName), filepath.Join(*dir, keys.TimestampPubFileName))
	return nil
}

func authorityTimestamp(e *env, args []string) error {
	fs := newFlags(e, "authority timestamp", "--key DIR --out DIR [--fresh-for 24h] [--now T]",
		"Signs a freshness statement for the bundle that DIR/index.json names (its version and\n"+
			"SHA-256, issued now, expiring after --fresh-for) and writes it as DIR/timestamp.cose,\n"+
			"replacing the last one. Run it from a scheduler more often than --fresh-for (hourly with\n"+
			"24h): a site whose source stops serving new statements sees its list as unconfirmed once\n"+
			"the last one expires.\n\n"+
			"Example:\n  passport authority timestamp --key /etc/passport/timestamp --out /var/www/passport/ --fresh-for 24h")
	keyDir := fs.String("key", "", "the directory written by 'authority timestamp-key' (required)")
	out := fs.String("out", "", "the published folder ('authority publish --out') (required)")
	freshFor := fs.String("fresh-for", "24h", "how long the statement holds (e.g. 24h, 2d; at most 31d)")
	nowFlag := fs.String("now", "", "sign as at this time (RFC 3339) instead of the clock, for tests")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	if *keyDir == "" || *out == "" {
		return usageErr("example: passport authority timestamp --key tskey/ --out www/ --fresh-for 24h", "--key and --out are required")
	}
	life, err := parseDays(*freshFor)
	if err != nil || life <= 0 || life > trust.MaxStatementLifetime {
		return usageErr("use e.g. --fresh-for 24h", "--fresh-for %s is not a duration from 1s to %v", *freshFor, trust.MaxStatementLifetime)
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = parseTime(*nowFlag); err != nil {
			return usageErr("use e.g. 2026-12-06T10:00:00Z", "--now: %v", err)
		}
	}
	bundle, idx, err := trustsync.PublishedBundle(*out)
	if err != nil {
		return usageErr("--out names the folder 'passport authority publish' wrote", "%v", err)
	}
	pass, err := passphrase(e, false)
	if err != nil {
		return err
	}
	k, err := keys.LoadTimestampKey(*keyDir, pass)
	if errors.Is(err, keys.ErrWrongPassphrase) {
		return usageErr("check PASSPORT_PASSPHRASE", "wrong passphrase for the timestamp key in %s", *keyDir)
	}
	if err != nil {
		return usageErr("--key names the directory that 'passport authority timestamp-key' wrote", "cannot load the timestamp key: %v", err)
	}
	signed, st, err := k.SignStatement(bundle, now, life)
	if err != nil {
		return usageErr("make the bundle with 'authority bundle --timestamp-key' naming this key's timestamp.pub", "%v", err)
	}
	path, err := trustsync.PublishStatement(*out, signed)
	if err != nil {
		return usageErr("check you may write to "+*out, "%v", err)
	}
	fmt.Fprintf(e.stdout, "statement: version %d (%s) is the newest, from %s until %s\nwrote %s (%d bytes)\n",
		st.Version, idx.File, st.Issued.Format(time.RFC3339), st.Expires.Format(time.RFC3339), path, len(signed))
	return nil
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
	fs := newFlags(e, "authority bundle", "--key DIR --issuers FILE.csv|DIR [--revoked FILE] --version N --expires DATE --out FILE [--timestamp-key PUB [--fresh-for 7d]]",
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
	tsKey := fs.String("timestamp-key", "", "timestamp.pub of the publishing host: sites then count the list as the newest only while statements it signs say so")
	freshFor := fs.String("fresh-for", "7d", "with --timestamp-key: how long after issue the bundle alone counts as confirmed (for sites that import by hand)")
	policies := fs.String("policies", "", "directory of site policies (NAME.json, the policy format) to sign into the bundle; sites pick one with --policy-name NAME")
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
	if *tsKey != "" {
		if b.TimestampKey, b.FreshFor, err = timestampFlags(*tsKey, *freshFor); err != nil {
			return err
		}
	}
	if b.Issuers, err = trust.ReadIssuers(*issuers); err != nil {
		return usageErr("give a directory of issuer certificates or an issuers CSV (see --help)", "--issuers %s: %v", *issuers, err)
	}
	if *revoked != "" {
		f, err := os.Open(*revoked)
		if err != nil {
			return usageErr("", "--revoked: %v", err)
		}
		b.Revoked, b.Revocations, err = trust.ReadRevokedList(f)
		f.Close()
		if err != nil {
			return usageErr("one credential id per line: 32 hex digits as verify prints it, or a DCC certificate identifier; optionally ,reason[,from] as 'register export-revoked' writes", "--revoked %s: %v", *revoked, err)
		}
	}
	if *policies != "" {
		if b.Policies, err = readBundlePolicies(*policies); err != nil {
			return usageErr("give a directory of policy files named NAME.json (see docs/policy.md)", "--policies %s: %v", *policies, err)
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
	printBundleSummary(e, b, a.KID, *out, len(signed))
	return nil
}
