package read_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"passport/read"
	"passport/trust"
	"passport/verify"
)

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUnreadableInputs: nothing readable gives status unreadable with the
// reason that tells the user what to do, never a panic or "invalid".
func TestUnreadableInputs(t *testing.T) {
	white := image.NewGray(image.Rect(0, 0, 400, 560))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"blank page", pngOf(t, white), string(verify.ReasonNoBarcode)},
		{"empty text", []byte("\n \r\n"), string(verify.ReasonNoBarcode)},
		{"binary", []byte{0x00, 0x01, 0xfe, 0xff, 0x00, 0x9c, 0x13}, string(verify.ReasonUnsupportedInput)},
		{"truncated png", pngOf(t, white)[:60], string(verify.ReasonUnreadableInput)},
		{"over the size cap", make([]byte, read.MaxInputBytes+1), string(verify.ReasonInputTooLarge)},
	} {
		rs := newReader(t, trust.NewMemoryStore()).Verify(context.Background(), tc.name, tc.data)
		if len(rs) != 1 || rs[0].Status != verify.StatusUnreadable {
			t.Errorf("%s: %+v, want one unreadable result", tc.name, rs)
			continue
		}
		if !hasCode(rs[0].Reasons, tc.want) {
			t.Errorf("%s: reasons %+v, want %s", tc.name, rs[0].Reasons, tc.want)
		}
	}
}

// TestHugeImageHeaderRefusedCheaply: a PNG that claims 100k×100k pixels is
// refused from its header, before any pixel is allocated.
func TestHugeImageHeaderRefusedCheaply(t *testing.T) {
	small := image.NewGray(image.Rect(0, 0, 1, 1))
	small.Set(0, 0, color.Gray{255})
	b := pngOf(t, small)
	// IHDR width and height are bytes 16..23, followed by the chunk's CRC
	// over bytes 12..28.
	copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	rs := newReader(t, trust.NewMemoryStore()).Verify(context.Background(), "huge.png", b)
	if len(rs) != 1 || rs[0].Status != verify.StatusUnreadable || !hasCode(rs[0].Reasons, string(verify.ReasonInputTooLarge)) {
		t.Fatalf("got %+v, want unreadable input_too_large", rs)
	}
}

func newReader(t *testing.T, store trust.TrustStore, opts ...read.Option) *read.Reader {
	t.Helper()
	v, err := verify.NewVerifier(store)
	if err != nil {
		t.Fatal(err)
	}
	r, err := read.New(v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func hasCode(rs []verify.Reason, code string) bool {
	for _, r := range rs {
		if string(r.Code) == code {
			return true
		}
	}
	return false
}

// TestReaderLimits: the limits are the Reader's, not the package maximums,
// and out-of-range limits or budgets are refused when the Reader is built.
func TestReaderLimits(t *testing.T) {
	store := trust.NewMemoryStore()
	v, err := verify.NewVerifier(store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := read.New(nil); err == nil {
		t.Error("a Reader without a verifier was built")
	}
	for _, o := range []read.Option{read.WithLimits(read.Limits{MaxInputBytes: read.MaxInputBytes + 1}),
		read.WithLimits(read.Limits{MaxTextLines: -1}), read.WithDecodeBudget(-time.Second, 0)} {
		if _, err := read.New(v, o); err == nil {
			t.Error("a bad option was accepted")
		}
	}
	r := newReader(t, store, read.WithLimits(read.Limits{MaxInputBytes: 100, MaxTextLines: 2}))
	rs := r.Verify(context.Background(), "big", []byte(strings.Repeat("x", 101)))
	if len(rs) != 1 || rs[0].Status != verify.StatusUnreadable || rs[0].Reasons[0].Code != verify.ReasonInputTooLarge {
		t.Fatalf("over the Reader's byte limit: %+v", rs)
	}
	rs = r.Verify(context.Background(), "lines", []byte("SP1:A\nSP1:B\nSP1:C\n"))
	if len(rs) != 2 {
		t.Fatalf("%d results from a 3-line input with MaxTextLines 2", len(rs))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rs = r.Verify(ctx, "cancelled", []byte("SP1:A"))
	if len(rs) != 1 || rs[0].Status != verify.StatusUnreadable || !strings.Contains(rs[0].Reasons[0].Message, "canceled") {
		t.Fatalf("cancelled: %+v", rs)
	}
}
