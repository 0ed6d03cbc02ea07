package issue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"passport/internal/csvout"
	"passport/layout"
)

// commitEvery and commitInterval bound how many finished passports wait,
// in memory only, to be recorded in one register transaction (and then
// written): at most commitEvery or commitInterval's worth. A crash loses
// them, but none of them exists outside the process yet.
var (
	commitEvery    = 500
	commitInterval = time.Second
)

// ErrInterrupted is returned (wrapped) when the context is cancelled: the
// passports recorded so far are kept and --resume issues the rest.
var ErrInterrupted = errors.New("the batch was interrupted; run it again with --resume to issue the rest")

// Run validates every record of the input, then signs and lays out the
// valid ones on all cores and writes them in input order: one PDF per
// person and/or a combined PDF, the issuer register and a manifest. open
// is called twice (validation, then issuance) and must return the input
// from its start each time. Rows with errors are reported in the summary
// and skipped; the error is for failures that stop the batch.
//
// Every credential is recorded in the register before any PDF holding it
// is written, so a batch killed at any point leaves no credential on disk
// that HR cannot find and revoke; --resume prints the recorded ones whose
// PDF is missing again instead of signing new ones.
func Run(ctx context.Context, open func() (Source, error), opts Options) (*Summary, error) {
	start := time.Now()
	sum := &Summary{}
	opts = withDefaults(opts)
	if opts.NoIndividual && !opts.Combined && !opts.CheckOnly {
		return sum, errors.New("nothing to write: both individual and combined PDFs are turned off")
	}
	// Pass 1: validate everything before anything is signed.
	v, err := validate(open, opts, sum)
	if err != nil {
		return sum, err
	}
	defer func() { sum.Elapsed = time.Since(start) }()
	if opts.CheckOnly || sum.Valid == 0 {
		return sum, nil
	}
	if opts.Issuer == nil {
		return sum, errors.New("no issuer key given")
	}
	reg, plan, err := startBatch(opts, sum)
	if err != nil {
		return sum, err
	}
	defer reg.Close()
	lo := withCreated(opts.Layout, opts.Now)
	if lo.Contact == "" {
		lo.Contact = opts.Issuer.Contact
	}
	r, err := layout.NewRenderer(lo)
	if err != nil {
		return sum, err
	}
	err = issueAll(ctx, open, opts, r, reg, v, plan, sum)
	if err != nil && !errors.Is(err, ErrInterrupted) {
		return sum, err
	}
	if err == nil {
		if e := reg.finishBatch(sum.BatchID, time.Now()); e != nil {
			return sum, fmt.Errorf("register: %v", e)
		}
	}
	sum.Manifest = filepath.Join(opts.OutDir, "manifest-"+sum.BatchID+".csv")
	if e := writeManifest(reg, sum.BatchID, sum.Manifest, v.warn); e != nil {
		return sum, fmt.Errorf("writing the manifest: %v", e)
	}
	return sum, err
}

func withDefaults(opts Options) Options {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	return opts
}

// startBatch opens the register and records a new batch, or the next run
// of the interrupted one with --resume; it names the combined PDF.
func startBatch(opts Options, sum *Summary) (*Register, *resumePlan, error) {
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("cannot create the output directory: %w", err)
	}
	sum.Register = opts.Register
	if sum.Register == "" {
		sum.Register = filepath.Join(opts.OutDir, "register.db")
	}
	reg, err := OpenRegister(sum.Register)
	if err != nil {
		return nil, nil, err
	}
	plan, err := openRun(reg, opts, sum)
	if err == nil && opts.Combined {
		err = nameCombined(reg, opts, sum)
	}
	if err != nil {
		reg.Close()
		return nil, nil, err
	}
	return reg, plan, nil
}

