package station

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"

	"passport/credential"
	"passport/policy"
	"passport/verify"
)

// The station's defences against hostile hosts and log injection;
// docs/security.md lists what each defends.

// TestHostAllowList: beyond loopback the station needs
// --allow-host and answers only those names (and loopback ones); on
// loopback it answers only localhost, 127.0.0.1 and [::1]. Cross-origin
// POSTs are refused in both.
func TestHostAllowList(t *testing.T) {
	f := newFixture(t)
	if _, err := New(Config{Store: f.db, Addr: "0.0.0.0:8080"}); err == nil || !strings.Contains(err.Error(), "--allow-host") {
		t.Fatalf("listening on every interface without --allow-host: %v, want a refusal naming --allow-host", err)
	}
	if _, err := New(Config{Store: f.db, Addr: "0.0.0.0:8080", AllowHosts: []string{"http://x/"}}); err == nil {
		t.Fatal("a URL was accepted as --allow-host")
	}
	lan, err := New(Config{Store: f.db, Addr: "0.0.0.0:8080", AllowHosts: []string{"Reception-PC.local"}})
	if err != nil {
		t.Fatal(err)
	}
	lo, err := New(Config{Store: f.db, Addr: "127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		s            *Server
		method, host string
		origin       string
		want         int
	}{
		{"LAN: allowed name", lan, "GET", "reception-pc.local:8080", "", 200},
		{"LAN: loopback name", lan, "GET", "127.0.0.1:8080", "", 200},
		{"LAN: rebinding name", lan, "GET", "evil.example:8080", "", http.StatusMisdirectedRequest},
		{"LAN: bare IP not allowed", lan, "GET", "192.168.1.20:8080", "", http.StatusMisdirectedRequest},
		{"LAN: same-origin POST", lan, "POST", "reception-pc.local:8080", "http://reception-pc.local:8080", 200},
		{"LAN: cross-origin POST", lan, "POST", "reception-pc.local:8080", "http://evil.example", http.StatusForbidden},
		{"loopback: 127.0.0.1", lo, "GET", "127.0.0.1:8080", "", 200},
		{"loopback: localhost", lo, "GET", "LOCALHOST:8080", "", 200},
		{"loopback: [::1]", lo, "GET", "[::1]:8080", "", 200},
		{"loopback: other loopback IP", lo, "GET", "127.9.9.9:8080", "", http.StatusMisdirectedRequest},
		{"loopback: rebinding name", lo, "GET", "evil.example:8080", "", http.StatusMisdirectedRequest},
		{"loopback: cross-origin POST", lo, "POST", "127.0.0.1:8080", "http://evil.example", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, body := "/api/status", ""
			if tc.method == "POST" {
				path, body = "/api/verify", "SP1:X"
			}
			req := httptest.NewRequest(tc.method, path, strings.NewReader(body))
			req.Host = tc.host
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			rec := httptest.NewRecorder()
			tc.s.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("HTTP %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}

// TestLogLinesAreClean: a DCC's certificate identifier
// (ci) and reason text are chosen by whoever made the credential; an ESC
// or a newline in them must not reach the access log or the verification
// log as it is, where it could forge a line.
func TestLogLinesAreClean(t *testing.T) {
	ci := "URN:UVCI:01:DE:X\x1b[2K\r\n2026/11/30 01:00:00 GET / 200 1ms valid"
	v := policy.Apply(nil, verify.Result{Status: verify.StatusInvalid, CredentialID: ci, Issuer: "DE\u202e",
		Reasons: []verify.Reason{{Code: verify.ReasonRevoked, Message: "this certificate (" + ci + ") has been revoked"}}})
	e := EntryOf(v, "text", time.Now())
	for what, s := range map[string]string{"credential id": e.CredentialID, "issuer": e.Issuer, "reason": e.Reason} {
		if strings.ContainsFunc(s, credential.UnsafeRune) {
			t.Errorf("log entry %s keeps control characters: %q", what, s)
		}
	}
	sum := verdictSummary(v)
	if strings.ContainsFunc(sum, func(r rune) bool { return credential.UnsafeRune(r) || unicode.IsSpace(r) }) {
		t.Errorf("access-log verdict summary can split or forge a line: %q", sum)
	}
}
