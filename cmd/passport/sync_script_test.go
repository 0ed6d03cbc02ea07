package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// httpServe is the script command "httpserve NAME DIR": serves DIR on a
// loopback port (a static web server, as a trust authority would use)
// and sets $NAME to its URL. "httpserve NAME -" serves 503 to everything.
// The server stops when the script ends.
func httpServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: httpserve NAME DIR|-")
	}
	var h http.Handler = http.FileServer(http.Dir(ts.MkAbs(args[1])))
	if args[1] == "-" {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		})
	}
	srv := httptest.NewServer(h)
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// freePort is the script command "freeport NAME": sets $NAME to a loopback
// port free at this moment (for 'passport serve --addr').
func freePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// waitHTTP is the script command "waithttp URL REGEXP": GETs URL until
// its body matches REGEXP (20 s at most) and logs the last body.
func waitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waithttp URL REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	var body string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(args[0]); err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			body = string(b)
			if re.MatchString(body) {
				ts.Logf("%s", body)
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("%s never matched %q; last body: %s", args[0], args[1], body)
}
