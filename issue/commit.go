package issue

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"passport/layout"
)

// committer takes results in any order and, in input order, records them
// in the register and then writes them out. It runs on one goroutine.
type committer struct {
	opts     Options
	reg      *Register
	sum      *Summary
	total    int           // passports this run should print, for progress
	slots    chan struct{} // one taken by the reader per job in flight
	combined *combinedPDF  // nil without Options.Combined
	out      *output       // writes what is recorded

	pending  map[int]result // arrived before their turn
	next     int            // sequence number of the next result in order
	group    []result       // in order, waiting to be recorded together
	pages    int            // pages of the combined PDF, including group's
	recorded int            // passports handed over in this run
	last     time.Time      // of the last register commit
}

func newCommitter(opts Options, reg *Register, sum *Summary, total int, slots chan struct{}) (*committer, error) {
	c := &committer{opts: opts, reg: reg, sum: sum, total: total, slots: slots, pending: map[int]result{}, last: time.Now()}
	if opts.Combined {
		var err error
		if c.combined, err = newCombinedPDF(opts.OutDir, opts.Now); err != nil {
			return nil, err
		}
	}
	c.out = newOutput(c.combined)
	return c, nil
}

// add takes one result and handles every result now due in order.
func (c *committer) add(res result) error {
	c.pending[res.seq] = res
	for {
		r, ok := c.pending[c.next]
		if !ok {
			return nil
		}
		delete(c.pending, c.next)
		c.next++
		<-c.slots
		if err := c.accept(r); err != nil {
			return err
		}
	}
}

// accept counts a result and queues it for the next register commit.
func (c *committer) accept(res result) error {
	if res.err != nil {
		c.sum.FailedRows++
		var re *RowError
		if !errors.As(res.err, &re) {
			re = &RowError{Row: res.row, Reason: res.err.Error()}
		}
		c.sum.addErr(c.opts, re)
		return nil
	}
	c.sum.SignTime += res.sign
	if res.pp != nil {
		res.ent.Combined = c.sum.Combined
		res.ent.Page = c.pages + 1
		c.pages += res.pp.Pages()
	}
	c.group = append(c.group, res)
	if res.reused {
		c.sum.Reprinted++
	} else {
		c.sum.Issued++
	}
	c.recorded++
	if c.opts.AfterRecord != nil {
		if err := c.opts.AfterRecord(c.recorded); err != nil {
			return err
		}
	}
	if c.opts.Progress != nil {
		c.opts.Progress("issuing", c.sum.Issued+c.sum.Reprinted, c.total)
	}
	if len(c.group) >= commitEvery || time.Since(c.last) > commitInterval {
		return c.commit()
	}
	return nil
}

// commit records the group in one transaction, then hands it to the
// output, which writes its pages and files: never the other way round, so
// no credential reaches the disk before the register knows it.
func (c *committer) commit() error {
	if len(c.group) == 0 {
		return nil
	}
	ents := make([]RegisterEntry, len(c.group))
	for i, r := range c.group {
		ents[i] = r.ent
	}
	n, err := c.reg.record(ents)
	if err != nil {
		return fmt.Errorf("register: %v", err)
	}
	c.sum.Superseded += n
	if err := c.out.send(c.group); err != nil {
		return err
	}
	c.group = make([]result, 0, len(c.group)) // the output owns the old one
	c.last = time.Now()
	return nil
}

// finish records what is left, waits for the output, puts the PDFs on
// disk and completes the combined PDF, whose credentials then count as
// issued.
func (c *committer) finish() error {
	if err := c.commit(); err != nil {
		return err
	}
	if err := c.out.wait(); err != nil {
		return err
	}
	if !c.opts.NoIndividual && !fsyncEachFile {
		if err := syncDir(c.opts.OutDir); err != nil {
			return fmt.Errorf("cannot flush the PDFs to disk: %v", err)
		}
	}
	if c.combined == nil {
		return nil
	}
	if c.pages == 0 {
		c.sum.Combined = ""
		c.combined.discard()
		return nil
	}
	if err := c.combined.finish(c.sum.Combined); err != nil {
		return err
	}
	c.sum.Pages = c.pages
	if err := c.reg.markIssued(c.sum.BatchID); err != nil {
		return fmt.Errorf("register: %v", err)
	}
	return nil
}

