package issue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"passport/credential"
	"passport/credential/sign"
	"passport/layout"
)

// Pass 2 of a batch is a pipeline of parts, each with one job:
//
//	reader (one goroutine)   input rows -> jobs, in input order
//	signers (Workers)        job -> signed, laid-out passport (a result)
//	committer (the caller)   results back in input order -> register,
//	                         one transaction per group
//	output (one goroutine)   recorded groups -> combined PDF pages and
//	                         each person's PDF (temporary file + rename)
//
// The committer records a group of credentials and only then hands it to
// the output, so a PDF (or a page of the unfinished combined PDF) never
// holds a credential the register does not know. The register keeps each
// credential's text, so --resume prints a recorded credential whose PDF
// is missing again instead of signing a second one.

// job is one person to print: a new credential to sign, or, with prior
// set, a credential an interrupted run recorded, to print again.
type job struct {
	seq   int
	rec   *Record
	prior *RegisterEntry
}

// result is a job done: the register entry, the pages for the combined
// PDF and the bytes of the person's own PDF (each nil when not written).
type result struct {
	seq    int
	row    int
	reused bool
	ent    RegisterEntry
	pp     *layout.Passport
	pdf    []byte
	err    error
	sign   time.Duration
}

// resumePlan is what earlier runs of a resumed batch left: people whose
// passports are done (skip) and credentials to print again (reprint).
type resumePlan struct {
	skip    map[string]bool
	reprint map[string]RegisterEntry
}

// planResume decides, for each credential the batch holds, whether its
// person is done or needs the same credential printed again.
func planResume(held map[string]RegisterEntry, opts Options) *resumePlan {
	p := &resumePlan{skip: map[string]bool{}, reprint: map[string]RegisterEntry{}}
	for staff, e := range held {
		if e.Text != "" && (e.Status == StatusPending || (!opts.NoIndividual && e.File != "" && !completePDF(e.File))) {
			p.reprint[staff] = e
		} else {
			p.skip[staff] = true
		}
	}
	return p
}

// completePDF reports whether path holds a PDF written to its end: a
// crash after the rename but before the data reached the disk can leave
// an empty or cut file under the final name.
func completePDF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < 16 {
		return false
	}
	tail := make([]byte, min(st.Size(), 1024))
	if _, err := f.ReadAt(tail, st.Size()-int64(len(tail))); err != nil {
		return false
	}
	return bytes.Contains(tail, []byte("%%EOF"))
}

// reader turns the valid rows of the input into jobs, in input order.
type reader struct {
	src     Source
	valid   *validation
	plan    *resumePlan
	skipped int
}

