package verify_test

import (
	"encoding/json"
	"strings"
	"testing"

	"passport/credential"
	"passport/verify"
)

// TestFutureVectorKeepsUnknownItems: a passport from a newer issuer is
// VALID, keeps the unknown subject with its raw code (never dropped), says
// so in one warning that tells the site to update, and marks the item as
// not Known, which is what a site policy must test before counting it met.
func TestFutureVectorKeepsUnknownItems(t *testing.T) {
	v := loadVectors(t, "invalid")["future-v3-unknown-subject"]
	if v == nil {
		t.Fatal("vector future-v3-unknown-subject is missing")
	}
	r := verify.Text("future", v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
	if r.Status != verify.StatusValid || len(r.Warnings) != 1 || r.Warnings[0].Code != verify.WarnNotRecognised {
		t.Fatalf("status %s, warnings %+v: want valid with one not_recognised warning", r.Status, r.Warnings)
	}
	if msg := r.Warnings[0].Message; !strings.Contains(msg, "update the verifier") || !strings.Contains(msg, "subject_13") {
		t.Errorf("warning %q should name the raw code and say to update the verifier", msg)
	}
	var unknown *credential.Training
	for i, tr := range r.Parsed.Body.Training {
		if tr.Subject == 13 {
			unknown = &r.Parsed.Body.Training[i]
		}
	}
	if unknown == nil {
		t.Fatalf("the unknown subject was dropped: %+v", r.Parsed.Body.Training)
	}
	if unknown.Known() || unknown.Subject.Known() || unknown.Subject.Code() != "subject_13" {
		t.Errorf("unknown subject reads as known (%v) or lost its raw code (%s)", unknown.Known(), unknown.Subject.Code())
	}
	for _, tr := range r.Parsed.Body.Training {
		if tr.Subject != 13 && !tr.Known() {
			t.Errorf("known subject %s reads as unknown", tr.Subject.Code())
		}
	}
	b, _ := json.Marshal(r.Claims)
	if !strings.Contains(string(b), `"subject":"subject_13"`) || !strings.Contains(string(b), `"not_recognised":true`) {
		t.Errorf("the JSON view does not show the unknown subject as not recognised: %s", b)
	}
}

// TestCriticalVectorSaysUpdate: an unknown must-understand field is
// INVALID with update_required only, and the message points at the
// verifier, not at forgery.
func TestCriticalVectorSaysUpdate(t *testing.T) {
	v := loadVectors(t, "invalid")["future-v3-critical-field"]
	r := verify.Text("crit", v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
	if r.Status != verify.StatusInvalid || len(r.Reasons) != 1 || r.Reasons[0].Code != verify.ReasonUpdateRequired {
		t.Fatalf("status %s, reasons %+v: want invalid, update_required only", r.Status, r.Reasons)
	}
	msg := r.Reasons[0].Message
	if !strings.Contains(msg, "update the verifier") || !strings.Contains(msg, "not a sign of forgery") {
		t.Errorf("message %q should say to update the verifier and that this is not forgery", msg)
	}
}

// TestV2LevelsInView: a version-2 passport shows its levels in the JSON view.
func TestV2LevelsInView(t *testing.T) {
	v := loadVectors(t, "valid")["v2-levels"]
	r := verify.Text("v2", v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
	if r.Status != verify.StatusValid || len(r.Warnings) != 0 {
		t.Fatalf("status %s warnings %+v", r.Status, r.Warnings)
	}
	b, _ := json.Marshal(r.Claims)
	for _, want := range []string{`"level":"level_3"`, `"level":"tier_2"`, `"level":"epp"`, `"level":"enhanced_barred"`, `"subject":"learning_disability_autism"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON view lacks %s: %s", want, b)
		}
	}
}
