package scan

// Peak memory of hostile inputs. The peak is the Go heap's
// object bytes sampled every half millisecond while the call runs, less what was live
// before; the race detector's shadow memory is not Go heap, so the figures are the
// same with and without -race. Large buffers live for milliseconds at least, so the
// sampling sees them.

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// peakHeap runs f and returns the highest Go heap use above the starting level.
func peakHeap(f func()) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	stop, result := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	peak := <-result
	if peak < base {
		return 0
	}
	return peak - base
}

// zeroPNG returns a valid PNG of w×h pixels of colour type ct and bit depth depth
// whose samples are all zero, built without holding the raw pixels: the zlib stream
// repeats one compressed block of zeros. A 40-megapixel 16-bit RGBA image (320 MB
// raw) is about 0.5 MB, like the file that took a station to 938 MB.
func zeroPNG(t testing.TB, w, h int, ct, depth byte) []byte {
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[ct]
	raw := int64(h) * int64(1+w*channels*int(depth)/8)
	data := zlibZeros(raw)

	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	writeChunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, ct
	writeChunk("IHDR", ihdr)
	for len(data) > 0 {
		n := min(len(data), 1<<16)
		writeChunk("IDAT", data[:n])
		data = data[n:]
	}
	writeChunk("IEND", nil)
	return b.Bytes()
}

// zlibZeros returns a zlib stream of raw zero bytes, built without holding
// them: the stream repeats one compressed block of zeros.
func zlibZeros(raw int64) []byte {
	const chunk = 1 << 20
	var z bytes.Buffer
	z.Write([]byte{0x78, 0x01}) // zlib header: deflate, 32 KB window
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	zeros := make([]byte, chunk)
	left := raw
	// The first block and a block that follows zeros; the latter is valid after
	// any run of zeros, so it is repeated.
	fw.Write(zeros)
	fw.Flush()
	left -= chunk
	mark := z.Len()
	fw.Write(zeros)
	fw.Flush()
	left -= chunk
	block := append([]byte(nil), z.Bytes()[mark:]...)
	for left > 2*chunk {
		z.Write(block)
		left -= chunk
	}
	for left > 0 {
		n := min(left, chunk)
		fw.Write(zeros[:n])
		left -= n
	}
	fw.Close()
	// Adler-32 of raw zero bytes: a = 1, b = raw mod 65521.
	binary.Write(&z, binary.BigEndian, uint32(raw%65521)<<16|1)
	return z.Bytes()
}

// zeroPDF returns a one-page PDF holding one w×h image of zero samples in the
// colour space cs (a PDF name such as /DeviceRGB), bpc bits a component, as a
// Flate stream of raw bytes.
func zeroPDF(w, h int, cs string, channels, bpc int) []byte {
	raw := int64(h) * int64((w*channels*bpc+7)/8)
	dict := fmt.Sprintf("/Width %d /Height %d /ColorSpace %s /BitsPerComponent %d /Filter /FlateDecode", w, h, cs, bpc)
	return handPDF(dict, zlibZeros(raw))
}

// manyPagesPDF returns a PDF of n empty pages, each its own object, with an honest
// or a false /Size in its trailer.
func manyPagesPDF(n int, size int) []byte {
	var b bytes.Buffer
	b.Grow(n * 120)
	offs := make([]int, 0, n+2)
	b.WriteString("%PDF-1.4\n")
	offs = append(offs, b.Len())
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	offs = append(offs, b.Len())
	b.WriteString("2 0 obj\n<< /Type /Pages /Count ")
	fmt.Fprint(&b, n)
	b.WriteString(" /Kids [")
	for i := range n {
		fmt.Fprintf(&b, "%d 0 R ", i+3)
	}
	b.WriteString("] >>\nendobj\n")
	for i := range n {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n", i+3)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", size, xref)
	return b.Bytes()
}

// TestHostileMemory decodes each hostile input and checks the
// refusal and the peak heap against a bound. Before the checks the 16-bit PNG
// peaked at 938 MB and the 190 000-page PDF at 769 MB.
func TestHostileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 23 MB PDF; skipped with -short")
	}
	const mb = 1 << 20
	tests := []struct {
		name  string
		data  func() []byte
		read  func([]byte) ([]Code, error)
		want  error
		bound uint64
	}{
		// 40 MP at 8 bytes a pixel would be 320 MB decoded: refused from the header.
		{"png 40 MP 16-bit RGBA", func() []byte { return zeroPNG(t, 8000, 5000, 6, 16) }, Image, ErrTooLarge, 16 * mb},
		// 4 MP 16-bit RGBA is 32 MB decoded: read, then the decoded image (dropped
		// once converted), the 4 MB grey plane and one strategy's working images —
		// at most the 2× enlargement's 16 MB planes: enlarged, box sums, blurred,
		// sharpened — plus the garbage the collector lets pile up to twice the live
		// heap (measured: 60 MB before the webcam strategies, 100–145 MB after).
		{"png 4 MP 16-bit RGBA", func() []byte { return zeroPNG(t, 2500, 1600, 6, 16) }, Image, ErrNoBarcode, 192 * mb},
		// The PDF image the PNG check above refuses: 6000×6000 16-bit RGB, 288 MB
		// once decoded, in a 210 KB file. It took 528 MB and 1.3 s before the PDF's
		// image dictionary was checked like a PNG header.
		{"pdf 36 MP 16-bit RGB", func() []byte { return zeroPDF(6000, 6000, "/DeviceRGB", 3, 16) }, PDF, ErrTooLarge, 16 * mb},
		// 4 MP 16-bit RGB is read, within the bound of the PNG of the same size.
		{"pdf 4 MP 16-bit RGB", func() []byte { return zeroPDF(2500, 1600, "/DeviceRGB", 3, 16) }, PDF, ErrNoBarcode, 192 * mb},
		{"pdf 190 000 pages", func() []byte { return manyPagesPDF(190_000, 190_003) }, PDF, ErrTooLarge, 16 * mb},
		// The same without a /Size that gives it away: the page objects are counted.
		{"pdf 190 000 pages, /Size 3", func() []byte { return manyPagesPDF(190_000, 3) }, PDF, ErrTooLarge, 16 * mb},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			var err error
			start := time.Now()
			peak := peakHeap(func() { _, err = tc.read(data) })
			took := time.Since(start)
			t.Logf("%d KB file: peak heap %d MB, %v; %v", len(data)>>10, peak/mb, took.Round(time.Millisecond), err)
			// A generous bound for a shared machine: the inputs refused are refused
			// in milliseconds, and the ones read take about a second.
			if took > 20*time.Second {
				t.Errorf("took %v, over 20 s", took)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if peak > tc.bound {
				t.Errorf("peak heap %d MB, over the bound of %d MB", peak/mb, tc.bound/mb)
			}
		})
	}
}