// openRun records the batch (or its next run) and, when resuming, plans
// what the earlier runs left to do.
func openRun(reg *Register, opts Options, sum *Summary) (*resumePlan, error) {
	input := inputName(opts)
	if !opts.Resume {
		sum.BatchID = newBatchID(opts.Now)
		if err := reg.NewBatch(sum.BatchID, input, opts.Now); err != nil {
			return nil, fmt.Errorf("register: %v", err)
		}
		return &resumePlan{}, nil
	}
	id, prevInput, err := reg.LastUnfinishedBatch()
	if err != nil {
		return nil, err
	}
	if prevInput != input {
		return nil, fmt.Errorf("the unfinished batch %s was for %s, not %s; resume it with the same input", id, prevInput, input)
	}
	sum.BatchID = id
	held, err := reg.resumeBatch(id)
	if err != nil {
		return nil, fmt.Errorf("register: %v", err)
	}
	removeTemps(opts.OutDir)
	return planResume(held, opts), nil
}

func nameCombined(reg *Register, opts Options, sum *Summary) error {
	runs, err := reg.batchRuns(sum.BatchID)
	if err != nil {
		return fmt.Errorf("register: %v", err)
	}
	name := "passports-" + sum.BatchID + ".pdf"
	if runs > 1 {
		name = fmt.Sprintf("passports-%s-run%d.pdf", sum.BatchID, runs)
	}
	sum.Combined = filepath.Join(opts.OutDir, name)
	return nil
}

func withCreated(o layout.Options, now time.Time) layout.Options {
	if o.Created.IsZero() {
		o.Created = now
	}
	return o
}

func inputName(opts Options) string {
	return fmt.Sprintf("out=%s", filepath.Clean(opts.OutDir))
}

func newBatchID(now time.Time) string {
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s-%x", now.UTC().Format("20060102T150405"), b)
}

