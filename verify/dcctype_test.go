package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// TestDCCTypeKeyUsage: a signer whose certificate's extended key usage
// allows vaccinations only (the EU's OID 1.3.6.1.4.1.1847.2021.1.2),
// trusted the way `trust add` does, signs a valid vaccination DCC, and a
// test result or recovery it signs is refused as dcc_type_not_allowed,
// naming the type and what the key may sign.
func TestDCCTypeKeyUsage(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	subject := pkix.Name{Country: []string{"NL"}, Organization: []string{"Ministerie van VWS"}, CommonName: "DSC NL vaccinations"}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(43), Subject: subject, NotBefore: dccCertFrom, NotAfter: dccCertFrom.AddDate(2, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	s := &dccSigner{key: key, cert: cert, kid: trust.KeyID(der)}
	db, err := sitedb.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AddCertificate(cert); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, name string
		valid      bool
	}{{"v", "vaccination", true}, {"t", "test", false}, {"r", "recovery", false}} {
		text := makeDCC(t, dccOpts{signer: s, hcert: dccHcert(tc.kind, ciGood)})
		r := verify.Text("dcc", text, db, verify.Options{Now: dccNow})
		if tc.valid {
			if r.Status != verify.StatusValid {
				t.Errorf("%s signed by a vaccination signer: %s %+v", tc.name, r.Status, r.Reasons)
			}
			continue
		}
		if r.Status != verify.StatusInvalid || len(r.Reasons) != 1 || r.Reasons[0].Code != verify.ReasonDCCTypeNotAllowed {
			t.Errorf("%s signed by a vaccination signer: %s %+v, want invalid, %s", tc.name, r.Status, r.Reasons, verify.ReasonDCCTypeNotAllowed)
			continue
		}
		if msg := r.Reasons[0].Message; !strings.Contains(msg, "a "+tc.name+" entry") || !strings.Contains(msg, "may sign only vaccination certificates") {
			t.Errorf("%s: message %q does not name the type and what the key may sign", tc.name, msg)
		}
	}
}
