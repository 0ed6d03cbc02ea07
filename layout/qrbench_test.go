package layout

import (
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"rsc.io/qr"
)

// BenchmarkEncodeMatrix compares our QR encoder (rsc.io/qr's coding plus
// ISO 18004 mask selection on bit-packed rows) with the two baselines in the
// same run: plain rsc.io/qr (always mask 0, so not penalty-optimal) and
// gozxing's writer, for a 700-character passport text at level M.
func BenchmarkEncodeMatrix(b *testing.B) {
	text := fakeCredential(1, 700)
	b.Run("passport", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := encodeMatrix(text, "M"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-rsc-qr-mask0", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := qr.Encode(text, qr.M); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-gozxing-writer", func(b *testing.B) {
		hints := map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_ERROR_CORRECTION: "M"}
		w := zxqr.NewQRCodeWriter()
		for i := 0; i < b.N; i++ {
			if _, err := w.Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPackedPenaltyMatches checks the bit-packed scoring against the
// module-by-module reference on real symbols of several versions.
func TestPackedPenaltyMatches(t *testing.T) {
	for i, n := range []int{10, 100, 300, 700, 1000, 2000} {
		text := fakeCredential(int64(i), n)
		m, err := encodeMatrix(text, "M")
		if err != nil {
			t.Fatal(err)
		}
		p := newPacked(m.n)
		for y := 0; y < m.n; y++ {
			for x := 0; x < m.n; x++ {
				if m.at(x, y) {
					p.setDark(x, y)
				}
			}
		}
		if got, want := packedPenalty(p, -1), penalty(m); got != want {
			t.Errorf("text %d bytes (%d modules): packed penalty %d, reference %d", n, m.n, got, want)
		}
	}
}

// TestLinePenaltyTwoWords checks the two-word scoring against the
// three-word one on random lines of every size it takes, with runs and
// finder-like windows planted so that every rule scores.
func TestLinePenaltyTwoWords(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for n := 21; n <= 128; n++ {
		lines := make([]prow, 40)
		for i := range lines {
			for x := 0; x < n; x++ {
				if rng.Intn(2) == 0 {
					lines[i].set(x)
				}
			}
			if x := rng.Intn(n); i%3 == 0 && x+11 <= n { // 1011101 then 0000
				lines[i] = lines[i].andNot(first(x + 11)).xor(lines[i].and(first(x)))
				for _, d := range []int{0, 2, 3, 4, 6} {
					lines[i].set(x + d)
				}
			}
		}
		for _, limit := range []int{-1, 200} {
			if got, want := linePenalty2(lines, n, 5, limit), linePenalty3(lines, n, 5, limit); got != want {
				t.Fatalf("n=%d limit %d: two words %d, three words %d", n, limit, got, want)
			}
		}
	}
}
