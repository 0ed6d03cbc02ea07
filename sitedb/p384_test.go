package sitedb

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"passport/trust"
)

// TestP384OnlyForDCCSigners: a real-world P-384 DCC document signer (the
// TEST ONLY fixture the HC1: vectors use) can be trusted as a DCC signer,
// survives a reopen, and is refused as a staff-passport key.
func TestP384OnlyForDCCSigners(t *testing.T) {
	data, err := os.ReadFile("../fixtures/vectors/keys/dcc-p384.crt")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	db, path := openTemp(t)
	if _, err := db.AddCertificateAs(cert, trust.KindStaff, ""); err == nil || !strings.Contains(err.Error(), "P-384") {
		t.Fatalf("a P-384 staff-passport key: %v", err)
	}
	if _, err := db.AddCertificateAs(cert, trust.KindDCC, "XT"); err != nil {
		t.Fatalf("a P-384 DCC signer: %v", err)
	}
	db.Close()
	db, err = OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k, err := db.Key(trust.KeyID(cert.Raw))
	if err != nil || k.KindOf() != trust.KindDCC {
		t.Fatalf("after reopen: %+v, %v", k, err)
	}
	if err := trust.CheckPublicKeyFor(cert.PublicKey, trust.KindStaff); err == nil {
		t.Fatal("CheckPublicKeyFor accepted P-384 for a staff key")
	}
	b := &trust.Bundle{Version: 1, Issued: testNow, Expires: testNow.AddDate(0, 1, 0)}
	bi, err := trust.IssuerFromCertificate(cert)
	if err != nil {
		t.Fatalf("bundle entry of a P-384 DCC signer: %v", err)
	}
	bi.Kind, bi.Country = trust.KindDCC, "XT"
	b.Issuers = []trust.BundleIssuer{bi}
	if err := b.Validate(); err != nil {
		t.Fatalf("bundle with a P-384 DCC signer: %v", err)
	}
	b.Issuers[0].Kind, b.Issuers[0].Country = trust.KindStaff, ""
	if err := b.Validate(); err == nil {
		t.Fatal("bundle with a P-384 staff key validated")
	}
}