// removeTemps deletes temporary files an interrupted run left in dir.
func removeTemps(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// validation is what pass 1 learned: rows to skip, and the row that
// issues each staff number (a later duplicate is an error).
type validation struct {
	bad   map[int]bool
	first map[string]int
	warn  map[int]string // row -> its items lapsed or lapsing, in words
}

func (s *Summary) addErr(opts Options, e *RowError) {
	s.ErrorCount++
	if len(s.Errors) < opts.MaxErrors {
		s.Errors = append(s.Errors, e)
	}
}

func validate(open func() (Source, error), opts Options, sum *Summary) (*validation, error) {
	src, err := open()
	if err != nil {
		return nil, err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	v := &validation{bad: map[int]bool{}, first: map[string]int{}, warn: map[int]string{}}
	for {
		rec, errs, err := src.Next()
		if err == io.EOF {
			return v, nil
		}
		if err != nil {
			return nil, err
		}
		sum.Rows++
		if opts.Progress != nil && sum.Rows%1000 == 0 {
			opts.Progress("validating", sum.Rows, 0)
		}
		if rec != nil && len(errs) == 0 {
			key := strings.ToLower(FileName(rec.Person.StaffNumber))
			if prev, dup := v.first[key]; dup {
				errs = append(errs, &RowError{Row: rec.Row, Column: "staff_number", Value: rec.Person.StaffNumber,
					Reason: fmt.Sprintf("staff number %q already appears in row %d", rec.Person.StaffNumber, prev)})
			} else {
				v.first[key] = rec.Row
			}
			if rec.Photo != "" {
				if err := statPhoto(opts, rec.Photo); err != nil {
					errs = append(errs, &RowError{Row: rec.Row, Column: "photo", Value: rec.Photo, Reason: err.Error()})
				}
			}
		}
		if rec != nil && len(errs) == 0 {
			errs = v.lapses(rec, opts, sum)
		}
		if len(errs) > 0 {
			row := errs[0].Row
			v.bad[row] = true
			sum.FailedRows++
			for _, e := range errs {
				sum.addErr(opts, e)
			}
			continue
		}
		sum.Valid++
	}
}

// lapses records rec's items lapsed or lapsing on the day of issue as a
// warning, or, with RefuseLapsed, returns the lapsed ones as its errors.
func (v *validation) lapses(rec *Record, opts Options, sum *Summary) []*RowError {
	ls := Lapses(rec, opts.Now)
	if len(ls) == 0 {
		return nil
	}
	if opts.RefuseLapsed {
		var errs []*RowError
		for _, l := range ls {
			if l.Lapsed {
				errs = append(errs, &RowError{Row: rec.Row, Column: l.Column, Value: l.Expires.String(),
					Reason: l.String() + ", before the day of issue (--refuse-lapsed): renew it or drop the flag"})
			}
		}
		if len(errs) > 0 {
			return errs
		}
	}
	text := lapseText(ls)
	v.warn[rec.Row] = text
	sum.WarnedRows++
	if len(sum.Warnings) < opts.MaxErrors {
		sum.Warnings = append(sum.Warnings, &RowError{Row: rec.Row, Column: "", Value: rec.Person.StaffNumber, Reason: text})
	}
	return nil
}

// photoRoot opens the folder photos are read from (the input file's) as
// an os.Root, and checks p is a path inside it. An HR export is data, not
// a trusted program: a photo cell of /home/hr/.ssh/id_rsa or
// ../../payroll.png, or a symbolic link out of the folder, must not put
// that file's bytes in front of the image decoder, or on a printed page.
func photoRoot(opts Options, p string) (*os.Root, error) {
	dir := opts.PhotoDir
	if dir == "" {
		dir = "."
	}
	if !filepath.IsLocal(p) {
		return nil, fmt.Errorf("%s is outside the input file's folder: photo paths are relative to that folder (%s) and stay inside it", p, dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open the photo folder: %v", err)
	}
	return root, nil
}

// statPhoto checks the photo p can be read from inside the photo folder.
func statPhoto(opts Options, p string) error {
	root, err := photoRoot(opts, p)
	if err != nil {
		return err
	}
	defer root.Close()
	if _, err := root.Stat(p); err != nil {
		return fmt.Errorf("cannot read the photo file: %v (photo paths stay inside the input file's folder)", unwrapPath(err))
	}
	return nil
}

// loadPhoto reads and prepares the photo p from inside the photo folder.
func loadPhoto(opts Options, p string) (*layout.Photo, error) {
	root, err := photoRoot(opts, p)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(p)
	if err != nil {
		return nil, fmt.Errorf("cannot open the photo: %v", unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, layout.MaxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the photo: %v", err)
	}
	if len(b) > layout.MaxPhotoBytes {
		return nil, fmt.Errorf("the photo is over %d MB; export a smaller JPEG", layout.MaxPhotoBytes>>20)
	}
	return layout.PreparePhoto(b)
}

// unwrapPath drops the *PathError's operation and path, which the row's
// column and value already name.
func unwrapPath(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// writeManifest writes the batch's issued credentials, in input order, as
// CSV: row, staff number, name, credential id, file, combined PDF, page,
// dates, and the row's items lapsed or lapsing on the day of issue.
// Names and staff numbers come from HR data and are escaped so that a
// spreadsheet shows them rather than running them (csvout).
func writeManifest(reg *Register, batch, path string, warn map[int]string) error {
	return writeAtomic(path, func(w io.Writer) error {
		cw := csvout.NewWriter(w)
		cw.Write([]string{"row", "staff_number", "name", "credential_id", "file", "combined", "page", "issued_at", "expires", "lapsing"})
		rows, err := reg.db.Query(`SELECT `+entryCols+` FROM credentials WHERE batch_id=? AND status=? ORDER BY row`, batch, StatusIssued)
		if err != nil {
			return err
		}
		err = scanEntries(rows, func(e RegisterEntry) error {
			page := ""
			if e.Page > 0 {
				page = strconv.Itoa(e.Page)
			}
			return cw.Write([]string{strconv.Itoa(e.Row), e.StaffNumber, e.Name, e.ID, e.File, e.Combined, page,
				e.IssuedAt.Format("2006-01-02"), e.Expires.Format("2006-01-02"), warn[e.Row]})
		})
		if err != nil {
			return err
		}
		return cw.Flush()
	})
}
