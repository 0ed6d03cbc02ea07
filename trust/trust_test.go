package trust_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/keys"
	"passport/trust"
)

var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func newTestIssuer(t testing.TB) *keys.Issuer {
	t.Helper()
	iss, err := keys.NewIssuer("RXX", "Riverside Hospitals NHS Trust", testNow, 0)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

func testAuthority(t testing.TB) *keys.Authority {
	t.Helper()
	a, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testBundle lists two issuers (one revoked from a compromise date) and
// two revoked ids (a passport cti and a DCC ci).
func testBundle(t testing.TB) *trust.Bundle {
	t.Helper()
	a, err := keys.NewIssuer("RXA", "Alpha Trust", testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.NewIssuer("RXB", "Beta Trust", testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	ia, _ := trust.IssuerFromCertificate(a.Cert)
	ib, _ := trust.IssuerFromCertificate(b.Cert)
	ib.Revoked, ib.RevokedFrom = true, testNow.AddDate(0, 6, 0)
	return &trust.Bundle{Version: 3, Issued: testNow, Expires: testNow.AddDate(0, 1, 0),
		Issuers: []trust.BundleIssuer{ia, ib},
		Revoked: [][]byte{bytes.Repeat([]byte{0xab}, 16), []byte("URN:UVCI:01:DE:X1")}}
}

func pemCert(iss *keys.Issuer) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.Cert.Raw})
}

func mustMarshal(t testing.TB, b *trust.Bundle) []byte {
	t.Helper()
	data, err := trust.MarshalBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestKeyIDVector(t *testing.T) {
	// SHA-256("abc") = ba7816bf8f01cfea 414140de5dae2223...
	if got := hex.EncodeToString(trust.KeyID([]byte("abc"))); got != "ba7816bf8f01cfea" {
		t.Fatalf("KeyID(abc) = %s, want ba7816bf8f01cfea", got)
	}
	if n := len(trust.KeyID(nil)); n != trust.KeyIDLen {
		t.Fatalf("KeyID length %d, want %d", n, trust.KeyIDLen)
	}
}

func TestParseCertificates(t *testing.T) {
	a, b := newTestIssuer(t), newTestIssuer(t)
	pa := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw})
	pb := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.Cert.Raw})
	der, _ := x509.MarshalPKCS8PrivateKey(a.Key)
	pk := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name string
		in   []byte
		want int    // certificates expected; 0 means an error
		err  string // substring of the error
	}{
		{"pem one", pa, 1, ""},
		{"pem two with text", cat([]byte("Subject: x\n"), pa, []byte("\n# next\n"), pb), 2, ""},
		{"der one", a.Cert.Raw, 1, ""},
		{"der two", cat(a.Cert.Raw, b.Cert.Raw), 2, ""},
		{"private key", cat(pa, pk), 0, "private key"},
		{"other block", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), 0, "not a CERTIFICATE"},
		{"bad pem body", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nope")}), 0, "not a valid X.509"},
		{"truncated pem", pa[:len(pa)-30], 0, "no PEM CERTIFICATE block"},
		{"garbage", []byte("hello world"), 0, "not a PEM or DER"},
		{"empty", nil, 0, "empty"},
		{"too big", make([]byte, trust.MaxCertificateFileSize+1), 0, "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := trust.ParseCertificates(tc.in)
			if tc.want == 0 {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(certs) != tc.want {
				t.Fatalf("got %d certificates, want %d", len(certs), tc.want)
			}
			if !bytes.Equal(certs[0].Raw, a.Cert.Raw) {
				t.Fatal("first certificate is not the first one given")
			}
		})
	}
	if _, err := trust.ParseCertificatePEM(cat(pa, pb)); err == nil {
		t.Error("ParseCertificatePEM accepted two certificates")
	}
	if c, err := trust.ParseCertificatePEM(pb); err != nil || !bytes.Equal(c.Raw, b.Cert.Raw) {
		t.Errorf("ParseCertificatePEM(one) = %v", err)
	}
}

