package station

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowUpload opens a POST that declares (or, chunked, does not declare) a
// full-size body and sends one byte every gap until stop is closed; it
// returns the first line of the station's answer, if one came.
func slowUpload(t *testing.T, addr string, declared int64, gap time.Duration, stop <-chan struct{}) string {
	conn, err := (&netDialer{}).dial(addr)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer conn.Close()
	hdr := "POST /api/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pdf\r\n"
	if declared > 0 {
		hdr += fmt.Sprintf("Content-Length: %d\r\n\r\n", declared)
	} else {
		hdr += "Transfer-Encoding: chunked\r\n\r\n"
	}
	if _, err := conn.Write([]byte(hdr)); err != nil {
		return ""
	}
	answer := make(chan string, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := io.ReadAtLeast(conn, b, 12)
		answer <- strings.SplitN(string(b[:n]), "\r\n", 2)[0]
	}()
	tick := time.NewTicker(gap)
	defer tick.Stop()
	giveUp := time.After(minRateGrace + 10*time.Second) // a station that never answers fails the test, not hangs it
	for {
		select {
		case <-giveUp:
			return ""
		case a := <-answer:
			return a
		case <-stop:
			return ""
		case <-tick.C:
			chunk := "%"
			if declared <= 0 {
				chunk = "1\r\n%\r\n"
			}
			if _, err := conn.Write([]byte(chunk)); err != nil {
				select {
				case a := <-answer:
					return a
				case <-time.After(time.Second):
					return ""
				}
			}
		}
	}
}

// TestSlowUploadersDoNotLockOut: eight uploads that declare (or, chunked,
// may reach) the full upload size and send a byte every 5 s used to hold
// all 256 MB of room for bodies in flight, so every image, PDF and camera
// frame got 503. They now hold only their first bytes' room, and a genuine
// PDF gets its decision within 2 s.
func TestSlowUploadersDoNotLockOut(t *testing.T) {
	s := newSite(t, nil)
	addr := strings.TrimPrefix(s.srv.URL, "http://")
	pdf := threePersonPDF(t, s, "Zoë Whitfield")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			declared := int64(DefaultMaxBodyBytes)
			if i%2 == 1 {
				declared = 0 // chunked: may reach the limit
			}
			slowUpload(t, addr, declared, 5*time.Second, stop)
		}()
	}
	time.Sleep(500 * time.Millisecond) // the slow uploads have their room now
	for _, body := range [][]byte{pdf, qrPNG(t, s.text(t, s.claims("Priya Ramanathan", 100, 100)))} {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		st, err := postStatus(ctx, s.srv.URL, "application/octet-stream", body)
		cancel()
		if d := time.Since(start); err != nil || st != "valid" || d > 2*time.Second {
			t.Errorf("a genuine upload during eight slow ones: %q %v after %v, want valid within 2 s", st, err, d.Round(time.Millisecond))
		}
	}
	close(stop)
	wg.Wait()
}

// TestTricklingUploadIsCut: an upload averaging under minUploadRate once
// minRateGrace has passed is answered 408 and its connection closed, so it
// holds neither room nor a connection for the whole read timeout.
func TestTricklingUploadIsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("takes minRateGrace")
	}
	s := newSite(t, nil)
	addr := strings.TrimPrefix(s.srv.URL, "http://")
	stop := make(chan struct{})
	defer close(stop)
	start := time.Now()
	first := slowUpload(t, addr, 1<<20, 100*time.Millisecond, stop)
	if d := time.Since(start); !strings.Contains(first, "408") || d > minRateGrace+3*time.Second {
		t.Errorf("a trickling upload got %q after %v, want 408 soon after %v", first, d.Round(time.Millisecond), minRateGrace)
	}
	// And the station answers others at once.
	if st, err := postStatus(context.Background(), s.srv.URL, "text/plain", []byte(s.text(t, s.claims("Zoë Whitfield", 1, 1)))); err != nil || st != "valid" {
		t.Errorf("after the cut: %q %v", st, err)
	}
}
