package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"passport/issue"
	"passport/layout"
	"passport/printcheck"
)

func init() {
	register("issue", "sign staff records from an HR CSV or JSON Lines file and print PDF passports", issueCmd)
}

// maxErrorsShown caps row errors printed; the rest are counted.
const maxErrorsShown = 50

// fileSource is an input file read as CSV or JSON Lines.
type fileSource struct {
	issue.Source
	f *os.File
}

func (s *fileSource) Close() error { return s.f.Close() }

func openInput(path, format string, m *issue.Map) (issue.Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("", "cannot read the staff records: %v", err)
	}
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".jsonl", ".ndjson":
			format = "jsonl"
		default:
			format = "csv"
		}
	}
	switch format {
	case "jsonl":
		return &fileSource{issue.NewJSONLReaderMap(f, m), f}, nil
	case "csv":
		src, err := issue.NewCSVReaderMap(f, m)
		if err != nil {
			f.Close()
			return nil, usageErr("README lists the CSV columns; a --map names your own columns as ours", "%s: %v", path, err)
		}
		return &fileSource{src, f}, nil
	}
	f.Close()
	return nil, usageErr("use --format csv or --format jsonl", "unknown input format %q", format)
}

// inputs reads the map and the learning records and returns how to open
// the people file with them (each pass of the batch opens it afresh).
func inputs(e *env, in, format, training, mapPath string, strict bool) (func() (issue.Source, error), *issue.Learning, error) {
	if strict && training == "" {
		return nil, nil, usageErr("give the learning records with --training", "--strict needs --training")
	}
	m, err := loadMap(mapPath)
	if err != nil {
		return nil, nil, err
	}
	learning, err := loadLearning(training, m)
	if err != nil {
		return nil, nil, err
	}
	if learning != nil && reportUnrecognised(e, training, learning, strict) && strict {
		return nil, nil, exitCode(exitInvalid)
	}
	return func() (issue.Source, error) {
		src, err := openInput(in, format, m)
		if err != nil || learning == nil {
			return src, err
		}
		return issue.WithLearning(src, learning), nil
	}, learning, nil
}

// loadMap reads --map; "" is no map.
func loadMap(path string) (*issue.Map, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("", "cannot read the map: %v", err)
	}
	defer f.Close()
	m, err := issue.LoadMap(f)
	if err != nil {
		return nil, usageErr("README, \"Learning records\", shows a map", "%s: %v", path, err)
	}
	return m, nil
}

// loadLearning reads --training through the map; "" is none.
func loadLearning(path string, m *issue.Map) (*issue.Learning, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("", "cannot read the learning records: %v", err)
	}
	defer f.Close()
	ext := strings.ToLower(filepath.Ext(path))
	l, err := issue.LoadLearning(f, ext == ".jsonl" || ext == ".ndjson", m)
	if err != nil {
		return nil, usageErr("name the learning file's columns in a --map (README, \"Learning records\")", "%s: %v", path, err)
	}
	return l, nil
}

// maxNamesShown caps the staff numbers listed as missing from the people file.
const maxNamesShown = 20

// reportUnrecognised prints each course name the issuer did not recognise,
// once, with its row count; with strict they are errors. It returns
// whether there were any.
func reportUnrecognised(e *env, path string, l *issue.Learning, strict bool) bool {
	word := "warning"
	if strict {
		word = "error"
	}
	unk := l.UnrecognisedCourses()
	for _, c := range unk {
		fmt.Fprintf(e.stderr, "passport: %s: %s: course %q not recognised (%d rows)\n", word, path, safe(c.Name), c.Count)
	}
	if len(unk) > 0 {
		fmt.Fprintln(e.stderr, "passport: hint: map each to a subject and level (or {\"ignore\": true}) in the --map file's \"courses\"")
	}
	return len(unk) > 0
}

// reportLearningLeftovers prints the learning rows no passport used.
func reportLearningLeftovers(e *env, path string, l *issue.Learning) {
	for _, re := range l.Orphans() {
		fmt.Fprintf(e.stderr, "passport: warning: %s: %s\n", path, safe(re.Error()))
	}
	if missing := l.NotInPeople(); len(missing) > 0 {
		shown := missing[:min(len(missing), maxNamesShown)]
		more := ""
		if len(missing) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
		}
		fmt.Fprintf(e.stderr, "passport: warning: %s: %d staff numbers have learning records but are not in the people file: %s%s\n",
			path, len(missing), safe(strings.Join(shown, ", ")), more)
	}
	if l.NotCompleted > 0 {
		fmt.Fprintf(e.stderr, "passport: note: %s: %d rows have no completion date (not yet completed) and were not used\n", path, l.NotCompleted)
	}
}