func TestParseCertificatesCountLimit(t *testing.T) {
	a := newTestIssuer(t)
	one := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw})
	at := bytes.Repeat(one, trust.MaxCertificates)
	if len(at) > trust.MaxCertificateFileSize {
		t.Skip("certificate too large for the count test")
	}
	if certs, err := trust.ParseCertificates(at); err != nil || len(certs) != trust.MaxCertificates {
		t.Fatalf("%d certificates: %v", trust.MaxCertificates, err)
	}
	over := append(at, one...)
	if len(over) <= trust.MaxCertificateFileSize {
		if _, err := trust.ParseCertificates(over); err == nil || !strings.Contains(err.Error(), "more than") {
			t.Fatalf("%d certificates: err = %v", trust.MaxCertificates+1, err)
		}
	}
}

func TestOrgCodeOfForeignCert(t *testing.T) {
	if trust.OrgCodeOf(nil) != "" {
		t.Error("OrgCodeOf(nil) not empty")
	}
	// A certificate with an OU but no passport URI has no org code.
	c := &x509.Certificate{}
	c.Subject.OrganizationalUnit = []string{"RXX"}
	if got := trust.OrgCodeOf(c); got != "" {
		t.Errorf("OrgCodeOf(foreign) = %q, want empty", got)
	}
}

