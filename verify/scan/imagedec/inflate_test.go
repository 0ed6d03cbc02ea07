package imagedec

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
)

// stdInflate decodes in with compress/flate (up to limit bytes) and returns what
// it produced, the input bytes it used and its error.
func stdInflate(in []byte, limit int) ([]byte, int, error) {
	src := bytes.NewReader(in)
	out, err := io.ReadAll(io.LimitReader(flate.NewReader(src), int64(limit)))
	return out, len(in) - src.Len(), err
}

// checkInflate holds inflate to compress/flate on in: the same output and the same
// input bytes used when compress/flate succeeds; a failure for every output size
// when it fails; and a failure when the output buffer is a byte short or long.
func checkInflate(t *testing.T, in []byte) {
	const limit = 1 << 20
	want, wantUsed, err := stdInflate(in, limit)
	if len(want) == limit {
		return // a bomb: compress/flate was cut short, there is nothing to compare
	}
	out := make([]byte, len(want))
	used, gerr := inflate(in, out, nil)
	if err != nil {
		if gerr == nil {
			t.Fatalf("compress/flate: %v; inflate read %d bytes", err, len(out))
		}
		return
	}
	if gerr != nil {
		t.Fatalf("inflate: %v; compress/flate read %d bytes", gerr, len(want))
	}
	if !bytes.Equal(out, want) || used != wantUsed {
		t.Fatalf("inflate used %d bytes, compress/flate %d (output equal: %v)", used, wantUsed, bytes.Equal(out, want))
	}
	if _, err := inflate(in, make([]byte, len(want)+1), nil); err == nil {
		t.Fatal("inflate filled a buffer a byte longer than the stream")
	}
	if len(want) > 0 {
		if _, err := inflate(in, make([]byte, len(want)-1), nil); err == nil {
			t.Fatal("inflate fitted the stream into a buffer a byte short")
		}
	}
}

// deflateSeeds are streams of each block type: stored, fixed and dynamic Huffman,
// with long and overlapping matches, and a degenerate one-code distance tree.
func deflateSeeds(t testing.TB) [][]byte {
	r := rand.New(rand.NewPCG(7, 8))
	noise := make([]byte, 70000)
	for i := range noise {
		noise[i] = byte(r.IntN(40) + 100)
	}
	var seeds [][]byte
	for _, data := range [][]byte{nil, []byte("a"), bytes.Repeat([]byte("abc"), 5000), noise} {
		for _, level := range []int{flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, flate.HuffmanOnly} {
			var b bytes.Buffer
			w, err := flate.NewWriter(&b, level)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			w.Close()
			seeds = append(seeds, b.Bytes())
		}
	}
	// A fixed-Huffman block of "a" then a match of length 258 at distance 1.
	seeds = append(seeds, []byte{0x4b, 0x1c, 0x05, 0x00})
	return seeds
}

func TestInflateMatchesCompressFlate(t *testing.T) {
	for _, in := range deflateSeeds(t) {
		checkInflate(t, in)
		for cut := range min(len(in), 40) {
			checkInflate(t, in[:len(in)-cut-1]) // truncated
		}
		checkInflate(t, append(bytes.Clone(in), 1, 2, 3)) // trailing bytes are not the stream's
	}
}

// FuzzInflate holds inflate to compress/flate on any input.
func FuzzInflate(f *testing.F) {
	for _, s := range deflateSeeds(f) {
		if len(s) < 2000 {
			f.Add(s)
		}
	}
	f.Fuzz(checkInflate)
}
