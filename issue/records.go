// Package issue turns HR staff records into signed credentials and printed
// PDF passports.
package issue

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"

	"passport/credential"
)

// Record is one validated staff record: everything of the claims except the
// signing metadata (issuer, dates of the passport, credential id).
type Record struct {
	Row        int // 1-based line in the input, header = 1
	Person     credential.Person
	Employment credential.Employment
	Checks     []credential.Check
	Training   []credential.Training
	Photo      string // path of the holder's photo (JPEG or PNG), or ""
}

// RowError says what is wrong with one cell of the input.
type RowError struct {
	Row    int
	Column string
	Value  string
	Reason string
}

func (e *RowError) Error() string {
	switch {
	case e.Row == 0:
		return e.Reason
	case e.Column == "":
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d, column %q: %s", e.Row, e.Column, e.Reason)
}

// Limits on HR input: a care system has ~72,000 staff; a cell longer than
// a few hundred characters is a pasting accident.
const (
	MaxRows      = 1_000_000
	MaxCellBytes = 512
)

// columns of the CSV, after normalising the header (lower case, spaces and
// hyphens to underscores).
var required = []string{"staff_number", "name", "date_of_birth", "role"}
var optional = []string{"latin_name", "registration", "staff_group", "start_date", "photo"}

// CSVReader reads HR staff records from CSV, one at a time, so a batch of any
// size streams. The header names the columns (see README).
type CSVReader struct {
	r      *csv.Reader
	col    map[string]int
	header []string
	row    int
}

// NewCSVReader reads the header and checks the columns. An unknown column is
// an error for the whole file: it would otherwise be silently dropped from
// every passport.
func NewCSVReader(r io.Reader) (*CSVReader, error) { return NewCSVReaderMap(r, nil) }

// NewCSVReaderMap is NewCSVReader with the column names renamed by the
// map's "columns" (nil: none); a column the map ignores is skipped.
func NewCSVReaderMap(r io.Reader, m *Map) (*CSVReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &RowError{Reason: "the file is empty: the first line must name the columns"}
	} else if err != nil {
		return nil, &RowError{Row: 1, Reason: "cannot read the header: " + err.Error()}
	}
	c := &CSVReader{r: cr, col: map[string]int{}, row: 1}
	known := knownColumns()
	for i, h := range header {
		name, use := m.column(normaliseHeader(h))
		if !use {
			name = ""
		}
		c.header = append(c.header, name)
		if name == "" {
			continue
		}
		if !known[name] {
			what := "unknown column"
			if strings.HasSuffix(name, "_date") || strings.HasSuffix(name, "_expiry") || strings.HasSuffix(name, "_outcome") {
				what = "unknown check type or training subject in column"
			}
			return nil, &RowError{Row: 1, Column: h, Reason: what + " " + fmt.Sprintf("%q", h) + " (README lists the columns)"}
		}
		if _, dup := c.col[name]; dup {
			return nil, &RowError{Row: 1, Column: h, Reason: "the column appears twice"}
		}
		c.col[name] = i
	}
	for _, k := range required {
		if _, ok := c.col[k]; !ok {
			return nil, &RowError{Row: 1, Column: k, Reason: fmt.Sprintf("the required column %q is missing", k)}
		}
	}
	return c, nil
}

// knownColumns is the set of accepted (normalised) column names.
func knownColumns() map[string]bool {
	known := map[string]bool{}
	for _, k := range append(append([]string{}, required...), optional...) {
		known[k] = true
	}
	for _, t := range credential.CheckTypes {
		known[t.Code()+"_date"], known[t.Code()+"_expiry"], known[t.Code()+"_outcome"] = true, true, true
		if c := t.LevelColumn(); c != "" {
			known[c] = true
		}
	}
	for _, s := range credential.Subjects {
		known[s.Code()+"_date"], known[s.Code()+"_expiry"] = true, true
		if c := s.LevelColumn(); c != "" {
			known[c] = true
		}
	}
	return known
}

func normaliseHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff") // Excel's byte-order mark
	h = credential.NormalizeCode(h)
	for strings.Contains(h, "__") {
		h = strings.ReplaceAll(h, "__", "_")
	}
	return h
}

// Next returns the next record. A row with errors returns them all (with a
// nil record) so the caller can report and carry on; io.EOF ends the file.
// A read error that is not about the CSV syntax (the disk, the network
// share) stops the batch: retrying would read nothing forever.
func (c *CSVReader) Next() (*Record, []*RowError, error) {
	for {
		fields, err := c.r.Read()
		c.row++
		if err == io.EOF {
			return nil, nil, io.EOF
		}
		if c.row > MaxRows {
			return nil, nil, fmt.Errorf("more than %d rows: split the file", MaxRows)
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("cannot read row %d: %w", c.row, err)
			}
			if pe.Err != csv.ErrFieldCount {
				return nil, []*RowError{{Row: c.row, Reason: "malformed CSV: " + pe.Err.Error()}}, nil
			}
		}
		if allEmpty(fields) {
			continue
		}
		get := func(name string) string {
			i, ok := c.col[name]
			if !ok || i >= len(fields) {
				return ""
			}
			return strings.TrimSpace(fields[i])
		}
		rec, errs := parseRecord(c.row, get)
		return rec, errs, nil
	}
}

