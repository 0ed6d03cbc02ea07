package main

import (
	"bytes"
	"strings"
	"testing"

	"passport/policy"
	"passport/verify"
)

// TestPrinterEmployerOfRecord: the long output names the
// organisation whose key signed as the employer, never a name the
// credential asserts for itself.
func TestPrinterEmployerOfRecord(t *testing.T) {
	r := verify.Result{Input: "x", Status: verify.StatusInvalid, Issuer: "OTH", IssuerName: "Other Trust",
		Document: verify.DocumentStaffPassport,
		Claims:   &verify.ClaimsView{Employment: verify.EmploymentView{OrgName: "Royal Hospital", Role: "Porter"}}}
	var b bytes.Buffer
	p := newPrinter(&b, false, false)
	p.print(policy.Apply(nil, r))
	out := b.String()
	if !strings.Contains(out, "Porter, Other Trust (OTH)") || strings.Contains(out, "Royal Hospital") {
		t.Fatalf("employer line does not name the signer:\n%s", out)
	}
	if strings.Contains(out, "not a staff passport") {
		t.Fatalf("a staff passport is labelled as a DCC:\n%s", out)
	}
	b.Reset()
	p.print(policy.Apply(nil, verify.Result{Input: "d", Status: verify.StatusValid, Document: verify.DocumentEUDCC, DCC: &verify.DCCView{}}))
	if !strings.Contains(b.String(), "EU Digital COVID Certificate — not a staff passport") {
		t.Fatalf("a DCC is not labelled plainly:\n%s", b.String())
	}
}
