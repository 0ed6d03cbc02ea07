package layout

import "testing"

func BenchmarkEncodeMatrix(b *testing.B) {
	text := fakeCredential(1, 700)
	for i := 0; i < b.N; i++ {
		if _, err := encodeMatrix(text, "M"); err != nil {
			b.Fatal(err)
		}
	}
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
