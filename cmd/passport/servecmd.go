package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"passport/internal/browser"
	"passport/policy"
	"passport/sitedb"
	"passport/station"
	"passport/trustsync"
)

func init() {
	register("serve", "run the local verifier station (web page and JSON API)", serveCmd)
	register("log", "export the station's verification log (for audits)", logCmd)
}

func serveCmd(e *env, args []string) error {
	fs := newFlags(e, "serve", "--db FILE [--addr 127.0.0.1:8080] [--policy FILE | --policy-name NAME]",
		"Runs the verifier station: open the printed address in a browser on this computer.\n"+
			"A USB scanner types into the page; scans, PDFs and webcam frames are decoded here.\n"+
			"Other local systems can POST an image, a PDF or text to /api/verify (JSON out).\n"+
			"Each verification is logged in the --db file (no images, no texts, no names).")
	dbPath := fs.String("db", "", "the site's trust database (required); the log is kept in it too")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default; a network address exposes the station to the LAN)")
	policyPath := fs.String("policy", "", "site acceptance policy (JSON) applied to each valid passport")
	policyName := fs.String("policy-name", "", "apply the trust list's site policy NAME to each valid passport (see 'passport policy list')")
	keep := fs.String("log-keep", "395d", "how long log entries are kept (e.g. 395d, 2y; 0 keeps everything)")
	noLog := fs.Bool("no-log", false, "do not record verifications")
	maxMB := fs.Int("max-upload", station.DefaultMaxBodyBytes>>20, "largest upload accepted, in MB")
	decodeBudget := fs.Duration("decode-budget", station.DefaultDecodeBudget, "longest time one image or PDF may spend in the barcode reader (e.g. 3s)")
	cameraBudget := fs.Duration("camera-budget", station.DefaultCameraBudget, "longest time one webcam frame may spend in the barcode reader before the next frame is taken (e.g. 300ms; at most --decode-budget)")
	quiet := fs.Bool("quiet", false, "do not print one line per request")
	var allowHosts stringList
	fs.Var(&allowHosts, "allow-host", "a host name clients on the network use for this station (repeatable); required when --addr is not loopback")
	syncFrom := fs.String("sync", "", "refresh the trust list in the background from this URL or folder (see 'trust sync'); the only network use of serve")
	syncEvery := fs.Duration("sync-every", time.Hour, "how often --sync looks for a newer bundle (±10%; sooner after a failure)")
	var redirectHosts stringList
	fs.Var(&redirectHosts, "allow-redirect-host", "let --sync follow redirects to this other host too (repeatable); by default only the source's own host")
	openPage := fs.Bool("open", false, "open the station page in this computer's default browser (loopback addresses only; BROWSER picks another browser)")
	if err := parseOptions(fs, args, "serve takes only options, e.g. passport serve --db site.db"); err != nil {
		return err
	}
	if *cameraBudget <= 0 || *cameraBudget > *decodeBudget {
		return usageErr("e.g. --camera-budget 300ms", "--camera-budget %v: give a time above 0 and at most --decode-budget (%v)", *cameraBudget, *decodeBudget)
	}
	retention, err := policy.ParseRetention(*keep)
	if err != nil {
		return usageErr("e.g. --log-keep 395d", "--log-keep: %v", err)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageErr("e.g. --addr 127.0.0.1:8080", "--addr %q: %v", *addr, err)
	}
	if *policyPath != "" && *policyName != "" {
		return usageErr("give one of them", "--policy and --policy-name cannot be used together")
	}
	var pol *policy.Policy
	if *policyPath != "" {
		// A broken policy file is reported before the database is opened.
		if pol, err = policy.Load(*policyPath); err != nil {
			return usageErr("check it with 'passport policy check "+*policyPath+"'; fixtures/site-policy.json is an example", "%v", err)
		}
	}
	if len(redirectHosts) > 0 && *syncFrom == "" {
		return usageErr("e.g. --sync https://trust.example.org/passport/ --allow-redirect-host cdn.example.org", "--allow-redirect-host is for --sync")
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	var polSource func() (*policy.Policy, error)
	if *policyName != "" {
		if pol, err = bundlePolicy(db, *policyName); err != nil {
			return err
		}
		polSource = namedPolicySource(db, *policyName, pol)
	}
	var vlog *sitedb.Log
	if !*noLog {
		if vlog, err = openStationLog(e, db, retention); err != nil {
			return err
		}
		defer vlog.Close()
	}
	access := log.New(e.stderr, "passport: ", log.LstdFlags)
	if *quiet {
		access = nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var syncer *trustsync.Syncer
	if *syncFrom != "" {
		var done <-chan struct{}
		if syncer, done, err = startSync(ctx, e, db, *syncFrom, *syncEvery, redirectHosts...); err != nil {
			return err
		}
		defer func() { stop(); <-done }() // the sync ends before the database closes
	}
	srv, err := station.New(station.Config{Store: db, Log: vlog, Policy: pol, PolicySource: polSource, MaxBodyBytes: int64(*maxMB) << 20, DecodeBudget: *decodeBudget, CameraBudget: *cameraBudget, AccessLog: access, Addr: *addr, AllowHosts: allowHosts, Sync: syncer})
	if err != nil {
		return usageErr("e.g. passport serve --addr 0.0.0.0:8080 --allow-host reception-pc.local", "%v", err)
	}
	return runStation(ctx, e, srv, *dbPath, *addr, func(listening string) string {
		return announceStation(e, listening, host, pol, vlog, retention, *openPage)
	})
}

// runStation listens on addr, says where the station is (announce gets the
// address really listened on and returns the page's address), marks the
// database as served from there, and serves until the station fails or ctx
// ends (Ctrl-C, SIGTERM).
func runStation(ctx context.Context, e *env, srv *station.Server, dbPath, addr string, announce func(string) string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenErr(dbPath, addr, err)
	}
	hs := srv.HTTPServer(addr)
	shown := announce(ln.Addr().String())
	if markStation(dbPath, addr, shown) {
		defer os.Remove(stationMarker(dbPath))
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return usageErr("", "the station stopped: %v", err)
		}
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		fmt.Fprintln(e.stdout, "passport: station stopped")
	}
	return nil
}

