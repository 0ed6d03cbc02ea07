package verify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// TestRevocationReasons: through a real bundle and SQLite store, each
// revocation keeps the code `revoked`, names its reason and date in words
// and in the JSON fields, and applies only from its time on.
func TestRevocationReasons(t *testing.T) {
	w := newTrustWorld(t)
	_, newE := w.entries(t)
	iat := tRotate.Add(24 * time.Hour)
	texts := map[byte]string{}
	for id := byte(1); id <= 6; id++ {
		texts[id] = issue(t, w.new, iat, id)
	}
	superseded := time.Date(2025, 8, 3, 10, 15, 0, 0, time.UTC)
	later := tNow.Add(time.Hour)
	cti := func(id byte) []byte { return passportClaims("RXA", iat, id).ID }
	data, err := w.auth.SignBundle(&trust.Bundle{Version: 1, Issued: tIssued, Expires: tExpires, Issuers: []trust.BundleIssuer{newE},
		Revoked: [][]byte{cti(1)},
		Revocations: []trust.RevokedEntry{
			{ID: cti(2), Revocation: trust.Revocation{Reason: 1, From: superseded}},
			{ID: cti(3), Revocation: trust.Revocation{Reason: 2, From: superseded}},
			{ID: cti(4), Revocation: trust.Revocation{Reason: 4, From: later}},
			{ID: cti(5), Revocation: trust.Revocation{Reason: 42}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ImportBundle(data, sitedb.ImportOptions{Now: tNow}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id           byte
		at           time.Time
		status       verify.Status
		message      string
		reason, from string
	}{
		{1, tNow, verify.StatusInvalid, "has been revoked by its issuer", "", ""},
		{2, tNow, verify.StatusInvalid, "was replaced by a newer passport issued 03 Aug 2025: only the newer one is valid", "superseded", "2025-08-03T10:15:00Z"},
		{2, superseded.Add(-time.Second), verify.StatusValid, "", "", ""},
		{2, superseded, verify.StatusInvalid, "replaced by a newer passport", "superseded", "2025-08-03T10:15:00Z"},
		{3, tNow, verify.StatusInvalid, "has been revoked by its issuer on 03 Aug 2025: Left employment", "left_employment", "2025-08-03T10:15:00Z"},
		{4, tNow, verify.StatusValid, "", "", ""}, // applies from an hour later
		{4, later, verify.StatusInvalid, "Withdrawn for cause", "withdrawn_for_cause", later.Format(time.RFC3339)},
		{5, tNow, verify.StatusInvalid, "reason 42, which this verifier does not know", "reason_42", ""},
		{6, tNow, verify.StatusValid, "", "", ""},
	}
	for _, tc := range tests {
		r := verify.Text("t", texts[tc.id], w.db, verify.Options{Now: tc.at})
		if tc.status == verify.StatusValid {
			wantVerdict(t, r, verify.StatusValid, "")
			continue
		}
		wantVerdict(t, r, verify.StatusInvalid, verify.ReasonRevoked)
		x := r.Reasons[len(r.Reasons)-1]
		if x.Code != verify.ReasonRevoked || !strings.Contains(x.Message, tc.message) || x.RevocationReason != tc.reason || x.RevokedFrom != tc.from {
			t.Errorf("id %d at %s: %+v; want %q, %q, %q", tc.id, tc.at, x, tc.message, tc.reason, tc.from)
		}
		if tc.id == 2 && strings.Contains(x.Message, "withdrawn") {
			t.Errorf("a superseded passport is described as withdrawn: %s", x.Message)
		}
		js, _ := json.Marshal(x)
		if tc.reason != "" && !strings.Contains(string(js), `"revocation_reason":"`+tc.reason+`"`) {
			t.Errorf("JSON %s lacks revocation_reason", js)
		}
		if tc.reason == "" && strings.Contains(string(js), "revocation_reason") {
			t.Errorf("JSON %s has a revocation_reason the list did not give", js)
		}
	}
}
