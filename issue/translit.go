package issue

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// special holds the ICAO 9303 (Part 3, §6) transliterations that are not
// just "drop the diacritic".
var special = map[rune]string{
	'Æ': "AE", 'æ': "AE", 'Ø': "OE", 'ø': "OE", 'Œ': "OE", 'œ': "OE", 'ß': "SS", 'Þ': "TH", 'þ': "TH",
	'Ð': "D", 'ð': "D", 'Đ': "D", 'đ': "D", 'Ł': "L", 'ł': "L", 'Ħ': "H", 'ħ': "H", 'ı': "I",
	'Ä': "AE", 'ä': "AE", 'Ö': "OE", 'ö': "OE", 'Ü': "UE", 'ü': "UE", 'Å': "AA", 'å': "AA",
}

// Transliterate gives the ICAO 9303-style Latin form of a name: upper case
// A-Z, with '<' between name parts ("Siân O'Brien-Smith" → "SIAN<OBRIEN<SMITH").
// Scripts it cannot map are dropped; the name as printed stays authoritative.
func Transliterate(name string) string {
	var b strings.Builder
	sep := false
	for _, c := range norm.NFC.String(name) {
		if s, ok := special[c]; ok {
			b.WriteString(s)
			sep = false
			continue
		}
		for _, r := range norm.NFD.String(string(c)) {
			switch {
			case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
			case r < 128 && unicode.IsLetter(r):
				b.WriteRune(unicode.ToUpper(r))
				sep = false
			case unicode.IsSpace(r) || r == '-' || r == ',':
				if !sep && b.Len() > 0 {
					b.WriteByte('<')
					sep = true
				}
			}
		}
	}
	return strings.TrimRight(b.String(), "<")
}
