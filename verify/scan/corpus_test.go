package scan

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// corpusSample is one entry of a manifest.json written by fixtures/degrade.
type corpusSample struct {
	Class, Name, Text string
	DPI               int
}

func loadCorpus(t testing.TB, dir string) []corpusSample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("reading the corpus manifest: %v", err)
	}
	var ss []corpusSample
	if err := json.Unmarshal(data, &ss); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return ss
}

// TestCorpusDir reads a generated corpus (SCAN_CORPUS=dir, from
// `go run ./fixtures/degrade/cmd/scanbench -generate-only -out dir`) and reports the
// decode rate per class and which strategy read each image. It fails on any wrong
// decode. Skipped unless SCAN_CORPUS is set.
func TestCorpusDir(t *testing.T) {
	dir := os.Getenv("SCAN_CORPUS")
	if dir == "" {
		t.Skip("set SCAN_CORPUS to a directory made by fixtures/degrade/cmd/scanbench -generate-only")
	}
	type agg struct {
		n, ok int
		ms    []float64
	}
	per := map[string]*agg{}
	used := map[string]int{}
	work := map[string]int64{}
	for _, s := range loadCorpus(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, s.Name))
		if err != nil {
			t.Fatal(err)
		}
		g, err := decodeImageFile(data)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		b := newBudget(context.Background(), Options{})
		codes, name, err := decodeGray(g, defaultStrategies(), b)
		if errors.Is(err, ErrBudget) {
			t.Logf("%s: %v", s.Name, err)
		}
		work[s.Class] += b.Work()
		ms := float64(time.Since(t0).Microseconds()) / 1000
		a := per[s.Class]
		if a == nil {
			a = &agg{}
			per[s.Class] = a
		}
		a.n++
		a.ms = append(a.ms, ms)
		ok := false
		for _, c := range codes {
			if c.Text != s.Text {
				t.Errorf("%s: WRONG decode %.40q", s.Name, c.Text)
			} else {
				ok = true
			}
		}
		if ok {
			a.ok++
			used[name]++
		} else {
			t.Logf("%s: not read (%.0f ms)", s.Name, ms)
		}
	}
	var classes []string
	for c := range per {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	tot, totOK := 0, 0
	for _, c := range classes {
		a := per[c]
		sort.Float64s(a.ms)
		t.Logf("%-12s %2d/%2d  median %5.0f ms  max %5.0f ms  mean work %4d M", c, a.ok, a.n, a.ms[len(a.ms)/2], a.ms[len(a.ms)-1], work[c]/int64(a.n)/1_000_000)
		tot += a.n
		totOK += a.ok
	}
	t.Logf("overall %d/%d; strategies used: %v", totOK, tot, used)
}
