package layout

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestA4CodeReadsInPeerReaders: our QR writer (rsc.io/qr with our own mask
// scoring) must produce standard codes, so the A4 page rendered at 150 dpi
// is read by zbar and zxing-cpp as well as by our reader. `make test`
// installs both tools; the test skips only where they are missing.
func TestA4CodeReadsInPeerReaders(t *testing.T) {
	tools := [][]string{{"zbarimg", "-q", "--raw"}, {"ZXingReader", "-format", "QRCode"}}
	have := 0
	for _, tool := range tools {
		if _, err := exec.LookPath(tool[0]); err == nil {
			have++
		}
	}
	if have == 0 {
		t.Skip("zbarimg and ZXingReader are not installed")
	}
	r, err := NewRenderer(Options{Created: issued})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{400, 700, 1000} {
		text := fakeCredential(int64(n), n)
		p, err := r.Render(sampleClaims("Nguyễn Thị Lan"), text, nil)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WritePDF(&buf, issued, p); err != nil {
			t.Fatal(err)
		}
		page := renderPage(t, buf.Bytes(), 1, 150)
		var pb bytes.Buffer
		png.Encode(&pb, page)
		f := filepath.Join(t.TempDir(), "page.png")
		if err := os.WriteFile(f, pb.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tool := range tools {
			if _, err := exec.LookPath(tool[0]); err != nil {
				continue
			}
			out, _ := exec.Command(tool[0], append(tool[1:], f)...).Output()
			if !bytes.Contains(out, []byte(text)) {
				t.Errorf("%s cannot read a %d-character A4 code at 150 dpi: %.120s", tool[0], n, out)
			}
		}
	}
}
