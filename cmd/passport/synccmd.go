package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"passport/sitedb"
	"passport/trust"
	"passport/trustsync"
)

func init() {
	register("trust sync", "fetch the newest signed bundle from a URL or folder and import it", trustSync)
	register("authority publish", "write a bundle and its index.json into a folder any web server or share can serve", authorityPublish)
}

func trustSync(e *env, args []string) error {
	fs := newFlags(e, "trust sync", "--db FILE --from URL|DIR [--timeout 3m] [--allow-redirect-host NAME]",
		"Reads the index.json that 'passport authority publish' wrote, at an http(s) URL or in a\n"+
			"folder (a shared drive), fetches the bundle it names when it is not the version in force,\n"+
			"checks its SHA-256 and imports it under exactly the rules of 'trust import' (pinned\n"+
			"authority, signature, rollback, expiry). The way it arrives is not trusted: plain HTTP is\n"+
			"fine because the bundle is signed. This and 'serve --sync' are the only commands that use\n"+
			"the network; verifying never does. Exit 0 imported or already current, 1 refused, 3 the\n"+
			"source could not be read (the list in force is unchanged either way).\n\n"+
			"Example:\n  passport trust sync --db site.db --from https://trust.example.nhs.uk/passport/\n"+
			"  passport trust sync --db site.db --from '\\\\fileserver\\trust'")
	dbPath := fs.String("db", "", "the site's trust database (made by trust init)")
	from := fs.String("from", "", "URL of the published folder or its index.json, or a folder path (required)")
	timeout := fs.Duration("timeout", trustsync.DefaultTimeout, "give up after this long (folders too)")
	var allowHosts stringList
	fs.Var(&allowHosts, "allow-redirect-host", "follow redirects to this other host too (repeatable); by default only the source's own host")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := refuseArgs("trust sync", rest, "give the source with --from"); err != nil {
		return err
	}
	if *from == "" {
		return usageErr("example: passport trust sync --db site.db --from https://trust.example.org/passport/", "--from is required")
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := trustsync.New(db, *from, trustsync.Options{Timeout: *timeout, AllowRedirectHosts: allowHosts})
	if err != nil {
		return syncError(*from, err)
	}
	res, err := s.Sync(context.Background())
	if err != nil {
		return syncError(s.Source(), err)
	}
	printSync(e, s.Source(), res)
	return nil
}

func printSync(e *env, source string, res trustsync.Result) {
	switch res.Outcome {
	case trustsync.Imported:
		b := res.Report.Bundle
		fmt.Fprintf(e.stdout, "imported trust list version %d (was %d) from %s, expires %s: %d issuer keys, %d revoked credentials\n",
			b.Version, res.Report.PrevVersion, source, b.Expires.Format("02 Jan 2006"), len(b.Issuers), len(b.Revoked)+len(b.Revocations))
	case trustsync.UpToDate:
		fmt.Fprintf(e.stdout, "up to date: %s offers version %d, the version in force\n", source, res.Index.Version)
	case trustsync.NotModified:
		fmt.Fprintf(e.stdout, "up to date: %s has not changed\n", source)
	}
}

// syncError maps a failed sync to the exit codes of 'trust import': a
// refused bundle is 1, a source that cannot be read is 3.
func syncError(source string, err error) error {
	switch {
	case errors.Is(err, trustsync.ErrUnreachable):
		return &cliError{code: exitUsage, msg: "the trust list in force is unchanged: " + err.Error(),
			hint: "check the network or the shared folder and try again; verification keeps working with the list in force until it expires"}
	case errors.Is(err, trustsync.ErrMismatch), errors.Is(err, trustsync.ErrTooLarge), errors.Is(err, trustsync.ErrNotRegular):
		return refused("the copy at the source is damaged or was altered: tell the trust authority", "%v", err)
	case errors.Is(err, trustsync.ErrIndex):
		return refused("--from must name a folder published with 'passport authority publish'", "%v", err)
	}
	return importError(source, err)
}

// startSync runs the background sync of 'serve --sync' until ctx ends,
// saying each import and each failure on stderr. allowHosts are other
// hosts a redirect may lead to (--allow-redirect-host). done is closed
// when it has stopped.
func startSync(ctx context.Context, e *env, db *sitedb.DB, from string, every time.Duration, allowHosts ...string) (s *trustsync.Syncer, done <-chan struct{}, err error) {
	if every < time.Minute {
		return nil, nil, usageErr("e.g. --sync-every 1h", "--sync-every %v is under a minute", every)
	}
	s, err = trustsync.New(db, from, trustsync.Options{AllowRedirectHosts: allowHosts})
	if err != nil {
		return nil, nil, usageErr("give an http(s) URL or a folder, e.g. --sync https://trust.example.org/passport/", "--sync: %v", err)
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		s.Run(ctx, every, syncReporter(e, s))
	}()
	return s, ch, nil
}

// syncReporter says each background import and failure on stderr.
func syncReporter(e *env, s *trustsync.Syncer) func(trustsync.Result, error) {
	return func(res trustsync.Result, err error) {
		if err != nil {
			fmt.Fprintf(e.stderr, "passport: warning: trust-list sync: %v (the list in force is kept)\n", err)
		} else if res.Outcome == trustsync.Imported {
			printSync(&env{stdout: e.stderr}, s.Source(), res)
		}
	}
}

func authorityPublish(e *env, args []string) error {
	fs := newFlags(e, "authority publish", "--out DIR [--name FILE] BUNDLE",
		"Copies a signed bundle into DIR and writes DIR/index.json (format, version, issued,\n"+
			"expires, sha256, size, file) last, so readers never see a half-published bundle. Serve\n"+
			"DIR from any static web server or shared folder; sites run 'passport trust sync --from'.\n"+
			"Earlier bundles stay; an index already at a newer version is never replaced.\n\n"+
			"Example:\n  passport authority publish --out /var/www/passport/ trust-3.bundle")
	out := fs.String("out", "", "folder to publish into (created if missing; required)")
	name := fs.String("name", "", "file name of the bundle in DIR (default: BUNDLE's own name)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(files) != 1 {
		return usageErr("example: passport authority publish --out www/ trust-3.bundle", "give --out and exactly one bundle file")
	}
	data, err := trust.ReadFileLimited(files[0], trust.MaxBundleBytes)
	if err != nil {
		return usageErr("give the .bundle file written by 'passport authority bundle'", "%v", err)
	}
	file := *name
	if file == "" {
		file = filepath.Base(files[0])
	}
	idx, err := trustsync.Publish(*out, data, file)
	switch {
	case errors.Is(err, trust.ErrBundleMalformed):
		return usageErr("give the .bundle file written by 'passport authority bundle'", "%s: %v", files[0], err)
	case errors.Is(err, trustsync.ErrPublishRollback):
		return usageErr("publish a bundle with a higher --version", "%v", err)
	case errors.Is(err, os.ErrPermission):
		return usageErr("check you may write to "+*out, "%v", err)
	case err != nil:
		return usageErr("", "%v", err)
	}
	fmt.Fprintf(e.stdout, "published version %d (expires %s) as %s\nindex   %s (sha256 %s)\n", idx.Version,
		idx.Expires.Format("02 Jan 2006"), filepath.Join(*out, idx.File), filepath.Join(*out, trustsync.IndexFileName), idx.SHA256)
	return nil
}
