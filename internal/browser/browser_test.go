package browser

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCommand(t *testing.T) {
	for _, tc := range []struct {
		goos, browser, addr string
		want                []string
		err                 string
	}{
		{"windows", "", "http://127.0.0.1:8080/", []string{"rundll32", "url.dll,FileProtocolHandler", "http://127.0.0.1:8080/"}, ""},
		{"linux", "", "http://127.0.0.1:8080/", []string{"xdg-open", "http://127.0.0.1:8080/"}, ""},
		{"darwin", "", "http://localhost:8080/", []string{"open", "http://localhost:8080/"}, ""},
		{"linux", "", "http://[::1]:8080/", []string{"xdg-open", "http://[::1]:8080/"}, ""},
		{"linux", "/usr/bin/chromium", "http://127.0.0.1:8080/", []string{"/usr/bin/chromium", "http://127.0.0.1:8080/"}, ""},
		{"windows", "", "http://192.168.1.20:8080/", nil, "not a loopback address"},
		{"linux", "", "http://station.example:8080/", nil, "not a loopback address"},
		{"linux", "", "file:///etc/passwd", nil, "not an http address"},
		{"linux", "", "127.0.0.1:8080", nil, "not an http address"},
	} {
		got, err := Command(tc.goos, tc.browser, tc.addr)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Command(%s, %q): err %v, want %q", tc.goos, tc.addr, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Command(%s, %q) = %q, %v; want %q", tc.goos, tc.addr, got, err, tc.want)
		}
	}
}

// TestOpenRunsBrowser starts a real program as the browser and checks it was
// handed the address.
func TestOpenRunsBrowser(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the browser")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "opened")
	fake := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$1\" > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Open(runtime.GOOS, fake, "http://127.0.0.1:9/"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(out)
		if err == nil && strings.TrimSpace(string(b)) == "http://127.0.0.1:9/" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser not run with the address: %q, %v", b, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOpenMissingBrowser(t *testing.T) {
	err := Open("linux", filepath.Join(t.TempDir(), "no-such-browser"), "http://127.0.0.1:9/")
	if err == nil || !strings.Contains(err.Error(), "cannot start") {
		t.Fatalf("err = %v, want cannot start", err)
	}
}