func TestCheckPublicKey(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rsaOf := func(bits int) *rsa.PublicKey {
		n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return &rsa.PublicKey{N: n.Add(n, big.NewInt(1)), E: 65537}
	}
	tests := []struct {
		name string
		pub  any
		ok   bool
	}{
		{"p256", &p256.PublicKey, true},
		{"p384", &p384.PublicKey, false},
		{"ed25519", edPub, true},
		{"ed25519 short", ed25519.PublicKey(edPub[:31]), false},
		{"rsa1024", rsaOf(1024), false},
		{"rsa2048", rsaOf(2048), true},
		{"rsa4096", rsaOf(4096), true},
		{"rsa16384", rsaOf(16384), false},
		{"string", "key", false},
	}
	for _, tc := range tests {
		if err := trust.CheckPublicKey(tc.pub); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestCheckIssuedAt(t *testing.T) {
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	comp := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		key  trust.TrustedKey
		iat  time.Time
		want error
	}{
		{"inside", trust.TrustedKey{ValidFrom: from, ValidUntil: until}, comp, nil},
		{"at start", trust.TrustedKey{ValidFrom: from, ValidUntil: until}, from, nil},
		{"at end", trust.TrustedKey{ValidFrom: from, ValidUntil: until}, until, nil},
		{"before", trust.TrustedKey{ValidFrom: from, ValidUntil: until}, from.Add(-time.Second), trust.ErrKeyNotYetValid},
		{"after", trust.TrustedKey{ValidFrom: from, ValidUntil: until}, until.Add(time.Second), trust.ErrKeyExpired},
		{"unbounded", trust.TrustedKey{}, time.Unix(0, 0), nil},
		{"revoked all", trust.TrustedKey{Revoked: true}, from, trust.ErrKeyRevoked},
		{"revoked before compromise", trust.TrustedKey{Revoked: true, RevokedFrom: comp}, comp.Add(-time.Second), nil},
		{"revoked at compromise", trust.TrustedKey{Revoked: true, RevokedFrom: comp}, comp, trust.ErrKeyRevoked},
	}
	for _, tc := range tests {
		err := tc.key.CheckIssuedAt(tc.iat)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestMemoryStore(t *testing.T) {
	var s trust.TrustStore = trust.NewMemoryStore()
	m := s.(*trust.MemoryStore)
	iss := newTestIssuer(t)
	kid := append([]byte(nil), iss.KID...)
	m.Add(trust.TrustedKey{KID: kid, OrgCode: "RXX", PublicKey: &iss.Key.PublicKey})
	kid[0] ^= 0xff // the store keeps its own copy
	k, err := s.Key(iss.KID)
	if err != nil || k.OrgCode != "RXX" || k.Source != trust.SourceDirect {
		t.Fatalf("Key = %+v, %v", k, err)
	}
	k.KID[0] ^= 0xff // and hands out copies
	if _, err := s.Key(iss.KID); err != nil {
		t.Fatal("mutating a returned key changed the store")
	}
	if _, err := s.Key([]byte("12345678")); !errors.Is(err, trust.ErrUnknownKey) {
		t.Fatalf("unknown kid: err = %v", err)
	}
	id := bytes.Repeat([]byte{7}, 16)
	if r, _ := s.Revocation(id); r != nil {
		t.Fatal("revoked before Revoke")
	}
	m.Revoke(id)
	if r, _ := s.Revocation(id); r == nil || !r.AppliesAt(time.Time{}) || r.ReasonCode() != "" {
		t.Fatalf("after Revoke: %+v", r)
	}
	exp := testNow.Add(30 * 24 * time.Hour)
	m.SetBundleInfo(3, testNow, exp)
	info, _ := s.Info()
	if info.Version != 3 || !info.Expires.Equal(exp) || info.Issuers != 1 || info.Revoked != 1 {
		t.Fatalf("Info = %+v", info)
	}
	if ks := m.Keys(); len(ks) != 1 || !bytes.Equal(ks[0].KID, iss.KID) {
		t.Fatalf("Keys = %+v", ks)
	}
}

func TestBundleRoundTrip(t *testing.T) {
	auth := testAuthority(t)
	b := testBundle(t)
	signed, err := auth.SignBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := trust.ParseSignedBundle(signed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sb.KID, auth.KID) {
		t.Fatalf("kid %x, want %x", sb.KID, auth.KID)
	}
	got, err := sb.Verify(&auth.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, b)
	}
	tk, err := got.Issuers[1].TrustedKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.CheckIssuedAt(testNow.AddDate(0, 1, 0)); err != nil {
		t.Fatalf("credential issued before the compromise date refused: %v", err)
	}
	if err := tk.CheckIssuedAt(testNow.AddDate(0, 7, 0)); !errors.Is(err, trust.ErrKeyRevoked) {
		t.Fatalf("credential issued after the compromise date: %v", err)
	}
}

// TestSignedBundleTamper: each tamper of a good signed bundle fails with
// the expected error.
func TestSignedBundleTamper(t *testing.T) {
	auth := testAuthority(t)
	other := testAuthority(t)
	signed, err := auth.SignBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	resign := func(edit func(m *cose.Sign1Message)) []byte {
		m := cose.NewSign1Message()
		if err := m.UnmarshalCBOR(signed); err != nil {
			t.Fatal(err)
		}
		edit(m)
		m.Headers.RawProtected, m.Headers.RawUnprotected, m.Signature = nil, nil, nil
		s, _ := cose.NewSigner(cose.AlgorithmES256, auth.Key)
		if err := m.Sign(rand.Reader, nil, s); err != nil {
			t.Fatal(err)
		}
		out, err := m.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name   string
		data   func() []byte
		verify *keys.Authority
		want   error
	}{
		{"payload bit flipped", func() []byte {
			d := bytes.Clone(signed)
			d[len(d)-100] ^= 1
			return d
		}, auth, trust.ErrBundleSignature},
		{"signature bit flipped", func() []byte {
			d := bytes.Clone(signed)
			d[len(d)-1] ^= 1
			return d
		}, auth, trust.ErrBundleSignature},
		{"other authority's key", func() []byte { return signed }, other, trust.ErrBundleSignature},
		{"untagged", func() []byte { return signed[1:] }, auth, trust.ErrBundleMalformed},
		{"empty", func() []byte { return nil }, auth, trust.ErrBundleMalformed},
		{"truncated", func() []byte { return signed[:len(signed)/2] }, auth, trust.ErrBundleMalformed},
		{"no content type", func() []byte {
			return resign(func(m *cose.Sign1Message) { delete(m.Headers.Protected, cose.HeaderLabelContentType) })
		}, auth, trust.ErrBundleMalformed},
		{"content type only unprotected", func() []byte {
			return resign(func(m *cose.Sign1Message) {
				delete(m.Headers.Protected, cose.HeaderLabelContentType)
				m.Headers.Unprotected[cose.HeaderLabelContentType] = trust.BundleContentType
			})
		}, auth, trust.ErrBundleMalformed},
		{"kid only unprotected", func() []byte {
			return resign(func(m *cose.Sign1Message) {
				delete(m.Headers.Protected, cose.HeaderLabelKeyID)
				m.Headers.Unprotected[cose.HeaderLabelKeyID] = auth.KID
			})
		}, auth, trust.ErrBundleMalformed},
		{"over MaxBundleBytes", func() []byte { return append(bytes.Clone(signed), make([]byte, trust.MaxBundleBytes)...) }, auth, trust.ErrBundleMalformed},
	}
	// The re-signing helper itself yields a good bundle when it edits nothing.
	if sb, err := trust.ParseSignedBundle(resign(func(*cose.Sign1Message) {})); err != nil {
		t.Fatalf("re-signed unchanged bundle: %v", err)
	} else if _, err := sb.Verify(&auth.Key.PublicKey); err != nil {
		t.Fatalf("re-signed unchanged bundle: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sb, err := trust.ParseSignedBundle(tc.data())
			if err == nil {
				_, err = sb.Verify(&tc.verify.Key.PublicKey)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBundleValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(b *trust.Bundle)
		want string
	}{
		{"version 0", func(b *trust.Bundle) { b.Version = 0 }, "versions start at 1"},
		{"version over 2^53", func(b *trust.Bundle) { b.Version = trust.MaxBundleVersion + 1 }, "over the largest"},
		{"version 2^63-1", func(b *trust.Bundle) { b.Version = 1<<63 - 1 }, "over the largest"},
		{"issuer valid from 1950", func(b *trust.Bundle) { b.Issuers[0].ValidFrom = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the years 1970-9999"},
		{"expires before issued", func(b *trust.Bundle) { b.Expires = b.Issued.Add(-time.Second) }, "not after issued"},
		{"duplicate kid", func(b *trust.Bundle) { b.Issuers = append(b.Issuers, b.Issuers[0]) }, "same key id"},
		{"short kid", func(b *trust.Bundle) { b.Issuers[0].KID = b.Issuers[0].KID[:7] }, "7 bytes"},
		{"kid not the certificate's", func(b *trust.Bundle) { b.Issuers[0].KID = []byte("12345678") }, "not the certificate's"},
		{"certificate of another key", func(b *trust.Bundle) { b.Issuers[0].Certificate = b.Issuers[1].Certificate }, "differs"},
		{"garbage public key", func(b *trust.Bundle) { b.Issuers[0].PublicKey = []byte{0x30, 0} }, "PKIX"},
		{"empty org code", func(b *trust.Bundle) { b.Issuers[0].OrgCode = "" }, "organisation code is empty"},
		{"control character in name", func(b *trust.Bundle) { b.Issuers[0].OrgName = "Evil\u202eTrust" }, "control"},
		{"window reversed", func(b *trust.Bundle) { b.Issuers[0].ValidUntil = b.Issuers[0].ValidFrom }, "not after valid from"},
		{"compromise date on an active key", func(b *trust.Bundle) { b.Issuers[0].RevokedFrom = testNow }, "not revoked"},
		{"duplicate revoked id", func(b *trust.Bundle) { b.Revoked = append(b.Revoked, b.Revoked[0]) }, "listed twice"},
		{"empty revoked id", func(b *trust.Bundle) { b.Revoked = append(b.Revoked, []byte{}) }, "0 bytes"},
		{"revoked id too long", func(b *trust.Bundle) { b.Revoked = append(b.Revoked, make([]byte, trust.MaxRevokedIDLen+1)) }, "129 bytes"},
	}
	if err := testBundle(t).Validate(); err != nil {
		t.Fatalf("good bundle: %v", err)
	}
	top := testBundle(t)
	top.Version = trust.MaxBundleVersion
	if err := top.Validate(); err != nil {
		t.Fatalf("version 2^53 refused: %v", err)
	}
	long := testBundle(t)
	long.Revoked = append(long.Revoked, bytes.Repeat([]byte{'x'}, trust.MaxRevokedIDLen))
	if err := long.Validate(); err != nil {
		t.Fatalf("revoked id of exactly trust.MaxRevokedIDLen refused: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := testBundle(t)
			tc.edit(b)
			err := b.Validate()
			if !errors.Is(err, trust.ErrBundleMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want trust.ErrBundleMalformed with %q", err, tc.want)
			}
			if _, err := trust.MarshalBundle(b); err == nil {
				t.Fatal("MarshalBundle encoded an invalid bundle")
			}
		})
	}
}

// TestUnmarshalBundleStrict: a payload with one reading only.
func TestUnmarshalBundleStrict(t *testing.T) {
	good, err := trust.MarshalBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	var generic map[int]any
	if err := cbor.Unmarshal(good, &generic); err != nil {
		t.Fatal(err)
	}
	enc := func(v any) []byte {
		em, _ := cbor.CoreDetEncOptions().EncMode()
		b, err := em.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	with := func(k int, v any) []byte {
		m := map[int]any{}
		for kk, vv := range generic {
			m[kk] = vv
		}
		m[k] = v
		return enc(m)
	}
	cases := map[string][]byte{
		"revoked null":       with(5, nil),
		"version as string":  with(1, "3"),
		"trailing byte":      append(bytes.Clone(good), 0),
		"non-minimal length": append([]byte{0xb8, 0x05}, good[1:]...),
		"duplicate key":      append(append([]byte{0xa6}, good[1:]...), 0x01, 0x03),
		"tagged":             append([]byte{0xc1}, good...),
		"indefinite map":     append(append([]byte{0xbf}, good[1:]...), 0xff),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := trust.UnmarshalBundle(data); !errors.Is(err, trust.ErrBundleMalformed) {
				t.Fatalf("err = %v, want ErrBundleMalformed", err)
			}
		})
	}
	if _, err := trust.UnmarshalBundle(good); err != nil {
		t.Fatalf("good payload: %v", err)
	}
}

func TestReadIssuersCSV(t *testing.T) {
	dir := t.TempDir()
	a, _ := keys.NewIssuer("RXA", "Alpha Trust", testNow, 0)
	b, _ := keys.NewIssuer("RXB", "Beta Trust", testNow, 0)
	for name, iss := range map[string]*keys.Issuer{"a.crt": a, "b.crt": b} {
		if err := os.WriteFile(filepath.Join(dir, name), pemCert(iss), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	csv := "Org Code,cert,valid_from,valid_until,status,revoked_from\n" +
		"RXA,a.crt,2025-01-01,2025-12-31,,\n" +
		"RXB-OLD,b.crt,,,revoked,2025-06-01\n"
	got, err := trust.ReadIssuersCSV(strings.NewReader(csv), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d entries", len(got))
	}
	if got[0].OrgCode != "RXA" || !got[0].ValidFrom.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		!got[0].ValidUntil.Equal(time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)) || got[0].Revoked {
		t.Fatalf("row 2: %+v", got[0])
	}
	if got[1].OrgCode != "RXB-OLD" || got[1].OrgName != "Beta Trust" || !got[1].Revoked ||
		!got[1].RevokedFrom.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || !got[1].ValidUntil.Equal(b.Cert.NotAfter) {
		t.Fatalf("row 3: %+v", got[1])
	}
	bad := map[string]string{
		"unknown column":         "org_code,cert,colour\nRXA,a.crt,red\n",
		"no cert column":         "org_code,org_name\nRXA,A\n",
		"missing file":           "cert\nnope.crt\n",
		"bad date":               "cert,valid_from\na.crt,31/02/2025\n",
		"bad status":             "cert,status\na.crt,maybe\n",
		"revoked_from unrevoked": "cert,revoked_from\na.crt,2025-01-01\n",
		"kid mismatch":           "cert,kid\na.crt,0011223344556677\n",
		"no rows":                "cert\n",
		"window reversed":        "cert,valid_from,valid_until\na.crt,2026-01-01,2025-01-01\n",
	}
	for name, in := range bad {
		if _, err := trust.ReadIssuersCSV(strings.NewReader(in), dir); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	fromDir, err := trust.ReadIssuersDir(dir)
	if err != nil || len(fromDir) != 2 || fromDir[0].OrgCode != "RXA" || fromDir[1].OrgCode != "RXB" {
		t.Fatalf("ReadIssuersDir = %+v, %v", fromDir, err)
	}
	if _, err := trust.ReadIssuersDir(t.TempDir()); err == nil {
		t.Fatal("empty certificate directory accepted")
	}
}

func TestReadRevokedIDs(t *testing.T) {
	in := "# revoked 2026-01\n\nCC83D995FF202126EFCED4A0FCCA498A\n  URN:UVCI:01:DE:187/37512422923  \n"
	got, err := trust.ReadRevokedIDs(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	cti, _ := hex.DecodeString("cc83d995ff202126efced4a0fcca498a")
	if len(got) != 2 || !bytes.Equal(got[0], cti) || string(got[1]) != "URN:UVCI:01:DE:187/37512422923" {
		t.Fatalf("got %q", got)
	}
	if trust.RevokedIDString(got[0]) != "cc83d995ff202126efced4a0fcca498a" || trust.RevokedIDString(got[1]) != string(got[1]) {
		t.Fatal("RevokedIDString does not round-trip")
	}
	for _, bad := range []string{"two words\n", strings.Repeat("A", trust.MaxRevokedIDLen+1) + "\n", "caf\u00e9\n"} {
		if _, err := trust.ReadRevokedIDs(strings.NewReader(bad)); err == nil {
			t.Errorf("%.30q accepted", bad)
		}
	}
	if _, err := trust.ReadRevokedIDs(strings.NewReader(strings.Repeat("A", trust.MaxRevokedIDLen) + "\n")); err != nil {
		t.Errorf("id of exactly trust.MaxRevokedIDLen refused: %v", err)
	}
}

// FuzzUnmarshalBundle: whatever decodes re-encodes byte-identical (one
// reading per payload) and validates; nothing panics.
func FuzzUnmarshalBundle(f *testing.F) {
	good, err := trust.MarshalBundle(testBundle(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	withReasons := testBundle(f)
	withReasons.Revocations = []trust.RevokedEntry{{ID: []byte("x"), Revocation: trust.Revocation{Reason: 1, From: testNow}}}
	if data, err := trust.MarshalBundle(withReasons); err == nil {
		f.Add(data)
	}
	f.Add([]byte{0xa0})
	f.Add([]byte{0xa5, 0x01, 0x01, 0x02, 0x00, 0x03, 0x01, 0x04, 0x80, 0x05, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := trust.UnmarshalBundle(data)
		if err != nil {
			if !errors.Is(err, trust.ErrBundleMalformed) {
				t.Fatalf("error does not wrap trust.ErrBundleMalformed: %v", err)
			}
			return
		}
		again, err := trust.MarshalBundle(b)
		if err != nil {
			t.Fatalf("decoded bundle does not re-encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n%x\n%x", data, again)
		}
	})
}

// FuzzParseSignedBundle: parsing and verifying arbitrary files never
// panics, and only the authority's own signature verifies.
func FuzzParseSignedBundle(f *testing.F) {
	auth := testAuthority(f)
	tb := testBundle(f)
	good, err := auth.SignBundle(tb)
	if err != nil {
		f.Fatal(err)
	}
	goodPayload := mustMarshal(f, tb)
	f.Add(good)
	f.Add([]byte{0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40})
	f.Fuzz(func(t *testing.T, data []byte) {
		sb, err := trust.ParseSignedBundle(data)
		if err != nil {
			return
		}
		if b, err := sb.Verify(&auth.Key.PublicKey); err == nil && !bytes.Equal(data, good) {
			// A different encoding of the same signed content may verify
			// (COSE headers are not canonical); it must carry the same payload
			// (bundles decode strictly, so equal re-encodings mean equal payloads).
			if !bytes.Equal(mustMarshal(t, b), goodPayload) {
				t.Fatal("a forged payload verified")
			}
		}
	})
}

// FuzzParseCertificates: never panics, respects the count limit, and every
// certificate it returns re-parses from its own DER to the same bytes.
func FuzzParseCertificates(f *testing.F) {
	iss, err := keys.NewIssuer("RXX", "Fuzz Trust", testNow, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(iss.Cert.Raw)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.Cert.Raw}))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := trust.ParseCertificates(data)
		if err != nil {
			if certs != nil {
				t.Fatal("certificates returned with an error")
			}
			return
		}
		if len(certs) == 0 || len(certs) > trust.MaxCertificates {
			t.Fatalf("%d certificates returned", len(certs))
		}
		for _, c := range certs {
			again, err := x509.ParseCertificate(c.Raw)
			if err != nil || !bytes.Equal(again.Raw, c.Raw) {
				t.Fatalf("certificate does not re-parse: %v", err)
			}
			_ = trust.OrgCodeOf(c)
		}
	})
}
