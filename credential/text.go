package credential

import "unicode"

// UnsafeRune reports characters that must never be shown as they are,
// because they can make a name (or a verdict printed beside it) look blank,
// reordered or split from how it is stored:
//   - control characters (C0, C1, DEL) and the line and paragraph
//     separators U+2028, U+2029;
//   - bidirectional embeddings, overrides, isolates and marks
//     (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C);
//   - zero-width and invisible formatting characters (U+200B–U+200D,
//     U+2060–U+2064, U+180E, U+034F combining grapheme joiner) and the
//     byte-order mark U+FEFF;
//   - tag characters U+E0000–U+E007F;
//   - the Hangul fillers U+3164, U+115F, U+1160, U+FFA0, which render as
//     blank space in most fonts.
//
// Issuers refuse them in input; displays replace or drop them.
func UnsafeRune(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0x200B && r <= 0x200D, r >= 0x2060 && r <= 0x2064, r == 0x180E, r == 0x034F, r == 0xFEFF:
		return true
	case r >= 0xE0000 && r <= 0xE007F:
		return true
	case r == 0x3164, r == 0x115F, r == 0x1160, r == 0xFFA0:
		return true
	}
	return unicode.IsControl(r)
}
