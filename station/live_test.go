package station

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"passport/fixtures/degrade"
	"passport/verify"
)

// The live camera, measured as a person feels it: the
// synthetic webcam sequence of fixtures/degrade (a page brought up to a
// 1280×720 camera, motion blur and autofocus hunting dying down) is played
// through the station's real handler over loopback HTTP, as the page plays
// it: post the newest frame, wait for the answer, wait the page's gap, post
// the newest frame then (frames that arrive meanwhile are dropped), echoing
// the answer's region when the page does.

// liveDistances are the distances, in centimetres, the page is held at.
var liveDistances = liveDist()

const (
	liveFrames = 15   // frames of the sequence (1 s at 15 fps)
	liveHoldMS = 3000 // the page held still after them: its last frame again
)

// livePage is how the camera page behaves.
type livePage struct {
	name   string
	budget time.Duration // the station's camera budget
	gapMS  float64       // the page's wait after an answer before the next frame
	echo   bool          // send the answer's region back as roi
	// upload posts each frame as an upload (no source=camera): the decode
	// the camera path did before it had a budget and region of its own
	// (verify.Verifier.Verify under the 3 s decode budget), without the
	// camera hint (about 20 ms a frame), so "before" is if anything flattered.
	upload bool
}

// liveRun is one distance played: whether and when the code was read.
type liveRun struct {
	read   bool
	frame  int     // index of the frame read
	posted int     // frames posted up to the answer
	ms     float64 // time from the first frame to the answer
	trace  []string
}

// playLive plays frames through url as page does. Time is simulated for the
// camera (frame k arrives at k·LiveFrameInterval) and real for each request.
func playLive(tb testing.TB, url string, frames [][]byte, page livePage) liveRun {
	run := liveRun{frame: -1, ms: -1}
	end := float64(len(frames)*degrade.LiveFrameInterval + liveHoldMS)
	roi := ""
	for now := 0.0; now <= end; now += page.gapMS {
		i := min(int(now)/degrade.LiveFrameInterval, len(frames)-1)
		t0 := time.Now()
		query := "?source=camera" + roi
		if page.upload {
			query = ""
		}
		resp, err := http.Post(url+"/api/verify"+query, "image/jpeg", bytes.NewReader(frames[i]))
		if err != nil {
			tb.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		now += float64(time.Since(t0).Microseconds()) / 1000
		run.posted++
		var v VerifyResponse
		if resp.StatusCode != 200 || json.Unmarshal(raw, &v) != nil {
			tb.Fatalf("frame %d: HTTP %d %s", i, resp.StatusCode, raw)
		}
		run.trace = append(run.trace, fmt.Sprintf("f%d%s→%s@%.0f", i, roi, v.Results[0].Status, now))
		if len(v.Results) > 0 && v.Results[0].Status == verify.StatusValid {
			run.read, run.frame, run.ms = true, i, now
			return run
		}
		roi = ""
		if page.echo && v.Region != nil {
			roi = v.Region.query()
		}
	}
	return run
}

// livePages are today's page (every frame with the 3 s decode budget, a
// 300 ms wait between answers, no region) and the new one. LIVE_PAGES
// replaces them with others to compare, e.g. "b150:150ms:100:1,b300:300ms:100:0"
// (name:camera budget:gap in ms:echo the region).
func livePages(tb testing.TB) []livePage {
	spec := os.Getenv("LIVE_PAGES")
	if spec == "" {
		return []livePage{
			{"before", DefaultDecodeBudget, 300, false, true},
			{"after", DefaultCameraBudget, cameraGapMS, true, false},
		}
	}
	var out []livePage
	for _, p := range strings.Split(spec, ",") {
		f := strings.Split(p, ":")
		if len(f) != 4 {
			tb.Fatalf("LIVE_PAGES: %q is not name:budget:gap:echo (echo 1, 0, or u to post as uploads)", p)
		}
		budget, err1 := time.ParseDuration(f[1])
		gap, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			tb.Fatalf("LIVE_PAGES: %q: %v %v", p, err1, err2)
		}
		out = append(out, livePage{f[0], budget, gap, f[3] == "1", f[3] == "u"})
	}
	return out
}

// cameraGapMS is the page's wait between an answer and the next frame
// (app.js, FRAME_MS).
const cameraGapMS = 100