func issueCmd(e *env, args []string) error {
	fs := newFlags(e, "issue", "--key DIR --in FILE [--training FILE [--map MAP.json] [--strict]] --out DIR [--combined] [--layout a4|card] [--resume] [--check]",
		"Validates every row first, then signs one credential per valid row and writes one PDF per person\n"+
			"(and/or one print-ready combined PDF), records each credential in the issuer register and writes\n"+
			"a manifest (CSV) of staff number, credential id and file. Bad rows are reported (row, column,\n"+
			"reason) and skipped; the exit code is 1 if any failed. An interrupted batch (Ctrl-C, kill, power\n"+
			"loss) is finished with --resume: nobody already issued is issued twice.")
	keyDir := fs.String("key", "", "issuer key directory written by 'passport keys new' (required unless --check)")
	in := fs.String("in", "", "staff records: CSV with a header row, or JSON Lines (.jsonl) (required)")
	format := fs.String("format", "", "input format, csv or jsonl (default: from the file extension)")
	training := fs.String("training", "", "learning records, one row per person per course (CSV, or JSON Lines (.jsonl)): staff number, course, completed, expires, level")
	mapPath := fs.String("map", "", "JSON file naming the organisation's columns (\"columns\") and local courses (\"courses\"), for --in and --training")
	refuseLapsed := fs.Bool("refuse-lapsed", false, "a check or training item already lapsed on the day of issue fails its row (default: a warning;\n"+
		"items lapsed or lapsing within "+fmt.Sprint(issue.LapseWarningDays)+" days are listed on stderr and in the manifest's lapsing column)")
	strict := fs.Bool("strict", false, "an unrecognised course name in --training is an error, not a warning")
	out := fs.String("out", "", "directory for the PDFs, the manifest and (by default) the register (required)")
	validFor := fs.Duration("valid-for", issue.DefaultValidity, "how long each passport is valid, e.g. 8760h (a year)")
	ecc := fs.String("ecc", "", "QR error-correction level: L, M, Q or H (default M; L for --layout card)")
	lay := fs.String("layout", layout.LayoutA4, "page layout: a4 (full record on an A4 page) or card (ID-1 wallet card, front and back)")
	combined := fs.Bool("combined", false, "also write one print-ready PDF of every passport: OUT/passports-BATCH.pdf")
	individual := fs.Bool("individual", true, "write one PDF per person (OUT/STAFFNUMBER.pdf); --individual=false with --combined writes only the combined PDF")
	regPath := fs.String("register", "", "issuer register (SQLite) (default OUT/register.db)")
	resume := fs.Bool("resume", false, "finish the last interrupted batch of the register, skipping people it already issued")
	check := fs.Bool("check", false, "validate the input only: report bad rows, sign and write nothing")
	workers := fs.Int("workers", 0, "signing and layout workers (default: one per core)")
	quiet := fs.Bool("quiet", false, "no progress output")
	selfCheck := fs.String("self-check", "auto", "print-quality gate: render each code, degrade it as a poor 150-dpi scan would, read it back,\n"+
		"and refuse the passport if it fails: on, off, or auto (on for inputs up to "+fmt.Sprint(selfCheckAutoRows)+" rows)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := refuseArgs("issue", pos, "give the input with --in and the output directory with --out; "+
		"--combined takes no file name (it writes OUT/passports-BATCH.pdf)"); err != nil {
		return err
	}
	if *in == "" || (!*check && (*keyDir == "" || *out == "")) {
		return usageErr("example: passport issue --key keys/ --in staff.csv --out out/", "--key, --in and --out are required")
	}
	if *validFor <= 0 || *validFor > 10*365*24*time.Hour {
		return usageErr("use a duration such as 8760h (one year)", "--valid-for %v is out of range (up to 10 years)", *validFor)
	}
	if !*individual && !*combined {
		return usageErr("add --combined, or drop --individual=false", "nothing to write: --individual=false without --combined")
	}
	lopts := layout.Options{ECC: *ecc, Layout: *lay}
	if _, err := layout.NewRenderer(lopts); err != nil {
		return usageErr("", "%v", err)
	}
	open, learning, err := inputs(e, *in, *format, *training, *mapPath, *strict)
	if err != nil {
		return err
	}
	// Fail fast on an unreadable file or a bad header, before anything else.
	src, err := open()
	if err != nil {
		return err
	}
	src.(io.Closer).Close()

	opts := issue.Options{OutDir: *out, ValidFor: *validFor, Layout: lopts, NoIndividual: !*individual, Combined: *combined,
		Register: *regPath, Resume: *resume, RefuseLapsed: *refuseLapsed, CheckOnly: *check, PhotoDir: filepath.Dir(*in), Workers: *workers}
	if !*check {
		if opts.Issuer, err = loadIssuer(e, *keyDir); err != nil {
			return err
		}
		// The key's scrypt derivation leaves hundreds of MB of garbage that
		// would otherwise set the heap target for the whole batch.
		runtime.GC()
		debug.FreeOSMemory()
	}
	gate, err := wantSelfCheck(*selfCheck, *in)
	if err != nil {
		return err
	}
	if gate && !*check {
		opts.CheckPage = printGate
	}
	prog := newProgress(e, *quiet)
	opts.Progress = prog.update
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	sum, err := issue.Run(ctx, open, opts)
	prog.done()
	printRowErrors(e, *in, sum)
	printWarnings(e, *in, sum)
	if learning != nil {
		reportLearningLeftovers(e, *training, learning)
	}
	return issueOutcome(e, sum, err, *check, time.Since(start))
}

