package issue

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"passport/credential"
	"passport/layout"
)

// commitEvery and commitInterval bound what an interrupted batch can lose:
// register inserts are committed in transactions of at most commitEvery
// passports or commitInterval, whichever comes first.
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
func Run(ctx context.Context, open func() (Source, error), opts Options) (*Summary, error) {
	start := time.Now()
	sum := &Summary{}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
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
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return sum, fmt.Errorf("cannot create the output directory: %w", err)
	}
	sum.Register = opts.Register
	if sum.Register == "" {
		sum.Register = filepath.Join(opts.OutDir, "register.db")
	}
	reg, err := OpenRegister(sum.Register)
	if err != nil {
		return sum, err
	}
	defer reg.Close()
	var done map[string]bool
	input := inputName(opts)
	if opts.Resume {
		id, prevInput, err := reg.LastUnfinishedBatch()
		if err != nil {
			return sum, err
		}
		if prevInput != input {
			return sum, fmt.Errorf("the unfinished batch %s was for %s, not %s; resume it with the same input", id, prevInput, input)
		}
		sum.BatchID = id
		if done, err = reg.resumeBatch(id); err != nil {
			return sum, fmt.Errorf("register: %v", err)
		}
		removeTemps(opts.OutDir)
	} else {
		sum.BatchID = newBatchID(opts.Now)
		if err := reg.NewBatch(sum.BatchID, input, opts.Now); err != nil {
			return sum, fmt.Errorf("register: %v", err)
		}
	}
	r, err := layout.NewRenderer(withCreated(opts.Layout, opts.Now))
	if err != nil {
		return sum, err
	}
	if opts.Combined {
		runs, err := reg.batchRuns(sum.BatchID)
		if err != nil {
			return sum, fmt.Errorf("register: %v", err)
		}
		name := "passports-" + sum.BatchID + ".pdf"
		if runs > 1 {
			name = fmt.Sprintf("passports-%s-run%d.pdf", sum.BatchID, runs)
		}
		sum.Combined = filepath.Join(opts.OutDir, name)
	}
	err = issueAll(ctx, open, opts, r, reg, v, done, sum)
	if err != nil && !errors.Is(err, ErrInterrupted) {
		return sum, err
	}
	if err == nil {
		if e := reg.finishBatch(sum.BatchID, time.Now()); e != nil {
			return sum, fmt.Errorf("register: %v", e)
		}
	}
	sum.Manifest = filepath.Join(opts.OutDir, "manifest-"+sum.BatchID+".csv")
	if e := writeManifest(reg, sum.BatchID, sum.Manifest); e != nil {
		return sum, fmt.Errorf("writing the manifest: %v", e)
	}
	return sum, err
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
	v := &validation{bad: map[int]bool{}, first: map[string]int{}}
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
				if _, err := os.Stat(photoPath(opts, rec.Photo)); err != nil {
					errs = append(errs, &RowError{Row: rec.Row, Column: "photo", Value: rec.Photo, Reason: "cannot read the photo file: " + errors.Unwrap(err).Error()})
				}
			}
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

func photoPath(opts Options, p string) string {
	if filepath.IsAbs(p) || opts.PhotoDir == "" {
		return p
	}
	return filepath.Join(opts.PhotoDir, p)
}

type job struct {
	seq int
	rec *Record
}

type result struct {
	seq  int
	rec  *Record
	it   Issued
	ent  RegisterEntry
	pp   *layout.Passport
	err  error
	sign time.Duration
}

