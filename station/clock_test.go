package station

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/policy"
	"passport/sitedb"
	"passport/verify"
)

// TestStationOnASetBackClock: a station on the system clock compares it
// with the newest time the site has seen pass (here a check logged three
// days ahead of this computer's clock, as after the clock was set back).
// It then decides nothing: CHECK NEEDED, clock_behind, saying so. A station
// given a clock on purpose (tests, replays) is not second-guessed.
func TestStationOnASetBackClock(t *testing.T) {
	f := newFixture(t)
	l, err := sitedb.OpenLog(f.db, sitedb.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Record(context.Background(), sitedb.Entry{At: time.Now().Add(72 * time.Hour), Status: "valid", ReasonCodes: ""}); err != nil {
		t.Fatal(err)
	}
	text := f.text(t, f.claims("Zoë Whitfield", 100, 100))
	decide := func(cfg Config) (policy.Verdict, string) {
		t.Helper()
		srv, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "http://127.0.0.1/api/verify", strings.NewReader(text))
		req.Header.Set("Content-Type", "text/plain")
		srv.ServeHTTP(rec, req)
		var resp VerifyResponse
		if err := json.NewDecoder(rec.Body).Decode(&resp); err != nil || len(resp.Results) != 1 {
			t.Fatalf("response %d %q: %v", rec.Code, rec.Body.String(), err)
		}
		return resp.Results[0], string(resp.Results[0].Decision.Code)
	}
	v, code := decide(Config{Store: f.db})
	if code != string(policy.CheckNeeded) || !hasReason(v.Reasons, verify.ReasonClockBehind) {
		t.Fatalf("system clock behind the floor: decision %s, reasons %+v; want check_needed with clock_behind", code, v.Reasons)
	}
	if !strings.Contains(v.Reasons[0].Message+v.Decision.Reason, "clock") {
		t.Errorf("the reason does not say the clock is wrong: %+v", v.Reasons)
	}
	later := time.Now().Add(96 * time.Hour)
	if _, code := decide(Config{Store: f.db, Now: func() time.Time { return later }}); code != string(policy.Accept) {
		t.Errorf("a clock given on purpose: decision %s, want accept", code)
	}
}

func hasReason(rs []verify.Reason, code credential.Reason) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

// TestLogNamesThePolicy: each logged verification says which site policy
// it was judged by, and for a policy from the trust list, which list
// version it came from, so an audit can tell which rules a desk applied.
func TestLogNamesThePolicy(t *testing.T) {
	local := examplePolicy(t)
	fromList := examplePolicy(t)
	fromList.BundleName, fromList.BundleVersion = "ward-nurse", 12
	for _, c := range []struct {
		pol  *policy.Policy
		want string
	}{{nil, ""}, {local, local.Name}, {fromList, "ward-nurse from trust list 12"}} {
		s := newSite(t, c.pol)
		text := s.text(t, s.claims("Zoë Whitfield", 100, 100))
		if code, _, body := s.post(t, "text/plain", []byte(text)); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		rows := logEntries(t, s.log)
		if len(rows) != 1 || rows[0].PolicyName != c.want {
			t.Errorf("policy %q: logged %+v, want policy_name %q", c.want, rows, c.want)
		}
	}
}
