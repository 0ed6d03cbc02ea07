package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusImage is one image of the gating corpus and the text it holds.
type corpusImage struct {
	class, path, text string
}

// gatingCorpus lists the gating corpus: the generated classes under
// testdata/corpus (class "qrencode/" and the directory's name), the scans and
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
	for _, dir := range classes {
		add("qrencode/"+filepath.Base(dir), filepath.Join(dir, "*"))
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
	"dpi100":             3,  // of 3
	"keystone":           2,  // of 2
	"libpng":             5,  // of 5
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
}

// TestGatingCorpus reads every image of the gating corpus as Read does and
// fails on any wrong read, on a class that reads fewer images than its
// minimum, and on a class without one.
func TestGatingCorpus(t *testing.T) {
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

// TestStrategyAblation runs every strategy of DefaultStrategies alone on every
// image of the gating corpus, in one pass, and reports for each how many
// images it reads and how many no other strategy reads: the strategies that
// read nothing on their own are the ones whose place the corpus does not
// justify (the unit tests may still need them: see their names in the other
// tests before removing one). It fails on a wrong read by any strategy.
func TestStrategyAblation(t *testing.T) {
	switch {
	case testing.Short():
		t.Skip("runs every strategy on the whole corpus; skipped with -short")
	case raceDetector:
		// It runs no goroutines of its own, and takes 35 s without the race
		// detector, over 5 minutes with it.
		t.Skip("measures reads, not concurrency; run it without -race")
	}
	strategies := DefaultStrategies()
	readBy := make([]int, len(strategies))
	unique := make([]int, len(strategies))
	firstReader := map[string]int{}
	for _, im := range gatingCorpus(t) {
		data, err := os.ReadFile(im.path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := decodeImageFile(data)
		if err != nil {
			t.Fatalf("%s: %v", im.path, err)
		}
		var readers []int
		for i, s := range strategies {
			codes, _, _ := decodeGray(g, []Strategy{s}, newBudget(context.Background(), Options{Budget: time.Hour}))
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
	idle := 0
	for i, s := range strategies {
		fmt.Fprintf(&report, "\t%-48s reads %3d, alone %2d, first %3d\n", s.Name, readBy[i], unique[i], firstReader[s.Name])
		if unique[i] == 0 {
			idle++
		}
	}
	t.Logf("%d of %d strategies read no corpus image that no other strategy reads:\n%s", idle, len(strategies), report.String())
}
