package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passport/sitedb"
)

// TestServeSecondStart: starting the station again on a port its first
// start holds says "already running: open http://..." (what a receptionist
// needs), not "choose another port"; a port held by another program says
// so.
func TestServeSecondStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := sitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // the port is held
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	serve := func() (int, string) {
		var out, errb bytes.Buffer
		code := run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}, []string{"serve", "--db", path, "--addr", addr, "--quiet"})
		return code, errb.String()
	}
	if !markStation(path, addr, "http://"+addr+"/") {
		t.Fatal("the station marker could not be written")
	}
	code, msg := serve()
	if code != exitUsage || !strings.Contains(msg, "already running: open http://"+addr+"/") {
		t.Errorf("second start: exit %d, %q", code, msg)
	}
	os.Remove(stationMarker(path))
	code, msg = serve()
	if code != exitUsage || !strings.Contains(msg, "another program is using this port") || strings.Contains(msg, "already running") {
		t.Errorf("port held by another program: exit %d, %q", code, msg)
	}
}
