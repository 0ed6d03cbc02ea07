package verify_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"

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
		{"over the size cap", make([]byte, verify.MaxInputBytes+1), string(verify.ReasonInputTooLarge)},
	} {
		rs := verify.Input(tc.name, tc.data, trust.NewMemoryStore(), verify.Options{})
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
	rs := verify.Input("huge.png", b, trust.NewMemoryStore(), verify.Options{})
	if len(rs) != 1 || rs[0].Status != verify.StatusUnreadable || !hasCode(rs[0].Reasons, string(verify.ReasonInputTooLarge)) {
		t.Fatalf("got %+v, want unreadable input_too_large", rs)
	}
}
