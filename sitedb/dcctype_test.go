package sitedb

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"passport/internal/sqlitedb"
	"passport/trust"
)

// dccSigner makes a DE DCC document signer certificate whose extended key
// usage allows only vaccinations (the EU's OID 1.3.6.1.4.1.1847.2021.1.2).
func dccSigner(t testing.TB) *x509.Certificate {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:   pkix.Name{Country: []string{"DE"}, Organization: []string{"RKI (TEST)"}},
		NotBefore: testNow, NotAfter: testNow.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var vaccinationOnly = []trust.DCCType{trust.DCCVaccination}

// TestDCCTypesStored: the DCC types of a directly trusted signer and of a
// bundle's entry are stored, and read back after a reopen.
func TestDCCTypesStored(t *testing.T) {
	db, path := openTemp(t)
	direct := dccSigner(t)
	if k, err := db.AddCertificate(direct); err != nil || !reflect.DeepEqual(k.DCCTypes, vaccinationOnly) {
		t.Fatalf("AddCertificate: %+v, %v", k, err)
	}
	auth := newAuthority(t)
	pin(t, db, auth)
	bi, err := trust.IssuerFromCertificate(dccSigner(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportBundle(sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bi}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, kid := range [][]byte{trust.KeyID(direct.Raw), bi.KID} {
		k, err := db.Key(kid)
		if err != nil || !reflect.DeepEqual(k.DCCTypes, vaccinationOnly) || k.MaySignDCC(trust.DCCTest) {
			t.Fatalf("key %x after reopen: %+v, %v", kid, k, err)
		}
	}
	// A list the store cannot read is a damaged entry, never every type.
	if _, err := db.sql.Exec(`UPDATE issuer_keys SET dcc_types = 'x' WHERE source = 'direct'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Keys(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("a damaged DCC type list: %v", err)
	}
}

// TestDCCTypesMigration: a DCC signer stored before DCC types were read
// (schema version 7) may sign every type, as before, until its
// certificate is added again.
func TestDCCTypesMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old := schema
	old.Migrations = migrations[:7]
	sdb, err := sqlitedb.Open(path, &old, sqlitedb.Create)
	if err != nil {
		t.Fatal(err)
	}
	dsc := dccSigner(t)
	if _, err := sdb.Exec(`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, certificate, added_at, kind, country)
		VALUES (?, 'direct', 'RKI', 'RKI (TEST)', ?, ?, ?, 'dcc', 'DE')`, trust.KeyID(dsc.Raw), dsc.RawSubjectPublicKeyInfo, dsc.Raw, time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	db, err := OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k, err := db.Key(trust.KeyID(dsc.Raw))
	if err != nil || len(k.DCCTypes) != 0 {
		t.Fatalf("a key from schema version 7: %+v, %v", k, err)
	}
	if _, err := db.AddCertificate(dsc); err != nil {
		t.Fatal(err)
	}
	if k, err = db.Key(trust.KeyID(dsc.Raw)); err != nil || !reflect.DeepEqual(k.DCCTypes, vaccinationOnly) {
		t.Fatalf("after adding the certificate again: %+v, %v", k, err)
	}
}