// issueOutcome reports what a run of issue (or issue --check) did and
// makes its exit: 0 done, 1 some row failed, 3 the batch stopped.
func issueOutcome(e *env, sum *issue.Summary, err error, check bool, took time.Duration) error {
	if check {
		if err != nil {
			// The input could not be read to its end (a line over the
			// limit, an unreadable file): the rows after it were never
			// checked, so no count is a result.
			return usageErr("fix the input and check it again", "%v", err)
		}
		fmt.Fprintf(e.stdout, "%d rows checked: %d valid, %d rows failed\n", sum.Rows, sum.Valid, sum.FailedRows)
		if sum.FailedRows > 0 {
			return exitCode(exitInvalid)
		}
		return nil
	}
	printSummary(e, sum, took.Seconds())
	if err != nil {
		if errors.Is(err, issue.ErrInterrupted) {
			return usageErr("run the same command with --resume", "%v", err)
		}
		if sum.BatchID == "" {
			// Stopped before a batch began (the input failed to read):
			// nothing was signed, so there is nothing to resume.
			return usageErr("nothing was issued: fix the input and run the same command again", "%v", err)
		}
		return usageErr("if the batch was partly issued, run the same command with --resume", "%v", err)
	}
	if sum.FailedRows > 0 {
		fmt.Fprintln(e.stderr, "passport: hint: fix the rows above and issue them again; the other rows were issued")
		return exitCode(exitInvalid)
	}
	return nil
}

// printGate is the print-quality gate: a passport whose code does not read
// back from a simulated poor scan is not released.
func printGate(rec *issue.Record, p *layout.Passport, text string) error {
	if err := printcheck.CheckPassport(p, text, printcheck.PoorScan); err != nil {
		return fmt.Errorf("%v; the passport was not released (try --layout a4, a lower --ecc, or a shorter record)", err)
	}
	return nil
}

// printRowErrors prints the first maxErrorsShown row errors and counts the rest.
func printRowErrors(e *env, in string, sum *issue.Summary) {
	for i, re := range sum.Errors {
		if i == maxErrorsShown {
			break
		}
		fmt.Fprintf(e.stderr, "passport: error: %s: %s\n", in, safe(re.Error()))
	}
	if sum.ErrorCount > maxErrorsShown {
		fmt.Fprintf(e.stderr, "passport: ... and %d more row errors (%d rows failed in all); run with --check to list them after fixing these\n",
			sum.ErrorCount-min(maxErrorsShown, len(sum.Errors)), sum.FailedRows)
	}
}

