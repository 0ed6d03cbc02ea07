package issue

import (
	"crypto/rand"
	"fmt"
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
}

// Issued describes one passport written.
type Issued struct {
	Row          int
	StaffNumber  string
	Name         string
	CredentialID string
	File         string
	TextLen      int // characters of the SP1: text
	COSELen      int // bytes of the signed COSE message
	QRVersion    int
}

// Summary is the outcome of a batch.
type Summary struct {
	Issued []Issued
	Errors []*RowError
}

// Source yields records; *CSVReader is one.
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

// Run issues one PDF per valid record into opts.OutDir. Rows with errors are
// reported in the summary and skipped; the rest are still issued. The error
// is for failures that stop the whole batch (unwritable directory, ...).
func Run(src Source, opts Options) (Summary, error) {
	var sum Summary
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return sum, fmt.Errorf("cannot create the output directory: %w", err)
	}
	seen := map[string]int{}
	for {
		rec, errs, err := src.Next()
		if err == io.EOF {
			return sum, nil
		}
		if err != nil {
			return sum, err
		}
		if len(errs) > 0 {
			sum.Errors = append(sum.Errors, errs...)
			continue
		}
		file := FileName(rec.Person.StaffNumber)
		if prev, dup := seen[strings.ToLower(file)]; dup {
			sum.Errors = append(sum.Errors, &RowError{Row: rec.Row, Column: "staff_number", Value: rec.Person.StaffNumber,
				Reason: fmt.Sprintf("staff number %q already appears in row %d", rec.Person.StaffNumber, prev)})
			continue
		}
		seen[strings.ToLower(file)] = rec.Row
		it, err := issueOne(rec, opts, filepath.Join(opts.OutDir, file))
		if err != nil {
			sum.Errors = append(sum.Errors, &RowError{Row: rec.Row, Reason: err.Error()})
			continue
		}
		sum.Issued = append(sum.Issued, it)
	}
}

func issueOne(rec *Record, opts Options, path string) (Issued, error) {
	c, err := Claims(rec, opts.Issuer, opts.Now, opts.ValidFor)
	if err != nil {
		return Issued{}, err
	}
	msg, err := credential.Sign(c, opts.Issuer.Key, opts.Issuer.KID)
	if err != nil {
		return Issued{}, err
	}
	text := credential.Encode(msg)
	doc, err := layout.NewDocument(opts.Layout)
	if err != nil {
		return Issued{}, err
	}
	if err := doc.AddPassport(c, text); err != nil {
		return Issued{}, err
	}
	if err := writeAtomic(path, doc.Write); err != nil {
		return Issued{}, err
	}
	v, _ := layout.QRVersion(text, opts.Layout.ECC)
	return Issued{Row: rec.Row, StaffNumber: rec.Person.StaffNumber, Name: rec.Person.Name, CredentialID: c.IDString(),
		File: path, TextLen: len(text), COSELen: len(msg), QRVersion: v}, nil
}

// writeAtomic writes through a temporary file in the same directory and
// renames it, so no half-written PDF ever has the final name.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.pdf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
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
