package printcheck

import (
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

func TestGatePassesAPrintableCode(t *testing.T) {
	if err := Check(text(700), "M", 60, PoorScan); err != nil {
		t.Fatalf("a 700-character code at 60 mm failed the gate: %v", err)
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