// close releases the combined PDF's file. An unfinished one is left under
// its temporary name, as a crash would leave it; --resume removes it.
func (c *committer) close() {
	c.out.wait()
	if c.combined != nil {
		c.combined.close()
	}
}

// output writes recorded groups of passports, in order: their pages to
// the combined PDF and each person's PDF. It runs on its own goroutine so
// that file writing overlaps signing instead of stalling it.
type output struct {
	combined *combinedPDF
	groups   chan []result
	done     chan struct{}
	once     sync.Once
	mu       sync.Mutex
	err      error // the first write error; later groups are dropped
}

func newOutput(combined *combinedPDF) *output {
	o := &output{combined: combined, groups: make(chan []result, 1), done: make(chan struct{})}
	go o.run()
	return o
}

func (o *output) run() {
	defer close(o.done)
	for g := range o.groups {
		if o.failed() != nil {
			continue
		}
		if err := o.write(g); err != nil {
			o.mu.Lock()
			o.err = err
			o.mu.Unlock()
		}
	}
}

func (o *output) write(g []result) error {
	for _, r := range g {
		if r.pp != nil {
			if err := o.combined.add(r.pp); err != nil {
				return err
			}
		}
		if r.pdf != nil {
			if err := writeAtomicSync(r.ent.File, fsyncEachFile, func(w io.Writer) error {
				_, err := w.Write(r.pdf)
				return err
			}); err != nil {
				return fmt.Errorf("cannot write %s: %v", r.ent.File, err)
			}
		}
	}
	return nil
}

func (o *output) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// send queues a recorded group, or reports an earlier write error.
func (o *output) send(g []result) error {
	if err := o.failed(); err != nil {
		return err
	}
	o.groups <- g
	return nil
}

// wait lets the output write what it was sent and returns its error.
func (o *output) wait() error {
	o.once.Do(func() { close(o.groups) })
	<-o.done
	return o.failed()
}

// combinedPDF is the print-ready PDF of a run, streamed to a temporary
// file and renamed when complete.
type combinedPDF struct {
	tmp    *os.File
	bw     *bufio.Writer
	stream *layout.Stream
	done   bool
}

func newCombinedPDF(dir string, now time.Time) (*combinedPDF, error) {
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*.pdf")
	if err != nil {
		return nil, fmt.Errorf("cannot create the combined PDF: %v", err)
	}
	p := &combinedPDF{tmp: tmp, bw: bufio.NewWriterSize(tmp, 1<<20)}
	if p.stream, err = layout.NewStream(p.bw, now); err != nil {
		tmp.Close()
		return nil, err
	}
	return p, nil
}

func (p *combinedPDF) add(pp *layout.Passport) error { return p.stream.Add(pp) }

// finish completes the PDF, puts it on disk and gives it its name.
func (p *combinedPDF) finish(path string) error {
	if err := p.stream.Close(); err != nil {
		return err
	}
	if err := p.bw.Flush(); err != nil {
		return fmt.Errorf("writing the combined PDF: %v", err)
	}
	if err := p.tmp.Sync(); err != nil {
		return fmt.Errorf("writing the combined PDF: %v", err)
	}
	if err := p.tmp.Close(); err != nil {
		return fmt.Errorf("writing the combined PDF: %v", err)
	}
	p.done = true
	if err := os.Rename(p.tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the combined PDF: %v", err)
	}
	return nil
}

func (p *combinedPDF) close() {
	if !p.done {
		p.tmp.Close()
	}
}

// discard removes a combined PDF that received no page.
func (p *combinedPDF) discard() {
	p.tmp.Close()
	os.Remove(p.tmp.Name())
	p.done = true
}