func issueAll(ctx context.Context, open func() (Source, error), opts Options, r *layout.Renderer, reg *Register,
	v *validation, done map[string]bool, sum *Summary) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src, err := open()
	if err != nil {
		return err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	total := sum.Valid - len(done)
	inflight := make(chan struct{}, 4*opts.Workers) // bounds the reorder buffer
	jobs := make(chan job, 2*opts.Workers)
	results := make(chan result, 2*opts.Workers)
	var (
		readErr    error
		skipped    int
		readerDone = make(chan struct{})
	)
	defer func() {
		cancel()
		<-readerDone
		sum.Skipped = skipped
	}()
	go func() { // reader
		defer close(readerDone)
		defer close(jobs)
		seq := 0
		for {
			rec, errs, err := src.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				readErr = err
				return
			}
			if rec == nil || len(errs) > 0 || v.bad[rec.Row] {
				continue
			}
			if done[rec.Person.StaffNumber] {
				skipped++
				continue
			}
			select {
			case inflight <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{seq, rec}:
				seq++
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- issueOne(j, opts, r, sum.BatchID)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	// Writer: input order, combined PDF, register.
	var (
		stream   *layout.Stream
		tmpFile  *os.File
		bw       *bufio.Writer
		pending  = map[int]result{}
		next     = 0
		batch    []RegisterEntry
		lastSync = time.Now()
		recorded = 0
		failed   error
	)
	if opts.Combined {
		tmpFile, err = os.CreateTemp(opts.OutDir, tmpPrefix+"*.pdf")
		if err != nil {
			return fmt.Errorf("cannot create the combined PDF: %v", err)
		}
		defer func() {
			if tmpFile != nil {
				tmpFile.Close()
				os.Remove(tmpFile.Name())
			}
		}()
		bw = bufio.NewWriterSize(tmpFile, 1<<20)
		if stream, err = layout.NewStream(bw, opts.Now); err != nil {
			return err
		}
	}
	commit := func() error {
		if len(batch) == 0 {
			return nil
		}
		if !opts.NoIndividual && !fsyncEachFile {
			if err := syncDir(opts.OutDir); err != nil {
				return fmt.Errorf("cannot flush the PDFs to disk: %v", err)
			}
		}
		if err := reg.insertAll(batch); err != nil {
			return fmt.Errorf("register: %v", err)
		}
		batch = batch[:0]
		lastSync = time.Now()
		return nil
	}
	handle := func(res result) error {
		<-inflight
		if res.err != nil {
			sum.FailedRows++
			var re *RowError
			if errors.As(res.err, &re) {
				sum.addErr(opts, re)
			} else {
				sum.addErr(opts, &RowError{Row: res.rec.Row, Reason: res.err.Error()})
			}
			return nil
		}
		sum.SignTime += res.sign
		if stream != nil {
			res.ent.Combined = sum.Combined
			res.ent.Page = stream.Pages() + 1
			if err := stream.Add(res.pp); err != nil {
				return err
			}
			sum.Pages += res.pp.Pages()
		}
		batch = append(batch, res.ent)
		sum.Issued++
		recorded++
		if opts.AfterRecord != nil {
			if err := opts.AfterRecord(recorded); err != nil {
				return err
			}
		}
		if opts.Progress != nil {
			opts.Progress("issuing", sum.Issued, total)
		}
		if len(batch) >= commitEvery || time.Since(lastSync) > commitInterval {
			return commit()
		}
		return nil
	}
	for res := range results {
		if failed != nil {
			<-inflight
			continue
		}
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := handle(r); err != nil {
				failed = err
				cancel()
				break
			}
		}
	}
	if failed != nil {
		// As a crash would: nothing more is recorded, the combined PDF is
		// left unfinished under its temporary name (removed on resume).
		tmpFile = nil
		return failed
	}
	<-readerDone
	if readErr != nil {
		return readErr
	}
	interrupted := ctx.Err() != nil
	if stream != nil && stream.Pages() > 0 {
		if err := stream.Close(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("writing the combined PDF: %v", err)
		}
		if err := tmpFile.Sync(); err != nil {
			return fmt.Errorf("writing the combined PDF: %v", err)
		}
		tmpFile.Close()
		if err := os.Rename(tmpFile.Name(), sum.Combined); err != nil {
			return fmt.Errorf("writing the combined PDF: %v", err)
		}
		tmpFile = nil
	} else {
		sum.Combined = ""
	}
	if err := commit(); err != nil {
		return err
	}
	if opts.Combined {
		if err := reg.markIssued(sum.BatchID); err != nil {
			return fmt.Errorf("register: %v", err)
		}
	}
	if interrupted {
		return fmt.Errorf("%w (%d passports issued in this run)", ErrInterrupted, sum.Issued)
	}
	return nil
}

// issueOne signs and lays out one record, and writes its own PDF.
func issueOne(j job, opts Options, r *layout.Renderer, batch string) (res result) {
	rec := j.rec
	res = result{seq: j.seq, rec: rec}
	fail := func(col, reason string) result {
		res.err = &RowError{Row: rec.Row, Column: col, Value: "", Reason: reason}
		return res
	}
	c, err := Claims(rec, opts.Issuer, opts.Now, opts.ValidFor)
	if err != nil {
		return fail("", err.Error())
	}
	t0 := time.Now()
	msg, err := credential.Sign(c, opts.Issuer.Key, opts.Issuer.KID)
	if err != nil {
		return fail("", "signing failed: "+err.Error())
	}
	text := credential.Encode(msg)
	res.sign = time.Since(t0)
	var photo *layout.Photo
	if rec.Photo != "" {
		if photo, err = layout.LoadPhoto(photoPath(opts, rec.Photo)); err != nil {
			return fail("photo", err.Error())
		}
	}
	pp, err := r.Render(c, text, photo)
	if err != nil {
		return fail("", err.Error())
	}
	if opts.CheckPage != nil {
		if err := opts.CheckPage(rec, pp, text); err != nil {
			return fail("", "print check failed: "+err.Error())
		}
	}
	res.pp = pp
	file := ""
	if !opts.NoIndividual {
		file = filepath.Join(opts.OutDir, FileName(rec.Person.StaffNumber))
		if err := writeAtomicSync(file, fsyncEachFile, func(w io.Writer) error {
			return layout.WritePDF(w, opts.Now, pp)
		}); err != nil {
			return fail("", "cannot write the PDF: "+err.Error())
		}
	}
	if !opts.Combined {
		res.pp = nil
	}
	v, _ := layout.QRVersion(text, r.Options().ECC)
	res.it = Issued{Row: rec.Row, StaffNumber: rec.Person.StaffNumber, Name: rec.Person.Name, CredentialID: c.IDString(),
		File: file, TextLen: len(text), COSELen: len(msg), QRVersion: v}
	status := StatusIssued
	if opts.Combined {
		status = StatusPending
	}
	res.ent = RegisterEntry{ID: c.IDString(), StaffNumber: rec.Person.StaffNumber, Name: rec.Person.Name, IssuedAt: c.IssuedAt,
		Expires: c.Expires, KID: fmt.Sprintf("%x", opts.Issuer.KID), BatchID: batch, Row: rec.Row, File: file, Status: status}
	return res
}

// writeManifest writes the batch's issued credentials, in input order, as
// CSV: row, staff number, name, credential id, file, combined PDF, page.
func writeManifest(reg *Register, batch, path string) error {
	return writeAtomic(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"row", "staff_number", "name", "credential_id", "file", "combined", "page", "issued_at", "expires"})
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
				e.IssuedAt.Format("2006-01-02"), e.Expires.Format("2006-01-02")})
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
}
