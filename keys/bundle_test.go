package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"passport/trust"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

func testAuthority(t testing.TB) *Authority {
	t.Helper()
	a, err := NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testBundle lists two issuers (one revoked from a compromise date) and
// two revoked ids (a passport cti and a DCC ci).
func testBundle(t testing.TB) *trust.Bundle {
	t.Helper()
	a, err := NewIssuer("RXA", "Alpha Trust", testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewIssuer("RXB", "Beta Trust", testNow, 0)
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
		verify *Authority
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
		"unknown key":        with(99, 1),
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
	a, _ := NewIssuer("RXA", "Alpha Trust", testNow, 0)
	b, _ := NewIssuer("RXB", "Beta Trust", testNow, 0)
	for name, iss := range map[string]*Issuer{"a.crt": a, "b.crt": b} {
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

func TestAuthoritySaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "auth")
	a := testAuthority(t)
	if err := a.Save(dir, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir, []byte("pw")); err == nil {
		t.Fatal("Save overwrote an authority key")
	}
	fi, err := os.Stat(filepath.Join(dir, AuthorityKeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("authority.key mode %v, %v", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, AuthorityKeyFileName)); bytes.Contains(data, []byte("PRIVATE KEY")) {
		t.Fatal("authority.key is not encrypted")
	}
	got, err := LoadAuthority(dir, []byte("pw"))
	if err != nil || !got.Key.Equal(a.Key) || !bytes.Equal(got.KID, a.KID) {
		t.Fatalf("LoadAuthority = %v, %v", got, err)
	}
	if _, err := LoadAuthority(dir, []byte("wrong")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	pubData, _ := os.ReadFile(filepath.Join(dir, AuthorityPubFileName))
	pub, err := trust.ParseAuthorityPublicKey(pubData)
	if err != nil || !pub.Equal(&a.Key.PublicKey) {
		t.Fatalf("authority.pub: %v", err)
	}
	if _, err := trust.ParseAuthorityPublicKey(pemCert(newTestIssuer(t))); err == nil {
		t.Fatal("a certificate was accepted as an authority key")
	}
	// A mismatched authority.pub is refused.
	os.WriteFile(filepath.Join(dir, AuthorityPubFileName), mustPub(t, testAuthority(t)), 0o644)
	if _, err := LoadAuthority(dir, []byte("pw")); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Fatalf("mismatched pub: %v", err)
	}
	os.Chmod(filepath.Join(dir, AuthorityKeyFileName), 0o644)
	if _, err := LoadAuthority(dir, []byte("pw")); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable key: %v", err)
	}
}

func mustPub(t testing.TB, a *Authority) []byte {
	p, err := trust.MarshalAuthorityPublicKey(&a.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pemCert(iss *Issuer) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.Cert.Raw})
}

// FuzzUnmarshalBundle: whatever decodes re-encodes byte-identical (one
// reading per payload) and validates; nothing panics.
func FuzzUnmarshalBundle(f *testing.F) {
	good, err := trust.MarshalBundle(testBundle(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
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

func mustMarshal(t testing.TB, b *trust.Bundle) []byte {
	t.Helper()
	data, err := trust.MarshalBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
