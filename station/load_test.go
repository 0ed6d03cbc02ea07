package station

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestLoad: 50 concurrent clients post QR scans (and some scanner texts)
// for 30 s on loopback; every answer must be 200 and VALID. It runs only
// with PASSPORT_LOAD=1 (it takes 30 s; PASSPORT_LOAD_SECONDS changes that):
//
//	PASSPORT_LOAD=1 go test -run TestLoad -v ./station
func TestLoad(t *testing.T) {
	if os.Getenv("PASSPORT_LOAD") != "1" {
		t.Skip("set PASSPORT_LOAD=1 to run the 30-second load test")
	}
	dur := 30 * time.Second
	if s := os.Getenv("PASSPORT_LOAD_SECONDS"); s != "" {
		d, err := time.ParseDuration(s + "s")
		if err != nil {
			t.Fatal(err)
		}
		dur = d
	}
	s := newSite(t, examplePolicy(t))
	text := s.text(t, s.claims("Zoë Whitfield", 100, 100))
	scan := qrPNG(t, text)
	const clients = 50
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 2 * time.Minute}
	var mu sync.Mutex
	var lat []time.Duration
	var textLat []time.Duration
	errs := 0
	var firstErr string
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				body, ctype := scan, "image/png"
				isText := (c+i)%5 == 0 // one request in five is a USB scanner's text
				if isText {
					body, ctype = []byte(text), "text/plain"
				}
				start := time.Now()
				resp, err := client.Post(s.srv.URL+"/api/verify", ctype, bytes.NewReader(body))
				var v VerifyResponse
				ok := err == nil && resp.StatusCode == 200
				if err == nil {
					ok = ok && json.NewDecoder(resp.Body).Decode(&v) == nil && len(v.Results) == 1 && v.Results[0].Status == "valid"
					resp.Body.Close()
				}
				d := time.Since(start)
				mu.Lock()
				if !ok {
					errs++
					if firstErr == "" {
						firstErr = "error"
						if err != nil {
							firstErr = err.Error()
						} else {
							firstErr = resp.Status
						}
					}
				} else if isText {
					textLat = append(textLat, d)
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if errs > 0 {
		t.Errorf("%d failed requests (first: %s)", errs, firstErr)
	}
	n, _ := s.log.CountSince(time.Now().Add(-time.Hour))
	if n != len(lat)+len(textLat) {
		t.Errorf("log has %d rows for %d verifications", n, len(lat)+len(textLat))
	}
	report := func(name string, l []time.Duration) {
		if len(l) == 0 {
			return
		}
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		q := func(p float64) time.Duration { return l[int(p*float64(len(l)-1))].Round(time.Millisecond) }
		t.Logf("%-5s %6d requests (%.1f/s)  p50 %v  p90 %v  p99 %v  max %v", name, len(l), float64(len(l))/dur.Seconds(), q(.5), q(.9), q(.99), q(1))
	}
	t.Logf("%d clients for %v, %d errors", clients, dur, errs)
	report("scan", lat)
	report("text", textLat)
}
