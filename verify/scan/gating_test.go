package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
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
	for _, dir := range []string{"degrade", "dpi100", "keystone", "screen", "small"} {
		add(dir, filepath.Join("testdata", dir, "*"))
	}
	for name := range libpngFiles(t) {
		out = append(out, corpusImage{"libpng", filepath.Join("testdata", "png", name), "SP1:HELLO"})
	}
	return out
}

// gatingMinimum is how many images of each class of the gating corpus must be
// read. The counts are what the reader reads today (the reads are
// deterministic: the work budget, not the clock, bounds them); a change that
// reads fewer fails, and one that reads more should raise them.
var gatingMinimum = map[string]int{
	"degrade":            5,  // of 5
	"dpi100":             3,  // of 3
	"keystone":           2,  // of 2
	"libpng":             5,  // of 5
	"qrencode/copycopy":  10, // of 14
	"qrencode/deblur":    11, // of 12
	"qrencode/defocus":   14, // of 14
	"qrencode/encoder":   14, // of 14
	"qrencode/inverted":  14, // of 14
	"qrencode/jpegchain": 14, // of 14
	"qrencode/keystone":  11, // of 14
	"qrencode/lowlight":  14, // of 14
	"qrencode/magick":    8,  // of 8
	"qrencode/page100":   8,  // of 8
	"qrencode/page150":   2,  // of 2
	"qrencode/page300":   1,  // of 1
	"qrencode/rotated":   14, // of 14
	"qrencode/scaled":    14, // of 14
	"qrencode/specks":    8,  // of 8
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

// speedOnly lists, with the reason, the strategies of DefaultStrategies
// kept though they read no corpus image another strategy cannot, because
// they make reads cheaper: each must be the first in order to read some
// images, and without it the strategies that read those images instead
// must do minSpeedGain more work on them (TestStrategyAblation measures it,
// and fails when an exemption no longer holds).
var speedOnly = map[string]string{
	"hybrid": "the whole image as it is, the cheapest read of clean scans and screenshots: the first to read 100 of the corpus's images, which the filters after it also read at twice the work",
}

// minSpeedGain is how much more work, as a fraction of the work with it, the
// images a speedOnly strategy reads first must cost without it.
const minSpeedGain = 0.5

// ablation is what TestStrategyAblation measures of one image: whether each
// strategy alone reads it, and the work each does (in budget units).
type ablation struct {
	read []bool
	work []int64
}

// listWork is the work the strategies in order do on an image: the sum of
// their work alone up to and including the first that reads it. Strategies
// run alone repeat work the list shares (the candidate crops, a transform
// two strategies use), so this overstates the list's work, alike with and
// without any one strategy.
func listWork(a ablation, skip int) (int64, bool) {
	var w int64
	for i := range a.read {
		if i == skip {
			continue
		}
		w += a.work[i]
		if a.read[i] {
			return w, true
		}
	}
	return w, false
}

// TestListWork checks the measure of speedOnly's exemptions: a cheap
// strategy that reads first saves the work of those after it, and one that
// reads nothing adds its own.
func TestListWork(t *testing.T) {
	a := ablation{read: []bool{true, false, true}, work: []int64{10, 50, 100}}
	for _, tc := range []struct {
		skip int
		want int64
		read bool
	}{{-1, 10, true}, {0, 150, true}, {1, 10, true}, {2, 10, true}} {
		if w, ok := listWork(a, tc.skip); w != tc.want || ok != tc.read {
			t.Errorf("without %d: work %d, read %v; want %d, %v", tc.skip, w, ok, tc.want, tc.read)
		}
	}
	if w, ok := listWork(ablation{read: []bool{false, false}, work: []int64{3, 4}}, -1); w != 7 || ok {
		t.Errorf("nothing read: work %d, read %v; want 7, false", w, ok)
	}
}

// TestStrategyAblation runs every strategy of DefaultStrategies alone on every
// image of the gating corpus, in one pass, and fails unless each reads an
// image no other strategy reads, or is a speedOnly strategy whose removal
// makes the images it reads first cost minSpeedGain more work. It fails on a
// wrong read by any strategy.
func TestStrategyAblation(t *testing.T) {
	switch {
	case testing.Short():
		t.Skip("runs every strategy on the whole corpus; skipped with -short")
	case raceDetector:
		// The pixel loops are several times slower under the race detector,
		// and the reads do not change.
		t.Skip("measures reads, not concurrency; run it without -race")
	}
	strategies := DefaultStrategies()
	images := gatingCorpus(t)
	results := make([]ablation, len(images))
	// Images are independent: one worker a core.
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				im := images[k]
				a := ablation{make([]bool, len(strategies)), make([]int64, len(strategies))}
				data, err := os.ReadFile(im.path)
				if err == nil {
					var g *gray
					if g, err = decodeImageFile(data); err == nil {
						for i, s := range strategies {
							b := newBudget(context.Background(), Options{Budget: time.Hour})
							codes, _, _ := decodeGray(g, []Strategy{s}, b)
							a.work[i] = b.work
							for _, c := range codes {
								if c.Text != im.text {
									mu.Lock()
									t.Errorf("%s: WRONG read by %s: %.40q", im.path, s.Name, c.Text)
									mu.Unlock()
								} else {
									a.read[i] = true
								}
							}
						}
					}
				}
				if err != nil {
					mu.Lock()
					t.Errorf("%s: %v", im.path, err)
					mu.Unlock()
				}
				results[k] = a
			}
		}()
	}
	for k := range images {
		next <- k
	}
	close(next)
	wg.Wait()

	readBy := make([]int, len(strategies))
	unique := make([]int, len(strategies))
	var total int64
	readAll := 0
	for _, a := range results {
		var readers []int
		for i, ok := range a.read {
			if ok {
				readers = append(readers, i)
				readBy[i]++
			}
		}
		if len(readers) == 1 {
			unique[readers[0]]++
		}
		w, ok := listWork(a, -1)
		total += w
		if ok {
			readAll++
		}
	}
	var report strings.Builder
	for i, s := range strategies {
		// The work of the images s reads first, with and without s.
		var with, without int64
		first := 0
		for _, a := range results {
			if j := slices.Index(a.read, true); j == i {
				w, _ := listWork(a, -1)
				wo, _ := listWork(a, i)
				with, without, first = with+w, without+wo, first+1
			}
		}
		gain := 0.0
		if with > 0 {
			gain = float64(without-with) / float64(with)
		}
		fmt.Fprintf(&report, "\t%-46s reads %3d, alone %2d, first %3d, whose work without it is %+6.0f%%\n", s.Name, readBy[i], unique[i], first, 100*gain)
		reason, exempt := speedOnly[s.Name]
		switch {
		case unique[i] > 0 && exempt:
			t.Errorf("%s reads %d corpus images no other strategy reads: drop it from speedOnly", s.Name, unique[i])
		case unique[i] > 0:
		case !exempt:
			t.Errorf("%s reads no corpus image that no other strategy reads: add the images it is for to the corpus, or delete it", s.Name)
		case gain < minSpeedGain:
			t.Errorf("%s is in speedOnly (%s), but the %d images it reads first cost only %+.0f%% work without it", s.Name, reason, first, 100*gain)
		}
	}
	for name := range speedOnly {
		if !slices.ContainsFunc(strategies, func(s Strategy) bool { return s.Name == name }) {
			t.Errorf("speedOnly names %s, which is not in DefaultStrategies", name)
		}
	}
	t.Logf("%d strategies read %d of %d images (%d million pixel visits, counting each strategy's work alone); each alone:\n%s", len(strategies), readAll, len(images), total/1_000_000, report.String())
}
