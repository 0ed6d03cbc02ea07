// Package browser opens the station's page in the desktop's default browser,
// for `passport serve --open`: the one step a site administrator takes.
package browser

import (
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"strings"
)

// Command returns the program and arguments that open address on goos. A
// non-empty browser (the BROWSER environment variable) wins, so a site can
// pick a kiosk browser and tests can watch what would be opened.
//
// Only loopback pages are opened: the station's page is meant for this
// computer, and opening a LAN address would invite using a station whose
// webcam cannot work (browsers allow cameras only on secure or loopback
// origins).
func Command(goos, browser, address string) ([]string, error) {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http address", address)
	}
	if !Loopback(u.Hostname()) {
		return nil, fmt.Errorf("%s is not a loopback address; open the page by hand on the computer with the scanner", u.Host)
	}
	if b := strings.TrimSpace(browser); b != "" {
		return []string{b, address}, nil
	}
	switch goos {
	case "windows":
		// The shell's URL handler: the default browser, without a console
		// window and without cmd.exe's "start" quoting rules.
		return []string{"rundll32", "url.dll,FileProtocolHandler", address}, nil
	case "darwin":
		return []string{"open", address}, nil
	default:
		return []string{"xdg-open", address}, nil
	}
}

// Loopback reports whether host (a name or an IP address, without port) is
// this computer only.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Open starts the browser for address and returns without waiting for it: a
// browser that is already running hands the page over and exits, a new one
// keeps running after the station stops.
func Open(goos, browser, address string) error {
	argv, err := Command(goos, browser, address)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start %s: %v", argv[0], err)
	}
	go cmd.Wait() // reap it; its exit status says nothing about the page
	return nil
}
