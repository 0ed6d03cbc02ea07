package issue

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPhotoConfinedToInputFolder: a photo cell names a file inside the
// input file's folder; an absolute path, a path climbing out with "..", and
// a symbolic link out of the folder are row errors, and the photo loader
// refuses them too.
func TestPhotoConfinedToInputFolder(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "hr")
	os.MkdirAll(filepath.Join(in, "photos"), 0o700)
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 60, 80)))
	for _, p := range []string{filepath.Join(in, "photos", "a.png"), filepath.Join(base, "secret.png")} {
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(base, "secret.png"), filepath.Join(in, "photos", "link.png")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	outside := filepath.Join(base, "secret.png")
	csv := "staff_number,name,date_of_birth,role,photo\n" +
		"P1,Ann Test,1990-01-01,Nurse,photos/a.png\n" +
		"P2,Bo Test,1990-01-01,Nurse,../secret.png\n" +
		"P3,Cy Test,1990-01-01,Nurse," + outside + "\n" +
		"P4,Di Test,1990-01-01,Nurse,photos/link.png\n" +
		"P5,Ed Test,1990-01-01,Nurse,photos/../photos/a.png\n"
	opts := Options{CheckOnly: true, PhotoDir: in}
	sum, err := Run(context.Background(), csvOpener([]byte(csv)), opts)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[int]string{}
	for _, e := range sum.Errors {
		bad[e.Row] = e.Reason
	}
	if sum.Valid != 2 || len(bad) != 3 || bad[3] == "" || bad[4] == "" || bad[5] == "" {
		t.Fatalf("valid %d, errors %v; want rows 3, 4 and 5 refused", sum.Valid, bad)
	}
	for _, row := range []int{3, 4} {
		if !strings.Contains(bad[row], "outside the input file's folder") {
			t.Errorf("row %d: %q", row, bad[row])
		}
	}
	for _, p := range []string{"../secret.png", outside, "photos/link.png"} {
		if _, err := loadPhoto(opts, p); err == nil {
			t.Errorf("loadPhoto(%q) read a file outside the folder", p)
		}
	}
	if ph, err := loadPhoto(opts, "photos/a.png"); err != nil || ph == nil {
		t.Errorf("loadPhoto of a photo inside the folder: %v", err)
	}
}