func logCmd(e *env, args []string) error {
	fs := newFlags(e, "log", "--db FILE [--since WHEN] [--until WHEN] [--csv | --json] | --db FILE --verify",
		"Prints the verification log of the station using --db: time, passport id, issuer, result,\n"+
			"decision shown, policy verdict, Accept/Refuse and who pressed it, and reason.\n"+
			"WHEN is a date (2026-03-01), a time (RFC 3339), 'today',\n"+
			"or an age such as 7d, 12w, 3m. Entries older than the station's --log-keep are deleted.\n"+
			"The log is a hash chain: each export ends by naming its head (row and hash) on stderr;\n"+
			"note it. --verify checks the chain and names the first row that breaks it (exit 1).")
	dbPath := fs.String("db", "", "the site's database (required)")
	since := fs.String("since", "", "only entries at or after WHEN")
	until := fs.String("until", "", "only entries before WHEN")
	asCSV := fs.Bool("csv", false, "print CSV with a header row (for spreadsheets and audits)")
	asJSON := fs.Bool("json", false, "print JSON Lines")
	check := fs.Bool("verify", false, "check the log's hash chain: exit 0 when whole, 1 naming the first row that breaks it")
	noted := fs.String("head", "", "with --verify: a head noted earlier, ROW:HASH as an export printed it; checks the log up to it is unchanged")
	if err := parseOptions(fs, args, "log takes only options, e.g. passport log --db site.db --since 7d --csv"); err != nil {
		return err
	}
	if *noted != "" && !*check {
		return usageErr("e.g. passport log --db site.db --verify --head 1234:3f2a...", "--head is checked by --verify")
	}
	if *check {
		if *asCSV || *asJSON || *since != "" || *until != "" {
			return usageErr("run passport log --db FILE --verify on its own", "--verify checks the whole log: it takes no --csv, --json, --since or --until")
		}
		return verifyLog(e, *dbPath, *noted)
	}
	if *asCSV && *asJSON {
		return usageErr("choose one output format", "--csv and --json cannot be used together")
	}
	now := time.Now()
	var from, to time.Time
	var err error
	if *since != "" {
		if from, err = parseWhen(*since, now); err != nil {
			return usageErr("use e.g. --since 2026-03-01, --since today or --since 7d", "--since: %v", err)
		}
	}
	if *until != "" {
		if to, err = parseWhen(*until, now); err != nil {
			return usageErr("use e.g. --until 2026-04-01", "--until: %v", err)
		}
	}
	db, err := openExistingDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	vlog, err := sitedb.OpenLog(db, sitedb.LogOptions{}) // retention 0: exporting never deletes
	if err != nil {
		return usageErr("", "%v", err)
	}
	defer vlog.Close()
	// The head is read before the rows, so every row exported is at or
	// before it, and goes to stderr, so the CSV and JSON stay rows only.
	head, err := vlog.Head()
	if err != nil {
		return usageErr("", "%v", err)
	}
	defer fmt.Fprintf(e.stderr, "passport: log head: %s (%d rows); note it: `passport log --db FILE --verify --head %d:%s` later shows whether the rows up to it are unchanged\n", head, head.Rows, head.ID, head.Hash)
	switch {
	case *asCSV:
		_, err = vlog.WriteCSV(e.stdout, from, to)
	case *asJSON:
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		err = vlog.Entries(from, to, func(x sitedb.Entry) error { return enc.Encode(x) })
	default:
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tRESULT\tDECISION\tPOLICY\tISSUER\tPASSPORT ID\tSOURCE\tACTION\tREASON")
		n := 0
		err = vlog.Entries(from, to, func(x sitedb.Entry) error {
			n++
			action := dash(x.Action)
			if x.Action != "" {
				action += " by " + safe(x.ActionBy) + " " + x.ActionAt.Local().Format("15:04")
			}
			_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.At.Local().Format("2006-01-02 15:04:05"), x.Status,
				dash(x.Decision), dash(string(x.Policy)), dash(safe(x.Issuer)), dash(safe(x.CredentialID)), safe(x.Source), action, safe(x.Reason))
			return err
		})
		tw.Flush()
		fmt.Fprintf(e.stdout, "%d entries\n", n)
	}
	if err != nil {
		return usageErr("", "%v", err)
	}
	return nil
}

