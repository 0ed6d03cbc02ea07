package trust_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"passport/trust"
)

// dccSignerCert makes a self-signed DCC document signer certificate for
// country NL whose extended key usage lists oids (dotted).
func dccSignerCert(t testing.TB, oids ...string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{Country: []string{"NL"}, CommonName: "DSC NL"},
		NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, s := range oids {
		var oid asn1.ObjectIdentifier
		for _, p := range strings.Split(s, ".") {
			n := 0
			for _, c := range p {
				n = n*10 + int(c-'0')
			}
			oid = append(oid, n)
		}
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, oid)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestDCCTypesOf: a signer certificate's extended key usage restricts it
// to the DCC types it names, in both spellings of the OIDs; one naming
// none of them (or all three) may sign every type.
func TestDCCTypesOf(t *testing.T) {
	for _, tc := range []struct {
		oids []string
		want []trust.DCCType
	}{
		{nil, nil},
		{[]string{"2.23.136.1.1.14.2"}, nil}, // an ICAO usage only: every type
		{[]string{"1.3.6.1.4.1.1847.2021.1.1"}, []trust.DCCType{trust.DCCTest}},
		{[]string{"1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.1847.2021.1.2"}, []trust.DCCType{trust.DCCVaccination, trust.DCCRecovery}},
		{[]string{"1.3.6.1.4.1.0.1847.2021.1.2"}, []trust.DCCType{trust.DCCVaccination}},
		{[]string{"1.3.6.1.4.1.0.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.3"}, nil},
	} {
		cert := dccSignerCert(t, tc.oids...)
		if got := trust.DCCTypesOf(cert); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: %v, want %v", tc.oids, got, tc.want)
		}
		bi, err := trust.IssuerFromCertificate(cert)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(bi.DCCTypes, tc.want) {
			t.Errorf("%v: bundle entry has %v, want %v", tc.oids, bi.DCCTypes, tc.want)
		}
	}
	k := trust.TrustedKey{Kind: trust.KindDCC, DCCTypes: []trust.DCCType{trust.DCCVaccination}}
	if !k.MaySignDCC(trust.DCCVaccination) || k.MaySignDCC(trust.DCCTest) || k.MaySignDCC(trust.DCCRecovery) {
		t.Error("a vaccination-only key: MaySignDCC is wrong")
	}
	if all := (trust.TrustedKey{Kind: trust.KindDCC}); !all.MaySignDCC(trust.DCCTest) {
		t.Error("a key without DCC types may not sign a test")
	}
}

// TestBundleDCCTypes: an entry's DCC types travel in issuer key 13, left
// out for every type; a malformed list is refused by name.
func TestBundleDCCTypes(t *testing.T) {
	b := testBundle(t)
	dcc, err := trust.IssuerFromCertificate(dccSignerCert(t, "1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.1847.2021.1.1"))
	if err != nil {
		t.Fatal(err)
	}
	b.Issuers = append(b.Issuers, dcc)
	data := mustMarshal(t, b)
	got, err := trust.UnmarshalBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []trust.DCCType{trust.DCCVaccination, trust.DCCTest}; !reflect.DeepEqual(got.Issuers[2].DCCTypes, want) {
		t.Fatalf("read DCC types %v, want %v", got.Issuers[2].DCCTypes, want)
	}
	tk, err := got.Issuers[2].TrustedKey()
	if err != nil {
		t.Fatal(err)
	}
	if !tk.MaySignDCC(trust.DCCTest) || tk.MaySignDCC(trust.DCCRecovery) {
		t.Fatalf("trusted key DCC types %v", tk.DCCTypes)
	}
	var m map[uint64]any
	if err := cbor.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	entries := m[4].([]any)
	if _, ok := entries[0].(map[any]any)[uint64(13)]; ok {
		t.Error("a staff key's entry carries key 13")
	}
	if v := entries[2].(map[any]any)[uint64(13)]; !reflect.DeepEqual(v, []any{"v", "t"}) {
		t.Errorf("key 13 is %v, want [v t]", v)
	}

	em, _ := cbor.CoreDetEncOptions().EncMode()
	for _, tc := range []struct {
		name  string
		entry int
		types any
		want  string
	}{
		{"unknown type", 2, []any{"v", "x"}, `"x" is not`},
		{"out of order", 2, []any{"t", "v"}, "order v, t, r"},
		{"twice", 2, []any{"v", "v"}, "order v, t, r"},
		{"on a staff key", 0, []any{"v"}, "staff-passport key"},
		{"empty list spelled out", 2, []any{}, "deterministically"},
		{"wider than the certificate", 2, []any{"v", "t", "r"}, "not allowed by the certificate's key usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[uint64]any
			cbor.Unmarshal(data, &m)
			m[4].([]any)[tc.entry].(map[any]any)[uint64(13)] = tc.types
			bad, err := em.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = trust.UnmarshalBundle(bad)
			if !errors.Is(err, trust.ErrBundleMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrBundleMalformed with %q", err, tc.want)
			}
		})
	}
}

// TestBundleDCCTypesFromCertificate: an entry without key 13, as in a
// bundle made before it, that carries its signer's certificate is held to
// the certificate's key usage all the same.
func TestBundleDCCTypesFromCertificate(t *testing.T) {
	b := testBundle(t)
	dcc, err := trust.IssuerFromCertificate(dccSignerCert(t, "1.3.6.1.4.1.0.1847.2021.1.3"))
	if err != nil {
		t.Fatal(err)
	}
	b.Issuers = append(b.Issuers, dcc)
	var m map[uint64]any
	if err := cbor.Unmarshal(mustMarshal(t, b), &m); err != nil {
		t.Fatal(err)
	}
	delete(m[4].([]any)[2].(map[any]any), uint64(13))
	em, _ := cbor.CoreDetEncOptions().EncMode()
	old, err := em.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := trust.UnmarshalBundle(old)
	if err != nil {
		t.Fatal(err)
	}
	if want := []trust.DCCType{trust.DCCRecovery}; !reflect.DeepEqual(got.Issuers[2].DCCTypes, want) {
		t.Fatalf("an entry without key 13: DCC types %v, want %v from its certificate", got.Issuers[2].DCCTypes, want)
	}
}

func TestParseDCCTypes(t *testing.T) {
	for _, s := range []string{"", "v", "v,t,r", "t,r"} {
		got, err := trust.ParseDCCTypes(s)
		if err != nil || trust.JoinDCCTypes(got) != s {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"x", "t,v", "v,,t", "v,v"} {
		if _, err := trust.ParseDCCTypes(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if got := trust.FormatDCCTypes([]trust.DCCType{trust.DCCVaccination, trust.DCCTest, trust.DCCRecovery}); got != "vaccination, test and recovery" {
		t.Errorf("FormatDCCTypes: %q", got)
	}
}
