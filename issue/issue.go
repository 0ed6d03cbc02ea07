package issue

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passport/credential"
	"passport/keys"
	"passport/layout"
)

// DefaultValidity is how long a passport is valid when --valid-for is not
// given: a year, after which checks and training are usually re-confirmed.
const DefaultValidity = 365 * 24 * time.Hour

// Options control a batch.
type Options struct {
	Issuer   *keys.Issuer
	OutDir   string
	ValidFor time.Duration // zero: DefaultValidity
	Now      time.Time     // zero: time.Now()
	Layout   layout.Options

	// NoIndividual turns off the one-PDF-per-person output (the default).
	NoIndividual bool
	// Combined also writes one print-ready PDF of every passport of the
	// run, in input order: OUT/passports-BATCH.pdf.
	Combined bool
	// Register is the issuer register file; "" means OUT/register.db.
	Register string
	// Resume continues the last unfinished batch of the register: people
	// it already issued are skipped.
	Resume bool
	// CheckOnly validates the input and stops: nothing is signed or written.
	CheckOnly bool
	// RefuseLapsed makes a check or training item already lapsed on the
	// day of issue an error of its row instead of a warning.
	RefuseLapsed bool
	// PhotoDir resolves relative photo paths ("" : the current directory).
	PhotoDir string
	// Workers is the number of signing and layout goroutines; 0: GOMAXPROCS.
	Workers int
	// MaxErrors caps the row errors kept in the Summary (the rest are
	// counted); 0 means DefaultMaxErrors.
	MaxErrors int
	// Progress, if set, is called from the writer after each passport
	// and after each validated row (done, total; total is 0 while validating).
	Progress func(phase string, done, total int)
	// CheckPage, if set, is called by a worker for each rendered passport
	// before it is written (the self-check print-quality gate hooks in
	// here); an error fails that row.
	CheckPage func(rec *Record, p *layout.Passport, text string) error
	// AfterRecord, if set, is called after each passport is handed to the
	// writer, with the number recorded so far in this run; an error stops
	// the batch at once, as a crash would (tests inject failures with it).
	AfterRecord func(n int) error
}

// DefaultMaxErrors is how many row errors a Summary keeps; more are counted.
const DefaultMaxErrors = 1000

// Summary is the outcome of a batch. It holds counts, not the passports,
// so it stays small however large the batch.
type Summary struct {
	BatchID    string
	Rows       int // data rows read
	Valid      int // rows that passed validation
	Issued     int // passports issued in this run
	Skipped    int // already issued by an earlier run of the batch (--resume)
	Reprinted  int // recorded by an earlier run but not on paper: printed again, not signed again
	Superseded int // earlier live passports of the same staff numbers, now marked superseded in the register
	Errors     []*RowError
	ErrorCount int // all row errors, including those not kept in Errors
	FailedRows int // rows with at least one error
	// Warnings are the valid rows with items lapsed or lapsing within
	// LapseWarningDays on the day of issue, one per row (capped as Errors
	// are); WarnedRows counts them all.
	Warnings   []*RowError
	WarnedRows int
	Register   string
	Manifest   string
	Combined   string
	Pages      int
	SignTime   time.Duration // CPU time spent signing, summed over workers
	Elapsed    time.Duration
}

// Source yields records; *CSVReader and *JSONLReader are sources.
type Source interface {
	Next() (*Record, []*RowError, error)
}

// Claims builds the claims for a record signed by iss at now.
func Claims(rec *Record, iss *keys.Issuer, now time.Time, validFor time.Duration) (*credential.Claims, error) {
	if validFor <= 0 {
		validFor = DefaultValidity
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Second)
	emp := rec.Employment
	emp.OrgCode, emp.OrgName = iss.OrgCode, iss.OrgName
	return &credential.Claims{
		Issuer: iss.OrgCode, IssuedAt: now, NotBefore: now, Expires: now.Add(validFor), ID: id,
		Body: credential.Body{Version: credential.SchemaVersion, Person: rec.Person, Employment: emp,
			Checks: rec.Checks, Training: rec.Training},
	}, nil
}

// tmpPrefix starts the name of every temporary file; a resumed batch
// removes those an interrupted run left behind.
const tmpPrefix = ".tmp-"

// writeAtomic writes through a temporary file in the same directory and
// renames it, so no half-written PDF ever has the final name.
func writeAtomic(path string, write func(io.Writer) error) error {
	return writeAtomicSync(path, true, write)
}

// writeAtomicSync is writeAtomic with the fsync optional: a batch syncs the
// whole file system before it records the files instead.
func writeAtomicSync(path string, sync bool, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// FileName is a PDF file name for a staff number that is safe on Linux,
// macOS and Windows: only letters, digits, '-' and '_', no reserved device
// names.
func FileName(staffNumber string) string {
	var b strings.Builder
	for _, r := range staffNumber {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	switch strings.ToUpper(s) {
	case "", "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		s = "_" + s
	}
	return s + ".pdf"
}