// verifyLog checks the log's hash chain: exit 0 when whole, 1 naming the
// first row that breaks it, 3 when it cannot be read. With a head noted
// earlier (ROW:HASH) it also checks that row still has that hash: the chain
// being whole, the rows up to it are then unchanged since it was noted.
func verifyLog(e *env, dbPath, noted string) error {
	var notedID int64
	var notedHash string
	if noted != "" {
		id, h, ok := strings.Cut(strings.TrimSpace(noted), ":")
		n, err := strconv.ParseInt(strings.TrimPrefix(id, "row "), 10, 64)
		if !ok || err != nil || n <= 0 || len(h) != 64 {
			return usageErr("give it as the export printed it: ROW:HASH, e.g. --head 1234:3f2a... (64 hex digits)", "--head %q is not ROW:HASH", noted)
		}
		notedID, notedHash = n, strings.ToLower(h)
	}
	db, err := openExistingDB(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.VerifyLog()
	var br *sitedb.ChainBreak
	if errors.As(err, &br) {
		return &cliError{code: exitInvalid, msg: br.Error(),
			hint: "the log was changed outside passport: keep this file as evidence and compare it with your last export and the head hash you noted"}
	}
	if err != nil {
		return usageErr("", "%v", err)
	}
	since := "the chain started " + rep.Since.Local().Format("2006-01-02 15:04")
	if rep.SealedRows > 0 {
		since += fmt.Sprintf(", chaining %d earlier rows as they stood then", rep.SealedRows)
	}
	if rep.AnchorID > 0 {
		since += fmt.Sprintf("; rows up to %d were deleted after the retention period", rep.AnchorID)
	}
	fmt.Fprintf(e.stdout, "passport: log chain intact: %d rows, head %s (%s)\n", rep.Rows, rep.Head, since)
	if notedID == 0 {
		return nil
	}
	h, ok, err := db.RowHash(notedID)
	switch {
	case err != nil:
		return usageErr("", "%v", err)
	case !ok && notedID <= rep.AnchorID:
		fmt.Fprintf(e.stdout, "passport: row %d was deleted after the retention period: the noted head can no longer be checked\n", notedID)
		return nil
	case !ok:
		return &cliError{code: exitInvalid, msg: fmt.Sprintf("row %d, the head you noted, is not in the log (its last row is %d): rows were removed and the chain rewritten", notedID, rep.Head.ID),
			hint: "the log was changed outside passport: keep this file as evidence and compare it with your exports"}
	case h != notedHash:
		return &cliError{code: exitInvalid, msg: fmt.Sprintf("row %d's hash is %s, not the %s you noted: the log was rewritten at or before that row", notedID, h, notedHash),
			hint: "the log was changed outside passport: keep this file as evidence and compare it with your exports"}
	}
	fmt.Fprintf(e.stdout, "passport: the noted head (row %d) is unchanged: the rows up to it are as they were when it was noted\n", notedID)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseWhen reads an absolute time, 'today', or an age such as 7d.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if strings.EqualFold(s, "today") {
		y, m, d := now.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.Local), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if d, err := policy.ParseRetention(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date, a time, 'today' or an age like 7d", s)
}

// openStationLog opens the verification log of a running station.
// Retention is a privacy promise: a periodic prune that fails is said on
// stderr even under --quiet, and shown in the station's status.
func openStationLog(e *env, db *sitedb.DB, retention time.Duration) (*sitedb.Log, error) {
	pruneFailed := func(err error) {
		fmt.Fprintf(e.stderr, "passport: error: %v\nhint: rows older than the retention period are still in %s; check the file is writable\n", err, db.Path())
	}
	vlog, err := sitedb.OpenLog(db, sitedb.LogOptions{Retention: retention, PruneFailed: pruneFailed})
	if err != nil {
		return nil, usageErr("check the --db file is writable, or run with --no-log", "%v", err)
	}
	return vlog, nil
}

// stationMarker is the file a running station leaves beside its database
// (removed when it stops), naming the address it listens on and its page:
// a second start on the same address can then say "already running: open
// ..." rather than "choose another port", without connecting to it (serve
// opens no connection, not even to itself).
func stationMarker(dbPath string) string { return dbPath + ".station" }

// markStation writes the marker; it reports whether it did (a read-only
// folder only loses the better message).
func markStation(dbPath, addr, page string) bool {
	return os.WriteFile(stationMarker(dbPath), []byte(addr+"\n"+page+"\n"), 0o644) == nil
}

// listenErr explains a failure to listen on addr: a station using this
// database already running there, or another program holding the port.
func listenErr(dbPath, addr string, err error) error {
	if b, rerr := os.ReadFile(stationMarker(dbPath)); rerr == nil {
		lines := strings.Split(string(b), "\n")
		if len(lines) >= 2 && lines[0] == addr && strings.HasPrefix(lines[1], "http://") {
			return &cliError{code: exitUsage, msg: "the station is already running: open " + lines[1] + " in the browser",
				hint: "to start a second one (with another database), give it another port, e.g. --addr 127.0.0.1:8081"}
		}
	}
	return usageErr("another program is using this port (perhaps a station started with another database): choose another port with --addr, e.g. --addr 127.0.0.1:8081",
		"cannot listen on %s: %v", addr, err)
}

// announceStation prints where the station listens and what it applies,
// warns when it is reachable from the network, and opens the page for
// --open (the listener already accepts, so the page loads however fast the
// browser is). It returns the page's address.
func announceStation(e *env, shown, host string, pol *policy.Policy, vlog *sitedb.Log, retention time.Duration, openPage bool) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		shown = "127.0.0.1:" + strings.TrimPrefix(shown[strings.LastIndex(shown, ":"):], ":")
		fmt.Fprintln(e.stderr, "passport: warning: listening on every network interface: anyone on the network can use this station; the webcam works only at http://127.0.0.1 on this computer")
	} else if ip == nil && !strings.EqualFold(host, "localhost") || ip != nil && !ip.IsLoopback() {
		fmt.Fprintln(e.stderr, "passport: warning: listening on a network address: anyone on the network can use this station; the webcam works only at http://127.0.0.1 on this computer")
	}
	what := "no site policy: only the signature and dates are checked"
	if pol != nil {
		what = fmt.Sprintf("policy %q", safe(pol.Name))
		if pol.BundleVersion > 0 {
			what += fmt.Sprintf(" from trust list version %d", pol.BundleVersion)
		}
	}
	logWhat := "not logging"
	if vlog != nil {
		logWhat = "log keeps everything"
		if retention > 0 {
			logWhat = fmt.Sprintf("log keeps %d days", int(retention.Hours()/24))
		}
	}
	fmt.Fprintf(e.stdout, "passport: verifier station at http://%s/ (%s; %s). Press Ctrl+C to stop.\n", shown, what, logWhat)
	if openPage {
		if err := browser.Open(runtime.GOOS, e.getenv("BROWSER"), "http://"+shown+"/"); err != nil {
			fmt.Fprintf(e.stderr, "passport: warning: --open: %v\npassport: hint: open http://%s/ in a browser by hand\n", err, shown)
		}
	}
	return "http://" + shown + "/"
}
