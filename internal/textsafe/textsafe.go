// Package textsafe is the one table of characters that must never reach a
// person as they are: they can make a name look blank, reordered, or split
// from a verdict printed beside it ("Alice" + U+202E + "boB DILAVNI" shows
// as "Alice INVALID Bob"). Every front end that shows or records text a
// person reads (the station page, the CLI, a PDF, log exports, HR input,
// the name typed at the desk) applies the same rule: issuers refuse such
// text (Hidden), verifiers show it visibly with a warning (Visible), and a
// typed name is kept without it (Clean) and refused when that leaves it
// blank (Blank).
package textsafe

import (
	"fmt"
	"strings"
	"unicode"
)

// Hidden reports a character that is invisible, blank, or changes the
// direction of the text around it:
//   - control characters (C0, C1, DEL), the line and paragraph separators
//     U+2028 and U+2029, and the byte-order mark U+FEFF;
//   - bidirectional marks, embeddings, overrides and isolates: U+061C,
//     U+200E, U+200F, U+202A–U+202E, U+2066–U+2069;
//   - zero-width and invisible formatting characters: U+200B–U+200D,
//     U+2060–U+2064, U+034F, U+00AD (soft hyphen), U+180B–U+180F
//     (Mongolian variation selectors and vowel separator), U+FFF9–U+FFFB
//     (interlinear annotation), U+17B4–U+17B5 (Khmer inherent vowels);
//   - variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF, and the tag
//     characters U+E0000–U+E007F;
//   - characters that render as blank space in most fonts although they are
//     not spaces: U+2800 (braille blank), U+3164, U+115F, U+1160, U+FFA0
//     (Hangul fillers).
func Hidden(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r >= 0x200B && r <= 0x200D, r >= 0x2060 && r <= 0x2064, r == 0x034F, r == 0x00AD,
		r >= 0x180B && r <= 0x180F, r >= 0xFFF9 && r <= 0xFFFB, r == 0x17B4, r == 0x17B5:
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF, r >= 0xE0000 && r <= 0xE007F:
		return true
	case r == 0x2800, r == 0x3164, r == 0x115F, r == 0x1160, r == 0xFFA0:
		return true
	case r == 0x2028, r == 0x2029, r == 0xFEFF:
		return true
	}
	return unicode.IsControl(r)
}

// Has reports whether s holds a Hidden character or is not valid UTF-8.
func Has(s string) bool {
	return strings.ContainsFunc(s, Hidden) || !utf8Valid(s)
}

// Visible returns s with each Hidden character replaced by a visible
// marker naming it, ⟦U+202E⟧, and invalid UTF-8 by U+FFFD; changed is
// whether anything was replaced. What a person reads then shows what is
// stored, in the order it is stored.
func Visible(s string) (out string, changed bool) {
	if !Has(s) {
		return s, false
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if Hidden(r) {
			fmt.Fprintf(&b, "⟦U+%04X⟧", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// Clean returns s without its Hidden characters and invalid UTF-8, spaces
// trimmed: for text a person types to be kept (a name at the desk).
func Clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if Hidden(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.TrimSpace(s)
}

// Blank reports whether s shows nothing once cleaned: no character that is
// neither Hidden nor a space.
func Blank(s string) bool {
	return strings.TrimFunc(Clean(s), unicode.IsSpace) == ""
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