// printWarnings lists the rows with items lapsed or lapsing on the day of
// issue: their passports are issued, but will show those items as expired
// (or soon will), so HR hears it now rather than from a receiving site.
func printWarnings(e *env, in string, sum *issue.Summary) {
	for i, w := range sum.Warnings {
		if i == maxErrorsShown {
			break
		}
		fmt.Fprintf(e.stderr, "passport: warning: %s: row %d (%s): %s\n", in, w.Row, safe(w.Value), w.Reason)
	}
	if sum.WarnedRows > maxErrorsShown {
		fmt.Fprintf(e.stderr, "passport: ... and %d more rows with items lapsed or lapsing (the manifest's lapsing column lists them all)\n",
			sum.WarnedRows-min(maxErrorsShown, len(sum.Warnings)))
	}
	if sum.WarnedRows > 0 {
		fmt.Fprintf(e.stderr, "passport: hint: %d rows have items lapsed or lapsing within %d days; renew them, or --refuse-lapsed to hold back passports with lapsed items\n",
			sum.WarnedRows, issue.LapseWarningDays)
	}
}

// printSummary says what a batch did and where its outputs are.
func printSummary(e *env, sum *issue.Summary, el float64) {
	fmt.Fprintf(e.stdout, "%d passports issued, %d rows failed, in %.1fs", sum.Issued, sum.FailedRows, el)
	if sum.Issued > 0 && el > 0 {
		fmt.Fprintf(e.stdout, " (%.0f/s)", float64(sum.Issued)/el)
	}
	fmt.Fprintln(e.stdout)
	if sum.Skipped > 0 {
		fmt.Fprintf(e.stdout, "%d already issued by the interrupted run were skipped\n", sum.Skipped)
	}
	if sum.Reprinted > 0 {
		fmt.Fprintf(e.stdout, "%d recorded by the interrupted run but not yet printed were printed again (same credentials, not signed again)\n", sum.Reprinted)
	}
	if sum.Superseded > 0 {
		fmt.Fprintf(e.stdout, "%d earlier passports of the same staff numbers marked superseded in the register: export them with 'passport register export-revoked'\n", sum.Superseded)
	}
	if sum.BatchID != "" {
		fmt.Fprintf(e.stdout, "batch %s; register %s\n", sum.BatchID, sum.Register)
	}
	if sum.Combined != "" {
		fmt.Fprintf(e.stdout, "combined PDF %s (%d pages)\n", sum.Combined, sum.Pages)
	}
	if sum.Manifest != "" {
		fmt.Fprintf(e.stdout, "manifest %s\n", sum.Manifest)
	}
}

// selfCheckAutoRows is the largest input the gate runs on by default: it
// costs about as much as issuing itself, which matters for a care system's
// 72,000 passports but not for a ward's.
const selfCheckAutoRows = 2000

// wantSelfCheck decides whether the print-quality gate runs.
func wantSelfCheck(mode, in string) (bool, error) {
	switch mode {
	case "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	case "auto", "":
		f, err := os.Open(in)
		if err != nil {
			return false, nil // reported by the reader
		}
		defer f.Close()
		rows, buf := 0, make([]byte, 64<<10)
		for rows <= selfCheckAutoRows+1 {
			n, err := f.Read(buf)
			for _, b := range buf[:n] {
				if b == '\n' {
					rows++
				}
			}
			if err != nil {
				break
			}
		}
		return rows <= selfCheckAutoRows+1, nil // +1: the CSV header
	}
	return false, usageErr("use --self-check on, off or auto", "unknown --self-check value %q", mode)
}

// progress shows a bar on a terminal and plain lines (every 10% or 10 s)
// otherwise.
type progress struct {
	mu    sync.Mutex
	e     *env
	quiet bool
	tty   bool
	bar   *progressbar.ProgressBar
	last  time.Time
	step  int
}

func newProgress(e *env, quiet bool) *progress {
	p := &progress{e: e, quiet: quiet, last: time.Now()}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) update(phase string, done, total int) {
	if p.quiet || total == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.e.stderr), progressbar.OptionSetDescription(phase),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("passports"),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		p.bar.Set(done)
		return
	}
	step := done * 10 / total
	if step > p.step || time.Since(p.last) > 10*time.Second {
		p.step, p.last = step, time.Now()
		fmt.Fprintf(p.e.stderr, "passport: %s %d/%d (%d%%)\n", phase, done, total, done*100/total)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
}
