package credential

import "testing"

func TestUnsafeRune(t *testing.T) {
	for r, want := range map[rune]bool{
		'A': false, 'ễ': false, 'Ł': false, ' ': false, '\'': false, 'ß': false, 'Ж': false, 'ع': false,
		'\n': true, '\x00': true, '\x7f': true, '\u202E': true, '\u202A': true, '\u2066': true, '\u2069': true,
		'\u200E': true, '\u200F': true, '\u061C': true,
	} {
		if got := UnsafeRune(r); got != want {
			t.Errorf("UnsafeRune(%U) = %v, want %v", r, got, want)
		}
	}
}
