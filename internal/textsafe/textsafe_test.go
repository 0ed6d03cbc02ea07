package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// listed is every character range the table must hold: bidi controls and
// invisible or blank characters that pass for nothing or for a space.
var listed = [][2]rune{
	{0x061C, 0x061C}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x2066, 0x2069},
	{0x2800, 0x2800}, {0x3164, 0x3164}, {0x115F, 0x1160}, {0xFFA0, 0xFFA0}, {0x00AD, 0x00AD},
	{0x180B, 0x180F}, {0xFE00, 0xFE0F}, {0xE0100, 0xE01EF}, {0xFFF9, 0xFFFB}, {0x17B4, 0x17B5},
	{0x0000, 0x001F}, {0x007F, 0x009F}, {0x2028, 0x2029}, {0xFEFF, 0xFEFF}, {0x034F, 0x034F}, {0xE0000, 0xE007F},
}

func TestHiddenTable(t *testing.T) {
	for _, r := range listed {
		for c := r[0]; c <= r[1]; c++ {
			if !Hidden(c) {
				t.Errorf("U+%04X is not Hidden", c)
			}
		}
	}
	// Names in any script stay as they are.
	for _, name := range []string{"Zoë Whitfield", "Nguyễn Thị Lan", "محمد الحسن", "李小龙", "O'Brien-Smith", "Łukasz", "한지민", "Ørsted"} {
		if Has(name) {
			t.Errorf("%q is flagged", name)
		}
	}
}

func TestVisible(t *testing.T) {
	got, changed := Visible("Alice \u202eboB DILAVNI")
	if !changed || got != "Alice ⟦U+202E⟧boB DILAVNI" {
		t.Errorf("Visible = %q, %v", got, changed)
	}
	if got, changed := Visible("\u2800"); !changed || got != "⟦U+2800⟧" {
		t.Errorf("a braille-blank name: %q", got)
	}
	if got, changed := Visible("Zoë"); changed || got != "Zoë" {
		t.Errorf("Visible(Zoë) = %q, %v", got, changed)
	}
	if got, _ := Visible("a\xffb"); !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8 kept: %q", got)
	}
}

func TestCleanAndBlank(t *testing.T) {
	if got := Clean(" Sam\u00ad Oka\u200bfor\u202e "); got != "Sam Okafor" {
		t.Errorf("Clean = %q", got)
	}
	for _, s := range []string{"\u2800", "\u3164\u3164", " \u200b ", "\u115f\u1160\uffa0", "\ufe0f"} {
		if !Blank(s) {
			t.Errorf("%q is not Blank", s)
		}
	}
	if Blank("A") || Blank(strings.Repeat("\u200b", 3)+"x") {
		t.Error("a visible name is Blank")
	}
}
