package scan

import (
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"passport/verify/scan/internal/raster"
)

// corpusImage is one image of the gating corpus and the text it holds.
type corpusImage struct {
	class, path, text string
}

// gatingCorpus lists the gating corpus: the classes under testdata/corpus
// (those TestWriteCorpus makes are called "qrencode/" and the directory's
// name; the others, such as the bench's classes fixtures/degrade/cmd/gatecorpus
// writes into bench-*, just the directory's name), the scans and
// photos committed beside them (dpi100, keystone, screen, small: the
// directory's name), each image with its text in a file of the same name plus
// ".txt" (a trailing newline there is not part of the text), and the PNGs other encoders wrote of the page holding
// "SP1:HELLO" (class libpng).
func gatingCorpus(t testing.TB) []corpusImage {
	t.Helper()
	var out []corpusImage
	add := func(class, glob string) {
		names, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if strings.HasSuffix(n, ".txt") {
				continue
			}
			text, err := os.ReadFile(n + ".txt")
			if err != nil {
				t.Fatalf("%s has no .txt with its text: %v", n, err)
			}
			out = append(out, corpusImage{class, n, strings.TrimSuffix(string(text), "\n")})
		}
	}
	classes, err := filepath.Glob(filepath.Join("testdata", "corpus", "*"))
	if err != nil {
		t.Fatal(err)
	}
	generated := map[string]bool{}
	for _, c := range corpusClasses {
		generated[c.name] = true
	}
	for _, dir := range classes {
		name := filepath.Base(dir)
		if generated[name] {
			name = "qrencode/" + name
		}
		add(name, filepath.Join(dir, "*"))
	}
	for _, dir := range []string{"dpi100", "keystone", "screen", "small"} {
		add(dir, filepath.Join("testdata", dir, "*"))
	}
	// PNGs written by other encoders (cairo's and poppler's, through libpng; see
	// imagedec's libpngFiles), each a QR code of "SP1:HELLO".
	libpng, err := filepath.Glob(filepath.Join("testdata", "png", "*.png"))
	if err != nil || len(libpng) < 5 {
		t.Fatalf("testdata/png holds %d files (%v), want 5", len(libpng), err)
	}
	for _, path := range libpng {
		out = append(out, corpusImage{"libpng", path, "SP1:HELLO"})
	}
	return out
}

// gatingMinimum is how many images of each class of the gating corpus must be
// read. The counts are what the reader reads today (the reads are
// deterministic: the work budget, not the clock, bounds them); a change that
// reads fewer fails, and one that reads more should raise them.
var gatingMinimum = map[string]int{
	"benchmiss":          4,  // of 4
	"bench-blur":         8,  // of 8
	"bench-crumpled":     8,  // of 8
	"bench-defocus":      8,  // of 8
	"bench-dense":        8,  // of 8
	"bench-dpi100":       8,  // of 8
	"bench-dpi150":       8,  // of 8
	"bench-dpi200":       8,  // of 8
	"bench-dpi300":       8,  // of 8
	"bench-faded":        9,  // of 12
	"bench-fold":         8,  // of 8
	"bench-jpeg":         8,  // of 8
	"bench-lighting":     8,  // of 8
	"bench-lowcontrast":  7,  // of 8
	"bench-lowlight":     8,  // of 8
	"bench-motion":       8,  // of 8
	"bench-noise":        12, // of 12
	"bench-phone":        8,  // of 8
	"bench-phone-steep":  6,  // of 8
	"bench-photocopy2":   12, // of 12
	"bench-rot180":       8,  // of 8
	"bench-rot2":         8,  // of 8
	"bench-rot7":         8,  // of 8
	"bench-rot90":        8,  // of 8
	"bench-screen":       8,  // of 8
	"bench-small":        12, // of 12
	"bench-stain":        12, // of 12
	"bench-webcam":       8,  // of 8
	"chromium-phone":     4,  // of 8
	"dpi100":             3,  // of 3
	"keystone":           2,  // of 2
	"libpng":             5,  // of 5
	"magick-issued":      6,  // of 8
	"qrencode/copycopy":  10, // of 14
	"qrencode/defocus":   14, // of 14
	"qrencode/encoder":   14, // of 14
	"qrencode/inverted":  14, // of 14
	"qrencode/jpegchain": 14, // of 14
	"qrencode/keystone":  11, // of 14
	"qrencode/lowlight":  14, // of 14
	"qrencode/magick":    8,  // of 8
	"qrencode/page100":   8,  // of 8
	"qrencode/rotated":   14, // of 14
	"qrencode/scaled":    14, // of 14
	"screen":             5,  // of 5
	"small":              1,  // of 1
	"zxingwriter":        8,  // of 8
}