func allEmpty(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// parseRecord validates one row; get returns a cell by normalised column name.
func parseRecord(row int, get func(string) string) (*Record, []*RowError) {
	var errs []*RowError
	bad := func(col, val, reason string) {
		errs = append(errs, &RowError{Row: row, Column: col, Value: val, Reason: reason})
	}
	text := func(col string, need bool) string {
		v := norm.NFC.String(get(col))
		switch {
		case need && v == "":
			bad(col, v, "is empty: every passport needs it")
		case len(v) > MaxCellBytes:
			bad(col, "", fmt.Sprintf("is %d bytes long, over the %d-byte limit", len(v), MaxCellBytes))
		case strings.IndexFunc(v, credential.UnsafeRune) >= 0:
			bad(col, v, "contains control, bidirectional, invisible or blank-rendering characters (such as U+202E or U+2800): remove them in the HR system")
		}
		return v
	}
	date := func(col string, need bool) credential.Date {
		v := get(col)
		if v == "" {
			if need {
				bad(col, v, "is empty: a date is needed")
			}
			return credential.Date{}
		}
		d, err := credential.ParseDate(v)
		if err != nil {
			bad(col, v, fmt.Sprintf("%s is not a date (use YYYY-MM-DD or DD/MM/YYYY)", v))
		}
		return d
	}
	r := &Record{Row: row}
	r.Person = credential.Person{
		Name: text("name", true), LatinName: text("latin_name", false), DateOfBirth: date("date_of_birth", true),
		StaffNumber: text("staff_number", true), Registration: text("registration", false),
	}
	if r.Person.LatinName == "" {
		r.Person.LatinName = Transliterate(r.Person.Name)
	}
	r.Photo = text("photo", false)
	r.Employment = credential.Employment{Role: text("role", true), StaffGroup: text("staff_group", false), Start: date("start_date", false)}
	r.Checks = parseChecks(get, date, bad)
	r.Training = parseTraining(get, date, bad)
	if len(errs) > 0 {
		return nil, errs
	}
	return r, nil
}

// parseChecks reads the columns of every check type in the registry: date,
// expiry, outcome and, where the type has one, its level column (dbs_level,
// occupational_health_clearance). A level the registry requires (DBS) must
// be given; a level column filled in without the check's date is refused
// rather than dropped.
func parseChecks(get func(string) string, date func(string, bool) credential.Date, bad func(col, val, reason string)) []credential.Check {
	var out []credential.Check
	for _, d := range credential.CheckDefs() {
		t := credential.CheckType(d.ID)
		done := date(t.Code()+"_date", false)
		exp := date(t.Code()+"_expiry", false)
		oc := get(t.Code() + "_outcome")
		lcol := t.LevelColumn()
		lvl := ""
		if lcol != "" {
			lvl = get(lcol)
		}
		if done.IsZero() {
			if !exp.IsZero() || oc != "" || lvl != "" {
				bad(t.Code()+"_date", "", "is empty but the check has other details: give the date it was done")
			}
			continue
		}
		outcome, err := credential.ParseOutcome(oc)
		if err != nil {
			bad(t.Code()+"_outcome", oc, err.Error())
		}
		ch := credential.Check{Type: t, Outcome: outcome, Done: done, Expires: exp}
		if !exp.IsZero() && exp.Before(done) {
			bad(t.Code()+"_expiry", exp.String(), "is before the date the check was done")
		}
		switch {
		case lvl == "" && d.LevelRequired:
			bad(lcol, "", "is empty: a "+d.Label+" check needs its "+d.LevelName+" (one of "+levelCodes(d.Levels)+")")
		case lvl != "":
			l, err := credential.ParseCheckLevel(t, lvl)
			if err != nil {
				bad(lcol, lvl, "must be one of "+levelCodes(d.Levels))
			}
			ch.Level = l.Code
		}
		out = append(out, ch)
	}
	return out
}

// parseTraining reads the columns of every subject in the registry: date,
// expiry (default: the registry's refresher period) and, where the subject
// has levels, its level column ("3", "level 3" and "level_3" are the same).
func parseTraining(get func(string) string, date func(string, bool) credential.Date, bad func(col, val, reason string)) []credential.Training {
	var out []credential.Training
	for _, s := range credential.Subjects {
		done := date(s.Code()+"_date", false)
		exp := date(s.Code()+"_expiry", false)
		lcol := s.LevelColumn()
		lvl := ""
		if lcol != "" {
			lvl = get(lcol)
		}
		if done.IsZero() {
			if !exp.IsZero() || lvl != "" {
				bad(s.Code()+"_date", "", "is empty but an expiry or level is given: give the completion date")
			}
			continue
		}
		if exp.IsZero() {
			exp = credential.DateOf(done.Time().AddDate(s.RefresherYears(), 0, 0)) // from the registry
		} else if exp.Before(done) {
			bad(s.Code()+"_expiry", exp.String(), "is before the completion date")
		}
		tr := credential.Training{Subject: s, Completed: done, Expires: exp}
		if lvl != "" {
			l, err := credential.ParseSubjectLevel(s, lvl)
			if err != nil {
				bad(lcol, lvl, "must be one of "+levelCodes(s.Levels())+" (or just the number)")
			}
			tr.Level = l.Code
		}
		out = append(out, tr)
	}
	return out
}

func levelCodes(list []credential.LevelDef) string {
	codes := make([]string, len(list))
	for i, l := range list {
		codes[i] = l.Code
	}
	return strings.Join(codes, ", ")
}
