package printcheck

import (
	"fmt"
	"image/png"
	"os"
	"strings"
	"testing"
)

// base45-like text of a realistic passport length.
func text(n int) string {
	const alpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var b strings.Builder
	b.WriteString("SP1:")
	x := uint32(12345)
	for b.Len() < n {
		x = x*1664525 + 1013904223
		b.WriteByte(alpha[x>>16%45])
	}
	return b.String()
}

// The gate must not refuse good passports: every one of a spread of
// realistic A4 codes passes.
func TestGateAcceptsNormalPassports(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 5
	}
	for i := 0; i < n; i++ {
		txt := text(620+3*i) + fmt.Sprint(i)
		if err := Check(txt, "M", 60, PoorScan); err != nil {
			t.Errorf("a %d-character code at 60 mm failed the gate: %v", len(txt), err)
		}
	}
}

// The gate must be able to fail: a code printed far too small for a
// 150-dpi scan (under 2 px per module) is refused.
func TestGateRefusesAnUnreadablePrint(t *testing.T) {
	if err := Check(text(1800), "H", 30, PoorScan); err == nil {
		t.Fatal("a 1800-character code printed 30 mm wide passed the gate")
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, err := Render(text(500), "M", 60, PoorScan)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Render(text(500), "M", 60, PoorScan)
	if string(a.Pix) != string(b.Pix) {
		t.Fatal("two renders of the same text differ")
	}
	if os.Getenv("PRINTCHECK_SAVE") != "" {
		f, _ := os.Create(os.Getenv("PRINTCHECK_SAVE"))
		png.Encode(f, a)
		f.Close()
	}
}