// TestGatingCorpus reads every image of the gating corpus as Read does and
// fails on any wrong read, on a class that reads fewer images than its
// minimum, and on a class without one.
func TestGatingCorpus(t *testing.T) {
	// About 20 s without the race detector and just over 2 minutes with it,
	// on two shared cores: it runs in both of make test's passes.
	if testing.Short() {
		t.Skip("reads the whole corpus; skipped with -short")
	}
	images := gatingCorpus(t)
	read, total := map[string]int{}, map[string]int{}
	for _, im := range images {
		data, err := os.ReadFile(im.path)
		if err != nil {
			t.Fatal(err)
		}
		// No clock: the work budget (DefaultWork) alone bounds the read, so a
		// loaded machine or the race detector cannot change what is read.
		codes, err := ReadContext(context.Background(), data, Options{Budget: time.Hour})
		total[im.class]++
		ok := false
		for _, c := range codes {
			if c.Text != im.text {
				t.Errorf("%s: WRONG read %.40q", im.path, c.Text)
				continue
			}
			ok = true
		}
		if ok {
			read[im.class]++
		} else {
			t.Logf("%s: not read (%v)", im.path, err)
		}
	}
	var classes []string
	for c := range total {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	var report strings.Builder
	sum, sumRead := 0, 0
	for _, c := range classes {
		fmt.Fprintf(&report, "\t%q: %d, // of %d\n", c, read[c], total[c])
		sum, sumRead = sum+total[c], sumRead+read[c]
		min, ok := gatingMinimum[c]
		switch {
		case !ok:
			t.Errorf("class %s has no minimum in gatingMinimum", c)
		case read[c] < min:
			t.Errorf("class %s: %d of %d read, the minimum is %d", c, read[c], total[c], min)
		}
	}
	t.Logf("%d of %d images read; per class:\n%s", sumRead, sum, report.String())
}

// TestStrategyAblation runs every strategy of defaultStrategies alone on every
// image of the gating corpus (and the unit tests' images in unitCases), in one
// pass, records which strategies read each image, and fails unless every
// strategy reads some image that no other strategy reads: a strategy whose
// reads the others cover costs work on every image they cannot read and earns
// nothing. It also fails on a wrong read by any strategy.
func TestStrategyAblation(t *testing.T) {
	switch {
	case testing.Short():
		t.Skip("runs every strategy on the whole corpus; skipped with -short")
	case raceDetector:
		// It runs no goroutines of its own, and takes about a minute
		// without the race detector, many times that with it.
		t.Skip("measures reads, not concurrency; run it without -race (make test does)")
	}
	strategies := defaultStrategies()
	readBy := make([]int, len(strategies))
	unique := make([]int, len(strategies))
	work := make([]int64, len(strategies)) // pixel visits, over the whole corpus
	firstReader := map[string]int{}
	images := gatingCorpus(t)
	units := map[string]*image.Gray{}
	for _, u := range unitCases(t) {
		images = append(images, corpusImage{class: "unit", path: u.name, text: u.text})
		units[u.name] = u.img
	}
	for _, im := range images {
		var g *gray
		if img, ok := units[im.path]; ok {
			g = toGray(img)
		} else {
			data, err := os.ReadFile(im.path)
			if err != nil {
				t.Fatal(err)
			}
			if g, err = decodeImageFile(data); err != nil {
				t.Fatalf("%s: %v", im.path, err)
			}
		}
		var readers []int
		for i, s := range strategies {
			b := newBudget(context.Background(), Options{Budget: time.Hour})
			codes, _, _ := decodeGray(g, []strategy{s}, b)
			work[i] += b.Work()
			for _, c := range codes {
				if c.Text != im.text {
					t.Errorf("%s: WRONG read by %s: %.40q", im.path, s.Name, c.Text)
				} else {
					readers = append(readers, i)
					break
				}
			}
		}
		for _, i := range readers {
			readBy[i]++
		}
		// Every image's readers, for pruning by hand: a strategy may go when
		// every image it reads keeps another reader.
		names := make([]string, len(readers))
		for k, i := range readers {
			names[k] = strategies[i].Name
		}
		t.Logf("readers %s: %s", im.path, strings.Join(names, " "))
		switch len(readers) {
		case 0:
		case 1:
			unique[readers[0]]++
			fallthrough
		default:
			firstReader[strategies[readers[0]].Name]++
		}
	}
	var report strings.Builder
	for i, s := range strategies {
		fmt.Fprintf(&report, "\t%-48s reads %3d, alone %2d, first %3d, work %5d M\n", s.Name, readBy[i], unique[i], firstReader[s.Name], work[i]>>20)
		if unique[i] == 0 {
			t.Errorf("%s reads no image that no other default strategy reads: remove it, or add the image it exists for to the corpus", s.Name)
		}
	}
	t.Logf("strategies, the images each reads and reads alone:\n%s", report.String())
}

// unitCase is an image a unit test makes to show a strategy reads what the
// others cannot; the ablation counts it with the committed corpus.
type unitCase struct {
	name, text string
	img        *image.Gray
}

// unitCases returns the unit tests' images that the committed corpus has no
// counterpart of: a light-on-dark code filling the whole image
// (TestImageFormatsAndDegradations), which detect.Regions does not crop, and
// a small image blurred along 100° (TestDeblurReadsWhatSharpeningCannot),
// which only the whole-image deconvolution reads.
func unitCases(t testing.TB) []unitCase {
	t.Helper()
	inv := payload(500, 1)
	blur := payload(200, 7)
	line := raster.PSF{Length: 10, Angle: 100 * math.Pi / 180}
	return []unitCase{
		{"unit: inverted whole frame", inv, invert(renderQR(t, inv, 6))},
		{"unit: line blur at 100°, small image", blur, jpegRoundTrip(t, gaussNoise(dimmed(psfBlur(renderQR(t, blur, 5), line), 40, 210), 3, 3), 75)},
	}
}