// run sends the jobs; slots bounds the jobs not yet handed to the
// committer (and so the reorder buffer). It stops at the end of the input,
// on a read error, or when ctx is cancelled.
func (rd *reader) run(ctx context.Context, jobs chan<- job, slots chan struct{}) error {
	defer close(jobs)
	for seq := 0; ; {
		rec, errs, err := rd.src.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if rec == nil || len(errs) > 0 || rd.valid.bad[rec.Row] {
			continue
		}
		if rd.plan.skip[rec.Person.StaffNumber] {
			rd.skipped++
			continue
		}
		j := job{seq: seq, rec: rec}
		if e, ok := rd.plan.reprint[rec.Person.StaffNumber]; ok {
			j.prior = &e
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		select {
		case jobs <- j:
			seq++
		case <-ctx.Done():
			return nil
		}
	}
}

// signer signs (or, for a reprint, decodes) a credential and lays it out.
// Signers run in parallel and share nothing mutable.
type signer struct {
	opts  Options
	r     *layout.Renderer
	batch string
}

func (s *signer) run(jobs <-chan job, results chan<- result) {
	for j := range jobs {
		results <- s.issue(j)
	}
}

func (s *signer) issue(j job) result {
	rec := j.rec
	res := result{seq: j.seq, row: rec.Row, reused: j.prior != nil}
	fail := func(col, reason string) result {
		res.err = &RowError{Row: rec.Row, Column: col, Reason: reason}
		return res
	}
	var photo *layout.Photo
	if rec.Photo != "" {
		var err error
		if photo, err = loadPhoto(s.opts, rec.Photo); err != nil {
			return fail("photo", err.Error())
		}
	}
	c, text, pp, err := s.printable(j, photo, &res)
	if err != nil {
		return fail("", err.Error())
	}
	res.ent = s.entry(rec, c, text)
	if s.opts.Combined {
		res.pp = pp
	}
	if !s.opts.NoIndividual {
		var b bytes.Buffer
		if err := layout.WritePDF(&b, s.opts.Now, pp); err != nil {
			return fail("", "cannot lay out the PDF: "+err.Error())
		}
		res.pdf = b.Bytes()
	}
	return res
}

// gateAttempts is how many fresh credentials a signer tries for one person
// when the print-quality gate refuses the page. The gate judges one exact
// symbol (a new credential id and signature give different modules), so a
// rare marginal symbol is replaced instead of failing the row; a record
// that fails every attempt is too dense to print and the row fails.
const gateAttempts = 3

// printable signs (or reuses) the person's credential, lays out the page
// and runs the print-quality gate on it. A refused page of a newly signed
// credential is signed again, up to gateAttempts times; nothing refused
// leaves the signer, so no unprinted credential exists anywhere.
func (s *signer) printable(j job, photo *layout.Photo, res *result) (*credential.Claims, string, *layout.Passport, error) {
	var gateErr error
	for attempt := 0; attempt < gateAttempts; attempt++ {
		t0 := time.Now()
		c, text, err := s.credential(j)
		if err != nil {
			return nil, "", nil, err
		}
		res.sign += time.Since(t0)
		pp, err := s.r.Render(c, text, photo)
		if err != nil {
			return nil, "", nil, err
		}
		if s.opts.CheckPage == nil {
			return c, text, pp, nil
		}
		if gateErr = s.opts.CheckPage(j.rec, pp, text); gateErr == nil {
			return c, text, pp, nil
		}
		if j.prior != nil {
			break // a recorded credential is reprinted as it is, never re-signed
		}
	}
	return nil, "", nil, errors.New("print check failed: " + gateErr.Error())
}

// credential signs a new credential for the job, or decodes the one an
// earlier run recorded (which was verified when it was signed).
func (s *signer) credential(j job) (*credential.Claims, string, error) {
	if j.prior != nil {
		signed, err := credential.Decode(j.prior.Text)
		if err != nil {
			return nil, "", fmt.Errorf("the registered credential %s cannot be read back: %v", j.prior.ID, err)
		}
		c, err := signed.Claims()
		if err != nil {
			return nil, "", fmt.Errorf("the registered credential %s cannot be read back: %v", j.prior.ID, err)
		}
		return c, j.prior.Text, nil
	}
	c, err := Claims(j.rec, s.opts.Issuer, s.opts.Now, s.opts.ValidFor)
	if err != nil {
		return nil, "", err
	}
	msg, err := sign.Sign(c, s.opts.Issuer.Key, s.opts.Issuer.KID)
	if err != nil {
		return nil, "", fmt.Errorf("signing failed: %v", err)
	}
	return c, credential.Encode(msg), nil
}

func (s *signer) entry(rec *Record, c *credential.Claims, text string) RegisterEntry {
	file := ""
	if !s.opts.NoIndividual {
		file = filepath.Join(s.opts.OutDir, FileName(rec.Person.StaffNumber))
	}
	status := StatusIssued
	if s.opts.Combined {
		status = StatusPending
	}
	return RegisterEntry{ID: c.IDString(), StaffNumber: rec.Person.StaffNumber, Name: rec.Person.Name, IssuedAt: c.IssuedAt,
		Expires: c.Expires, KID: fmt.Sprintf("%x", s.opts.Issuer.KID), BatchID: s.batch, Row: rec.Row, File: file,
		Status: status, Text: text}
}

// issueAll runs pass 2: the reader, the signers and the committer.
func issueAll(ctx context.Context, open func() (Source, error), opts Options, r *layout.Renderer, reg *Register,
	v *validation, plan *resumePlan, sum *Summary) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src, err := open()
	if err != nil {
		return err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	slots := make(chan struct{}, 4*opts.Workers)
	cm, err := newCommitter(opts, reg, sum, sum.Valid-len(plan.skip), slots)
	if err != nil {
		return err
	}
	defer cm.close()
	jobs := make(chan job, 2*opts.Workers)
	results := make(chan result, 2*opts.Workers)
	rd := &reader{src: src, valid: v, plan: plan}
	readErr := make(chan error, 1)
	go func() { readErr <- rd.run(ctx, jobs, slots) }()
	var wg sync.WaitGroup
	sg := &signer{opts: opts, r: r, batch: sum.BatchID}
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); sg.run(jobs, results) }()
	}
	go func() { wg.Wait(); close(results) }()

	var failed error
	for res := range results {
		if failed == nil {
			if failed = cm.add(res); failed != nil {
				cancel() // as a crash would: nothing more is recorded
			}
		}
	}
	err = <-readErr
	sum.Skipped = rd.skipped
	switch {
	case failed != nil:
		return failed
	case err != nil:
		return err
	}
	interrupted := ctx.Err() != nil
	if err := cm.finish(); err != nil {
		return err
	}
	if interrupted {
		return fmt.Errorf("%w (%d passports issued in this run)", ErrInterrupted, sum.Issued+sum.Reprinted)
	}
	return nil
}
