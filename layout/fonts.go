package layout

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"passport/credential"
)

// DejaVu Sans covers Latin (including Vietnamese), Greek and Cyrillic; the Go
// fonts lack ễ, ị, ặ. See fonts/README.md and fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// fontFamily is the family name the fonts are registered under in each PDF.
const fontFamily = "DejaVu"

// MaxFieldRunes caps each printed text field. The longest legitimate field
// (an organisation name) is well under 200 characters, and the issuer's
// CSV cells hold at most 512 bytes; the cap keeps a corrupt record from
// producing megabytes of text or a very slow line break. A longer field
// is an error: the page never prints part of a signed field.
const MaxFieldRunes = 512

// coverage is the set of runes that both embedded fonts can draw.
var coverage struct {
	once sync.Once
	set  map[rune]bool
	err  error
}

// fontCoverage parses the embedded fonts once per process and returns the
// runes both of them have glyphs for.
func fontCoverage() (map[rune]bool, error) {
	coverage.once.Do(func() {
		var sets []map[rune]bool
		for _, src := range [][]byte{fontRegular, fontBold} {
			s, err := runeSet(src)
			if err != nil {
				coverage.err = err
				return
			}
			sets = append(sets, s)
		}
		for r := range sets[0] {
			if !sets[1][r] {
				delete(sets[0], r)
			}
		}
		coverage.set = sets[0]
	})
	return coverage.set, coverage.err
}

// runeSet lists the Basic Multilingual Plane runes that font src maps to a
// real glyph. gofpdf's UTF-8 font code indexes a 65536-entry width table, so
// runes beyond the BMP must never reach it.
func runeSet(src []byte) (map[rune]bool, error) {
	f, err := sfnt.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("layout: embedded font is unreadable: %v", err)
	}
	var b sfnt.Buffer
	set := make(map[rune]bool, 6000)
	for r := rune(0x20); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 { // surrogates are not characters
			continue
		}
		if i, err := f.GlyphIndex(&b, r); err == nil && i != 0 {
			set[r] = true
		}
	}
	return set, nil
}

// clean prepares untrusted text for printing: it composes combining marks
// (NFC, so "e"+U+0302+U+0303 prints as the single glyph ễ), turns line breaks
// and tabs into spaces, drops other control and format characters, replaces
// characters the font cannot draw with "?". It keeps the whole text:
// checkFieldLengths refuses fields too long to print.
func clean(s string, cov map[rune]bool) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			r = ' '
		case invisible(r):
			continue
		case !cov[r]:
			r = '?'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// invisible reports a control or format character: clean turns line breaks
// and tabs into spaces and drops the rest, so none is ever drawn.
func invisible(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// unprintable lists, once each, the characters of s the fonts cannot draw
// (control and format characters, which clean drops, are not counted).
func unprintable(s string, cov map[rune]bool) []rune {
	var out []rune
	for _, r := range norm.NFC.String(s) {
		if invisible(r) || cov[r] {
			continue
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// checkPrintableName refuses a name the fonts cannot print (Chinese,
// Japanese, Korean, Arabic, Hebrew, Thai, Devanagari...) when no
// Latin-script name is given to print in its place: a receptionist
// comparing "?? ???" with an identity document would be misled.
func checkPrintableName(per credential.Person, cov map[rune]bool) error {
	bad := unprintable(per.Name, cov)
	if len(bad) == 0 || latinName(per.LatinName) != "" {
		return nil
	}
	return fmt.Errorf("layout: the name %q has characters the passport's font cannot print (%s): give the name in Latin script, as on the person's identity document, in the latin_name column (e.g. WANG<<FANG)", per.Name, string(bad))
}

// checkFieldLengths refuses claims with a printed field longer than
// MaxFieldRunes, naming the field.
func checkFieldLengths(c *credential.Claims) error {
	per, emp := c.Body.Person, c.Body.Employment
	fields := []struct{ name, v string }{
		{"name", per.Name}, {"Latin-script name", per.LatinName}, {"staff number", per.StaffNumber},
		{"registration", per.Registration}, {"organisation code", emp.OrgCode}, {"organisation name", emp.OrgName},
		{"role", emp.Role}, {"staff group", emp.StaffGroup}, {"issuer", c.Issuer},
	}
	for i, ch := range c.Body.Checks {
		fields = append(fields, struct{ name, v string }{fmt.Sprintf("level of check %d", i+1), ch.Level})
	}
	for _, f := range fields {
		if n := utf8.RuneCountInString(f.v); n > MaxFieldRunes {
			return fmt.Errorf("layout: the %s is %d characters long, over the %d that a page prints; shorten it in the HR record", f.name, n, MaxFieldRunes)
		}
	}
	return nil
}
