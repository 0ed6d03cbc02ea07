package credential

import "unicode"

// UnsafeRune reports characters that must never be shown as they are: control
// characters, and the bidirectional embeddings, overrides, isolates and marks
// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) that can make a name,
// or a verdict printed beside it, read differently from how it is stored.
// Issuers refuse them in input; displays replace or drop them.
func UnsafeRune(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return unicode.IsControl(r)
}