// TestLivePageMatchesApp: the benchmark plays the page's own gap.
func TestLivePageMatchesApp(t *testing.T) {
	js, err := webFS.ReadFile("web/app.js")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("FRAME_MS = %d,", cameraGapMS); !strings.Contains(string(js), want) {
		t.Errorf("app.js does not have %q: update cameraGapMS to the page's FRAME_MS", want)
	}
}

// BenchmarkLiveCamera reports, for each page behaviour and distance, the
// frame first read and the milliseconds from the first frame to the answer
// (-1 when never read in the sequence and the hold after it). LIVE_SEEDS
// lists the sequences played (default "1"); run with -benchtime=1x.
func BenchmarkLiveCamera(b *testing.B) {
	f := newFixture(b)
	page, err := degrade.Compose(f.text(b, f.claims("Camille Oyelaran-Brooks", 100, 100)), 300, 1)
	if err != nil {
		b.Fatal(err)
	}
	src := degrade.NewSource(page)
	seeds := []uint64{1}
	if s := os.Getenv("LIVE_SEEDS"); s != "" {
		seeds = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				b.Fatalf("LIVE_SEEDS=%q: %v", s, err)
			}
			seeds = append(seeds, n)
		}
	}
	seqs := map[string][][]byte{}
	for _, seed := range seeds {
		for _, d := range liveDistances {
			if seqs[fmt.Sprint(seed, d)], err = degrade.LiveSequence(src, seed, d, liveFrames); err != nil {
				b.Fatal(err)
			}
		}
	}
	pages := livePages(b)
	urls := map[string]string{}
	for _, p := range pages {
		srv, err := New(Config{Store: f.db, Addr: "127.0.0.1:0", CameraBudget: p.budget})
		if err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		b.Cleanup(ts.Close)
		urls[p.name] = ts.URL
	}
	b.ResetTimer()
	for b.Loop() {
		var table strings.Builder
		runs := map[string][]liveRun{} // by page and distance, one a seed
		for _, seed := range seeds {
			for _, d := range liveDistances {
				fmt.Fprintf(&table, "  seed %d, %2.0f cm:", seed, d)
				for _, p := range pages {
					r := playLive(b, urls[p.name], seqs[fmt.Sprint(seed, d)], p)
					key := fmt.Sprint(p.name, d)
					runs[key] = append(runs[key], r)
					fmt.Fprintf(&table, "  %s: frame %3d %5.0f ms (%2d posted)", p.name, r.frame, r.ms, r.posted)
					if os.Getenv("LIVE_TRACE") != "" {
						fmt.Fprintf(&table, " %v\n", r.trace)
					}
				}
				table.WriteString("\n")
			}
		}
		table.WriteString("  median over the seeds (frame read, ms from the first frame; never when most were not read):\n")
		for _, d := range liveDistances {
			fmt.Fprintf(&table, "  %2.0f cm:", d)
			for _, p := range pages {
				frame, ms, read := medianRun(runs[fmt.Sprint(p.name, d)])
				b.ReportMetric(frame, fmt.Sprintf("frame@%.0fcm/%s", d, p.name))
				b.ReportMetric(ms, fmt.Sprintf("ms@%.0fcm/%s", d, p.name))
				fmt.Fprintf(&table, "  %s: frame %3.0f %5.0f ms (%d/%d read)", p.name, frame, ms, read, len(seeds))
			}
			table.WriteString("\n")
		}
		b.Logf("live camera through the station, pages %+v:\n%s", pages, table.String())
	}
}

// medianRun is the median frame and milliseconds of runs, counting a run
// that never read as later than any that did (-1 when that is the median),
// and how many read.
func medianRun(runs []liveRun) (frame, ms float64, read int) {
	var frames, mss []float64
	for _, r := range runs {
		f, m := math.Inf(1), math.Inf(1)
		if r.read {
			f, m = float64(r.frame), r.ms
			read++
		}
		frames, mss = append(frames, f), append(mss, m)
	}
	sort.Float64s(frames)
	sort.Float64s(mss)
	frame, ms = frames[len(frames)/2], mss[len(mss)/2]
	if math.IsInf(frame, 1) {
		return -1, -1, read
	}
	return frame, ms, read
}

// liveDist is the distances played: LIVE_DISTANCES (e.g. "40,30") or all.
func liveDist() []float64 {
	s := os.Getenv("LIVE_DISTANCES")
	if s == "" {
		return []float64{40, 35, 30, 25, 20, 15}
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if d, err := strconv.ParseFloat(f, 64); err == nil {
			out = append(out, d)
		}
	}
	return out
}
