package credential

import "testing"

func TestUnsafeRune(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want bool
		why  string
	}{
		{'A', false, "letter"}, {'ễ', false, "Vietnamese"}, {'Ł', false, "Polish"}, {' ', false, "space"},
		{'\'', false, "apostrophe"}, {'ß', false, "German"}, {'Ж', false, "Cyrillic"}, {'ع', false, "Arabic"},
		{'가', false, "Hangul syllable"}, {'\u00A0', false, "no-break space is visible as a space"},
		{'\u200C', true, "ZWNJ: invisible"}, // refused: names are shown, not shaped
		{'\n', true, "LF"}, {'\x00', true, "NUL"}, {'\x7f', true, "DEL"}, {'\u0085', true, "C1 NEL"},
		{'\u202E', true, "RLO"}, {'\u202A', true, "LRE"}, {'\u2066', true, "LRI"}, {'\u2069', true, "PDI"},
		{'\u200E', true, "LRM"}, {'\u200F', true, "RLM"}, {'\u061C', true, "ALM"},
		{'\u2028', true, "line separator"}, {'\u2029', true, "paragraph separator"},
		{'\u200B', true, "zero-width space"}, {'\u200D', true, "zero-width joiner"}, {'\u2060', true, "word joiner"},
		{'\u2064', true, "invisible plus"}, {'\u180E', true, "Mongolian vowel separator"}, {'\u034F', true, "grapheme joiner"},
		{'\uFEFF', true, "BOM"}, {'\U000E0000', true, "tag range start"}, {'\U000E0041', true, "tag A"}, {'\U000E007F', true, "cancel tag"},
		{'\U000E0080', false, "after the tag range (variation selectors supplement are separate)"},
		{'\u3164', true, "Hangul filler"}, {'\u115F', true, "Hangul choseong filler"}, {'\u1160', true, "Hangul jungseong filler"},
		{'\uFFA0', true, "halfwidth Hangul filler"},
	} {
		if got := UnsafeRune(c.r); got != c.want {
			t.Errorf("UnsafeRune(%U) (%s) = %v, want %v", c.r, c.why, got, c.want)
		}
	}
}
