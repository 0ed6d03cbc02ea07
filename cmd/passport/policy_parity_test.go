package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"passport/credential"
	credsign "passport/credential/sign"
	"passport/fixtures/sampleclaims"
	"passport/keys"
	"passport/policy"
	"passport/sitedb"
	"passport/station"
)

// TestVerifyPolicyMatchesStation: `passport verify --json --policy` and the
// station's API (`serve --policy`) give the same verdict, reasons, claims
// and policy result for the same credentials, trust list, policy and time.
func TestVerifyPolicyMatchesStation(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	dir := t.TempDir()
	iss, err := keys.NewIssuer("RXP", "Parity Hospitals NHS Trust", now.AddDate(-1, 0, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "site.db")
	db, err := sitedb.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AddCertificate(iss.Cert); err != nil {
		t.Fatal(err)
	}
	mk := func(name string, dbsAgo, fireAgo int, level string) *credential.Claims {
		c := sampleclaims.Nurse(now, "RXP", "Parity Hospitals NHS Trust", name, dbsAgo, fireAgo)
		c.Body.Checks[2].Level = level // the DBS check
		return c
	}
	sign := func(c *credential.Claims) string {
		s, err := credsign.Issue(c, iss.Key, iss.KID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged, err := credsign.Issue(mk("Forged Person", 10, 10, "enhanced_barred"), stranger, iss.KID)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		sign(mk("Meets Policy", 10, 10, "enhanced_barred")),
		sign(mk("Old DBS", 4*365, 10, "enhanced_barred")),
		sign(mk("Hyphen Level", 10, 10, "Enhanced-Barred")),
		sign(mk("Fire Lapsing", 10, 350, "enhanced_barred")),
		sign(mk("Fire Lapsed", 10, 400, "enhanced_barred")),
		sign(mk("Wrong Level", 10, 10, "basic")),
		forged,
	}
	input := filepath.Join(dir, "scans.txt")
	if err := os.WriteFile(input, []byte(strings.Join(texts, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	policyPath := "../../fixtures/site-policy.json"

	var stdout, stderr bytes.Buffer
	run(&env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
		[]string{"verify", "--db", dbPath, "--json", "--policy", policyPath, "--now", now.Format(time.RFC3339), input})
	var cli []map[string]any
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("verify --json line %q: %v (stderr %s)", sc.Text(), err, stderr.String())
		}
		cli = append(cli, m)
	}

	pol, err := policy.Load(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := station.New(station.Config{Store: db, Policy: pol, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/verify", strings.NewReader(strings.Join(texts, "\n")))
	req.Host = "127.0.0.1" // a station answers loopback names only
	srv.ServeHTTP(rec, req)
	var api struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil {
		t.Fatalf("station answer %q: %v", rec.Body.String(), err)
	}

	if len(cli) != len(texts) || len(api.Results) != len(texts) {
		t.Fatalf("%d CLI results, %d station results, want %d each", len(cli), len(api.Results), len(texts))
	}
	statuses := map[any]bool{}
	for i := range texts {
		delete(cli[i], "input") // the file name vs the upload's name
		delete(api.Results[i], "input")
		if !reflect.DeepEqual(cli[i], api.Results[i]) {
			a, _ := json.MarshalIndent(cli[i], "", " ")
			b, _ := json.MarshalIndent(api.Results[i], "", " ")
			t.Errorf("credential %d differs:\nverify --json --policy:\n%s\nstation API:\n%s", i, a, b)
		}
		if p, ok := cli[i]["policy"].(map[string]any); ok {
			statuses[p["status"]] = true
		}
	}
	// The inputs must exercise every policy outcome, or the comparison proves little.
	for _, want := range []string{"met", "not_met", "expiring_soon", "not_evaluated"} {
		if !statuses[want] {
			t.Errorf("no input gave policy status %q: %v", want, statuses)
		}
	}
}
