package station

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"passport/sitedb"
)

// finderGridPNG tiles a side×side white image with QR finder patterns (2-px
// modules every 16 px): every square passes the finder checks and any three
// look like a code's corners. A 240-px one (439 bytes) held a decoder for
// 25 s before the reader's work budget.
func finderGridPNG(t testing.TB, side int) []byte {
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for oy := 1; oy+14 <= side; oy += 16 {
		for ox := 1; ox+14 <= side; ox += 16 {
			for y := 0; y < 14; y++ {
				for x := 0; x < 14; x++ {
					if m := min(x/2, y/2, 6-x/2, 6-y/2); m != 1 {
						img.SetGray(ox+x, oy+y, color.Gray{})
					}
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hostileSite is a station with the default decoders and the given decode budget.
func hostileSite(t *testing.T, budget time.Duration) *site {
	f := newFixture(t)
	l, err := sitedb.OpenLog(f.db, sitedb.LogOptions{Retention: DefaultRetention})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s, err := New(Config{Store: f.db, Log: l, Addr: "127.0.0.1:0", DecodeBudget: budget})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &site{fixture: f, srv: ts, log: l}
}

func postStatus(ctx context.Context, url, ctype string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/api/verify", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v VerifyResponse
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&v) != nil || len(v.Results) == 0 {
		return resp.Status, nil
	}
	return string(v.Results[0].Status), nil
}

// TestHostileUploadsDoNotStarveScans: 50 clients keep posting finder-grid
// images while a USB scanner's texts and a genuine page image are posted.
// Texts never wait for a decoder, the genuine image is read VALID, and
// every grid is answered unreadable, not left hanging. The target for the
// texts is a p99 under 100 ms (logged; measured on an idle 2-core machine
// for the issue note); the test fails only on starvation (p99 over 1 s),
// as a shared CI machine's noise must not fail it.
func TestHostileUploadsDoNotStarveScans(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of load")
	}
	s := hostileSite(t, time.Second)
	text := s.text(t, s.claims("Zoë Whitfield", 100, 100))
	page := qrPNG(t, text)
	grid := finderGridPNG(t, 240)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	hostile := map[string]int{}
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				st, err := postStatus(ctx, s.srv.URL, "image/png", grid)
				if err != nil {
					return // the attack's clock ran out mid-request
				}
				mu.Lock()
				hostile[st]++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond) // the decoders are busy with grids now
	var lat []time.Duration
	for i := 0; i < 100; i++ {
		start := time.Now()
		st, err := postStatus(context.Background(), s.srv.URL, "text/plain", []byte(text))
		if err != nil || st != "valid" {
			t.Fatalf("scanner text during the attack: %s %v", st, err)
		}
		lat = append(lat, time.Since(start))
		time.Sleep(10 * time.Millisecond)
	}
	st, err := postStatus(context.Background(), s.srv.URL, "image/png", page)
	if err != nil || st != "valid" {
		t.Fatalf("genuine page image during the attack: %s %v", st, err)
	}
	cancel()
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p99 := lat[len(lat)*99/100]
	const bound = time.Second
	t.Logf("scanner text during the attack: p50 %v p99 %v (target 100 ms) max %v; grid answers %v", lat[len(lat)/2], p99, lat[len(lat)-1], hostile)
	if p99 > bound {
		t.Errorf("scanner-text p99 %v during the attack, texts are being starved (want well under %v)", p99, bound)
	}
	if hostile["valid"] > 0 || hostile["invalid"] > 0 {
		t.Errorf("finder grids judged as credentials: %v", hostile)
	}
}

// TestClientHangUpFreesTheDecoder: a client that gives up on a slow upload
// stops its decode (the request's context reaches the reader), so the next
// genuine scan does not wait for the abandoned one. The slow upload's own
// decode time, measured first in the same run, is the yardstick.
func TestClientHangUpFreesTheDecoder(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a large hostile image")
	}
	s := hostileSite(t, time.Minute)
	page := qrPNG(t, s.text(t, s.claims("Zoë Whitfield", 100, 100)))
	slow := finderGridPNG(t, 1000)
	start := time.Now()
	if st, err := postStatus(context.Background(), s.srv.URL, "image/png", slow); err != nil || st != "unreadable" {
		t.Fatalf("large grid: %s %v", st, err)
	}
	whole := time.Since(start)
	// Two clients (one per decoder) post the slow image and hang up at once.
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), whole/10)
			defer cancel()
			postStatus(ctx, s.srv.URL, "image/png", slow)
		}()
	}
	wg.Wait()
	start = time.Now()
	if st, err := postStatus(context.Background(), s.srv.URL, "image/png", page); err != nil || st != "valid" {
		t.Fatalf("genuine page after the hang-ups: %s %v", st, err)
	}
	after := time.Since(start)
	t.Logf("large grid decodes in %v; a genuine page after two hang-ups took %v", whole, after)
	if after > whole*6/10 {
		t.Errorf("the genuine page waited %v, over 60%% of an abandoned decode (%v): hang-ups do not free the decoders", after, whole)
	}
}
