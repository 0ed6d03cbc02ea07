package main

import (
	"errors"
	"fmt"
	"sync"
	"text/tabwriter"

	"passport/policy"
	"passport/sitedb"
	"passport/trust"
)

func init() {
	register("policy check", "read a site acceptance policy file and print its rules in words", policyCheck)
	register("policy list", "list the site policies the trust list in force carries", policyList)
}

func policyCheck(e *env, args []string) error {
	fs := newFlags(e, "policy check", "FILE",
		"Reads a site acceptance policy (JSON; see fixtures/site-policy.json), reports any mistake,\n"+
			"and prints what it requires in words. Use the file with 'verify --policy' or 'serve --policy'.")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErr("example: passport policy check fixtures/site-policy.json", "give exactly one policy file")
	}
	p, err := policy.Load(files[0])
	if err != nil {
		return usageErr("fixtures/site-policy.json is a working example", "%v", err)
	}
	describePolicy(e, p)
	return nil
}

func describePolicy(e *env, p *policy.Policy) {
	fmt.Fprintf(e.stdout, "policy %q requires:\n", safe(p.Name))
	for _, line := range p.Describe() {
		fmt.Fprintf(e.stdout, "  - %s\n", safe(line))
	}
}

func policyList(e *env, args []string) error {
	fs := newFlags(e, "policy list", "--db FILE [--show NAME]",
		"Lists the site policies the authority signed into the trust list in force, by name, with the\n"+
			"bundle version they came from. Pick one with 'verify --policy-name NAME' or 'serve --policy-name NAME'.")
	dbPath := fs.String("db", "", "the site's trust database (required)")
	show := fs.String("show", "", "print the rules of the policy called NAME in words")
	if err := parseOptions(fs, args, "policy list takes only options, e.g. passport policy list --db site.db"); err != nil {
		return err
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *show != "" {
		p, err := bundlePolicy(db, *show)
		if err != nil {
			return err
		}
		describePolicy(e, p)
		return nil
	}
	all, err := db.Policies()
	if err != nil {
		return usageErr("", "%v", err)
	}
	if len(all) == 0 {
		fmt.Fprintln(e.stdout, "the trust list in force carries no site policies: ask the authority, or use a local file with --policy FILE")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPOLICY\tBUNDLE")
	for _, bp := range all {
		title := ""
		if p, err := policy.Parse(bp.JSON); err == nil {
			title = safe(p.Name)
		} else {
			// A policy a newer verifier wrote: listed, so the desk sees it
			// exists, with why this one cannot apply it.
			title = "(cannot be read by this verifier: " + trust.SafeText(err.Error(), 120) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", safe(bp.Name), title, bp.BundleVersion)
	}
	return tw.Flush()
}

// bundlePolicy is the site policy called name from the trust list in
// force, marked with the bundle version it came from (for the log).
func bundlePolicy(db *sitedb.DB, name string) (*policy.Policy, error) {
	bp, err := db.Policy(name)
	if errors.Is(err, sitedb.ErrNoPolicy) {
		return nil, usageErr("see the names with 'passport policy list --db "+db.Path()+"'", "--policy-name: %v", err)
	} else if err != nil {
		return nil, usageErr("", "%v", err)
	}
	p, err := parseBundlePolicy(bp)
	if err != nil {
		// The authority checked it when signing; a verifier older than the
		// policy can fail to read it, and must not run without it.
		return nil, usageErr("update passport, or ask the authority which release reads it", "the trust list's policy %q (bundle version %d) cannot be read by this verifier: %v", safe(name), bp.BundleVersion, err)
	}
	return p, nil
}

// parseBundlePolicy parses a policy the trust list carries, marked with the
// bundle it came from (for the log).
func parseBundlePolicy(bp *sitedb.BundlePolicy) (*policy.Policy, error) {
	p, err := policy.Parse(bp.JSON)
	if err != nil {
		return nil, err
	}
	p.BundleVersion, p.BundleName = bp.BundleVersion, bp.Name
	return p, nil
}

// namedPolicySource is the station's source of the trust list's policy
// called name (first is what bundlePolicy read at start). Policies change only
// with the bundle in force, so each call compares the list version in force
// (from the store's cached view: no query) with the one it last looked at, and
// reads and parses the policy again only when a sync or an import changed it;
// the new version then applies from the next verification. When the list no
// longer holds the policy, or holds one this verifier cannot read, it returns
// the version it last read, with an error saying why, until the list changes.
func namedPolicySource(db *sitedb.DB, name string, first *policy.Policy) func() (*policy.Policy, error) {
	var mu sync.Mutex
	cur, seen := first, first.BundleVersion
	var lastErr error
	return func() (*policy.Policy, error) {
		mu.Lock()
		defer mu.Unlock()
		version, err := listVersion(db)
		if err != nil {
			return cur, fmt.Errorf("the trust list could not be read: %v; still applying the site policy %q as in trust list %d", err, safe(name), cur.BundleVersion)
		}
		if version == seen {
			return cur, lastErr
		}
		seen, lastErr = version, nil
		bp, err := db.Policy(name)
		switch {
		case errors.Is(err, sitedb.ErrNoPolicy):
			lastErr = fmt.Errorf("the trust list in force no longer holds the site policy %q: still applying it as in trust list %d; ask the authority, or restart with another --policy-name (see 'passport policy list')", safe(name), cur.BundleVersion)
		case err != nil:
			seen = -1 // look again at the next call
			lastErr = fmt.Errorf("the site policy %q could not be read from the trust list: %v; still applying it as in trust list %d", safe(name), err, cur.BundleVersion)
		default:
			p, err := parseBundlePolicy(bp)
			if err != nil {
				lastErr = fmt.Errorf("the site policy %q in trust list %d cannot be read by this verifier (%v): still applying it as in trust list %d; update passport", safe(name), bp.BundleVersion, err, cur.BundleVersion)
			} else {
				cur = p
			}
		}
		return cur, lastErr
	}
}

// listVersion is the version of the trust list in force (0 for none).
func listVersion(db *sitedb.DB) (int64, error) {
	snap, err := db.Snapshot()
	if err != nil {
		return 0, err
	}
	defer snap.Close()
	info, err := snap.Info()
	return info.Version, err
}
