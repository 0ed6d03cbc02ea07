package scan

import (
	"os"
	"testing"

	"passport/verify/scan/internal/qrtest"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	keystonedModules = qrtest.KeystonedModules
)

// The code region of the phone photo whose geometry steepQuad is (a scanbench
// phone-steep image, cropped and scaled to 0.4).
func TestImageSteepKeystonePhoto(t *testing.T) {
	readsTestdataCode(t, "testdata/keystone/phone-steep-miss2-crop.jpg", "a steeply tilted phone photo")
}

// The code region of a 12 MP phone photo taken at a 20–30° tilt (a scanbench
// phone-steep image, cropped and scaled to 0.4): ZXingReader read it, every strategy
// of ours missed it because the far alignment patterns were looked for where the
// finders' parallelogram put them, modules away, and matched data look-alikes there.
func TestImageKeystonePhoto(t *testing.T) {
	data, err := os.ReadFile("testdata/keystone/phone-steep-00-crop.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/keystone/phone-steep-00-crop.jpg.txt")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Image(data)
	if err != nil || len(codes) != 1 || codes[0].Text != string(want) {
		t.Fatalf("Image on a steeply tilted phone photo: %d codes, %v", len(codes), err)
	}
}
