package dcc

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The DCC JSON schema's length caps (schema 1.3, in characters).
const (
	maxNameLen   = 80 // nam.fn, fn, gn, gnt
	maxIssuerLen = 80 // is
)

// SchemaError is a rule of the DCC JSON schema that a certificate breaks:
// the field (as the schema names it, with its entry) and the rule.
type SchemaError struct {
	Field string // e.g. "nam.gnt", "v[0].dt"
	Rule  string // e.g. "is not a date (YYYY-MM-DD)"
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("the EU DCC does not follow its schema: %s %s", e.Field, e.Rule)
}

// Validate checks a certificate against the rules of the DCC JSON schema
// (1.3) that the EU's test data holds issuers to, and the one sanity rule
// that data adds: nobody is born after their certificate was issued.
// issued is the CWT iat.
//
// Checked: exactly one entry type (v, t or r); ver is MAJOR.MINOR.PATCH;
// the transliterated names fnt and gnt are ICAO 9303 ([A-Z<]*) and every
// name is at most 80 characters and holds no symbol or control character
// (an emoji is not part of a name); dob is a year 1900-2099 with an
// optional month and day, or empty; dates (dt, fr, df, du) are YYYY-MM-DD
// (a time after the date tolerated) and the sample time (sc) is an RFC
// 3339 date-time; the issuer (is) is at most 80 characters.
//
// Left out, because issuers the EU accepts in its own test data break
// them, or because they change over time: dn and sd of at least 1 (dn 0
// and sd 0 are accepted there), required fields written empty (co, mp,
// // ma, vp, tr), a dob or date with a time after the date
// ("1978-01-26T00:00:00"), the 80-character cap of the testing centre
// (tc) and test name (nm), at most one entry of the type, and the value sets (vaccines, test
// devices, countries: new ones are added, and an offline verifier with a
// stale copy would refuse valid certificates).
func (h *Cert) Validate(issued time.Time) error {
	types := 0
	for _, n := range []int{len(h.V), len(h.T), len(h.R)} {
		if n > 0 {
			types++
		}
	}
	if types != 1 {
		return &SchemaError{"v, t, r", fmt.Sprintf("must hold exactly one type of entry, not %d (a certificate is a vaccination, a test or a recovery)", types)}
	}
	if h.Nam == nil {
		return &SchemaError{"nam", "is required"}
	}
	if !isVersion(h.Ver) {
		return &SchemaError{"ver", fmt.Sprintf("%q is not a schema version (MAJOR.MINOR.PATCH)", h.Ver)}
	}
	if err := h.Nam.validate(); err != nil {
		return err
	}
	if err := validDOB(h.Dob, issued); err != nil {
		return err
	}
	for i, v := range h.V {
		f := fmt.Sprintf("v[%d].", i)
		if err := firstErr(isDate(f+"dt", v.Date), maxLen(f+"is", v.Issuer, maxIssuerLen)); err != nil {
			return err
		}
	}
	for i, t := range h.T {
		f := fmt.Sprintf("t[%d].", i)
		if err := firstErr(isDateTime(f+"sc", t.SampleTime), maxLen(f+"is", t.Issuer, maxIssuerLen)); err != nil {
			return err
		}
	}
	for i, r := range h.R {
		f := fmt.Sprintf("r[%d].", i)
		if err := firstErr(isDate(f+"fr", r.FirstPositive), isDate(f+"df", r.ValidFrom), isDate(f+"du", r.ValidUntil),
			maxLen(f+"is", r.Issuer, maxIssuerLen)); err != nil {
			return err
		}
	}
	return nil
}

func (n *Name) validate() error {
	for _, s := range []struct{ field, v string }{{"nam.fnt", n.FamilyNameStandard}, {"nam.gnt", n.GivenNameStandard}} {
		for _, c := range s.v {
			if (c < 'A' || c > 'Z') && c != '<' {
				return &SchemaError{s.field, fmt.Sprintf("holds %q: a transliterated name is written in A-Z and < only (ICAO 9303)", c)}
			}
		}
		if err := maxLen(s.field, s.v, maxNameLen); err != nil {
			return err
		}
	}
	for _, s := range []struct{ field, v string }{{"nam.fn", n.FamilyName}, {"nam.gn", n.GivenName}} {
		if err := maxLen(s.field, s.v, maxNameLen); err != nil {
			return err
		}
		for _, c := range s.v {
			if unicode.IsControl(c) || unicode.In(c, unicode.So, unicode.Sk, unicode.Cs, unicode.Co) {
				return &SchemaError{s.field, fmt.Sprintf("holds %q (U+%04X), a symbol or control character, not part of a name", c, c)}
			}
		}
	}
	return nil
}

// validDOB: "" or YYYY, YYYY-MM, YYYY-MM-DD with a year 1900-2099 (the
// schema's pattern, which allows month and day 00 for an unknown part),
// a time after a full date tolerated, and not after the issue time.
func validDOB(dob string, issued time.Time) error {
	date, _, hasTime := strings.Cut(dob, "T")
	ok := len(date) == 4 || len(date) == 7 || len(date) == 10
	ok = ok && (strings.HasPrefix(date, "19") || strings.HasPrefix(date, "20")) && (!hasTime || len(date) == 10)
	for i := 0; ok && i < len(date); i++ {
		if i == 4 || i == 7 {
			ok = date[i] == '-'
		} else {
			ok = date[i] >= '0' && date[i] <= '9'
		}
	}
	if dob == "" {
		return nil
	}
	if !ok {
		return &SchemaError{"dob", fmt.Sprintf("%q is not a date of birth (YYYY-MM-DD, YYYY-MM or YYYY, year 1900-2099)", dob)}
	}
	// Compare the known part only: a birth in the month or year of issue
	// is possible.
	if issuedPart := issued.UTC().Format("2006-01-02")[:len(date)]; !issued.IsZero() && date > issuedPart {
		return &SchemaError{"dob", fmt.Sprintf("%s is after the certificate was issued (%s)", dob, issued.UTC().Format("2006-01-02"))}
	}
	return nil
}

func isVersion(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// isDate: YYYY-MM-DD, a real day. Issuers the EU accepts also write a
// time after the date ("2021-03-18T22:54:00+02:00"): tolerated, the
// date is what counts.
func isDate(field, s string) error {
	d := s
	if len(s) > 10 && s[10] == 'T' {
		d = s[:10]
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return &SchemaError{field, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)}
	}
	return nil
}

func isDateTime(field, s string) error {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return &SchemaError{field, fmt.Sprintf("%q is not a date and time (RFC 3339, e.g. 2021-05-24T15:20:00+02:00)", s)}
	}
	return nil
}

func maxLen(field, s string, n int) error {
	if c := utf8.RuneCountInString(s); c > n {
		return &SchemaError{field, fmt.Sprintf("is %d characters, over the schema's %d", c, n)}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
