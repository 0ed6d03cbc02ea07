package station

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sizes of the upload-memory test: a station child with 8 MB uploads and
// room for 4 of them in flight, hit by 50 clients at once.
const (
	memChildMaxBody = 8 << 20
	memChildInFight = 4 * memChildMaxBody
	memClients      = 50
	memUpload       = memChildMaxBody - 512<<10 // just under the limit
)

// TestUploadMemoryBounded (the station's half of the memory bound): 50
// concurrent uploads near the size limit must not hold 50 bodies in
// memory. The station runs in a child process so its peak resident set
// (VmHWM, which includes everything: heap, stacks, buffers) can be read.
// Unbounded, the bodies alone are 50 × 7.5 MB = 375 MB; bounded, at most
// BodiesInFlightBytes (32 MB) of bodies are held at once.
func TestUploadMemoryBounded(t *testing.T) {
	if os.Getenv("PASSPORT_STATION_CHILD") == "1" {
		t.Skip("running as the child")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use: run without -race to measure it")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the child's peak memory")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStationChild$")
	cmd.Env = append(os.Environ(), "PASSPORT_STATION_CHILD=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }()
	addr := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "ADDR="); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatal("the child station never said where it listens")
	}
	go io.Copy(io.Discard, stdout)
	base := vmHWM(t, cmd.Process.Pid)

	body := make([]byte, memUpload)
	rand.Read(body)
	copy(body, "\x89PNG\r\n\x1a\n") // sniffed as an image; the decode fails fast
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: memClients}, Timeout: 2 * time.Minute}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range memClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := -1
			resp, err := client.Post("http://"+addr+"/api/verify", "image/png", bytes.NewReader(body))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	peak := vmHWM(t, cmd.Process.Pid)
	grew := peak - base
	t.Logf("child VmHWM %d MB at rest, %d MB after %d concurrent %d MB uploads (+%d MB; bodies in flight capped at %d MB, unbounded bodies %d MB); answers %v",
		base>>20, peak>>20, memClients, memUpload>>20, grew>>20, memChildInFight>>20, memClients*memUpload>>20, codes)
	if codes[200] == 0 {
		t.Fatalf("no upload was served: %v", codes)
	}
	for c := range codes {
		if c != 200 && c != http.StatusServiceUnavailable {
			t.Errorf("answer %d: want 200, or 503 busy", c)
		}
	}
	// Bodies in flight plus Go's GC headroom (the heap may reach twice the
	// live data) and the per-connection buffers: 5 times the cap, still
	// far below the 375 MB the bodies alone take unbounded.
	if limit := int64(5 * memChildInFight); grew > limit {
		t.Fatalf("peak memory grew by %d MB under concurrent uploads, over %d MB: bodies are not bounded", grew>>20, limit>>20)
	}
}

// TestStationChild is the station TestUploadMemoryBounded measures; it
// runs only in that child process and serves until its stdin closes.
func TestStationChild(t *testing.T) {
	if os.Getenv("PASSPORT_STATION_CHILD") != "1" {
		t.Skip("only run as TestUploadMemoryBounded's child")
	}
	f := newFixture(t)
	s, err := New(Config{Store: f.db, Addr: "127.0.0.1:0", MaxBodyBytes: memChildMaxBody, BodiesInFlightBytes: memChildInFight, Decoders: 2})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := s.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	defer hs.Close()
	fmt.Printf("ADDR=%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
}

// vmHWM reads a process's peak resident set size in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
