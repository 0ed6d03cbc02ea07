package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"passport/trust"
)

// testWorkFactor keeps scrypt fast in tests; TestDefaultWorkFactorIsStrong
// checks production still writes age's default.
const testWorkFactor = 10

func TestMain(m *testing.M) {
	scryptWorkFactor = testWorkFactor
	os.Exit(m.Run())
}

var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func newTestIssuer(t testing.TB) *Issuer {
	t.Helper()
	iss, err := NewIssuer("RXX", "Riverside Hospitals NHS Trust", testNow, 0)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
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

func TestNewIssuerCertificate(t *testing.T) {
	iss := newTestIssuer(t)
	c := iss.Cert
	if got := trust.OrgCodeOf(c); got != "RXX" {
		t.Errorf("OrgCodeOf = %q, want RXX", got)
	}
	if c.Subject.CommonName != "Riverside Hospitals NHS Trust" || len(c.Subject.Organization) != 1 || c.Subject.Organization[0] != "Riverside Hospitals NHS Trust" {
		t.Errorf("subject = %v", c.Subject)
	}
	if !c.NotBefore.Equal(testNow) {
		t.Errorf("NotBefore = %v, want %v", c.NotBefore, testNow)
	}
	if want := testNow.Add(DefaultValidity); !c.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %v, want %v", c.NotAfter, want)
	}
	if !bytes.Equal(iss.KID, trust.KeyID(c.Raw)) {
		t.Errorf("KID %x != trust.KeyID(cert) %x", iss.KID, trust.KeyID(c.Raw))
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() || !pub.Equal(&iss.Key.PublicKey) {
		t.Fatalf("certificate public key is not the issuer's P-256 key")
	}
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		t.Errorf("self-signature does not verify: %v", err)
	}
	iss2, err := NewIssuer("RXX", "Riverside", testNow, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := testNow.Add(24 * time.Hour); !iss2.Cert.NotAfter.Equal(want) {
		t.Errorf("NotAfter with 24h = %v, want %v", iss2.Cert.NotAfter, want)
	}
	if bytes.Equal(iss.KID, iss2.KID) || iss.Cert.SerialNumber.Cmp(iss2.Cert.SerialNumber) == 0 {
		t.Errorf("two issuers share a kid or serial number")
	}
}

func TestNewIssuerRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, code, org string
		now             time.Time
		validFor        time.Duration
		want            string
	}{
		{"empty code", "", "Org", testNow, 0, "code is empty"},
		{"space in code", "R X", "Org", testNow, 0, "contains"},
		{"colon in code", "R:X", "Org", testNow, 0, "contains"},
		{"long code", strings.Repeat("A", trust.MaxOrgCodeLen+1), "Org", testNow, 0, "at most"},
		{"empty name", "RXX", "  ", testNow, 0, "name is empty"},
		{"long name", "RXX", strings.Repeat("n", trust.MaxOrgNameLen+1), testNow, 0, "at most"},
		{"bad utf8", "RXX", "Org\xff", testNow, 0, "UTF-8"},
		{"negative validity", "RXX", "Org", testNow, -time.Hour, "negative"},
		{"zero time", "RXX", "Org", time.Time{}, 0, "time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewIssuer(tc.code, tc.org, tc.now, tc.validFor)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := NewIssuer(strings.Repeat("A", trust.MaxOrgCodeLen), strings.Repeat("n", trust.MaxOrgNameLen), testNow, 0); err != nil {
		t.Fatalf("code and name at the limits refused: %v", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	iss := newTestIssuer(t)
	dir := filepath.Join(t.TempDir(), "keys") // Save creates it
	pass := []byte("correct horse")
	if err := iss.Save(dir, pass); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := LoadIssuer(dir, pass)
	if err != nil {
		t.Fatalf("LoadIssuer: %v", err)
	}
	if !got.Key.Equal(iss.Key) {
		t.Error("loaded key differs from saved key")
	}
	if !bytes.Equal(got.Cert.Raw, iss.Cert.Raw) || !bytes.Equal(got.KID, iss.KID) {
		t.Error("loaded certificate or kid differs")
	}
	if got.OrgCode != "RXX" || got.OrgName != "Riverside Hospitals NHS Trust" {
		t.Errorf("loaded org %q %q", got.OrgCode, got.OrgName)
	}
	// The loaded key really signs for the saved certificate.
	digest := sha256.Sum256([]byte("staff passport"))
	sig, err := ecdsa.SignASN1(rand.Reader, got.Key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(iss.Cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Error("signature by loaded key does not verify with the certificate")
	}
}

func TestKeyFileOnDisk(t *testing.T) {
	iss := newTestIssuer(t)
	dir := t.TempDir()
	if err := iss.Save(dir, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, KeyFileName)
	data, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n-> scrypt ")) {
		t.Errorf("key file does not start with an age scrypt header: %q", data[:min(len(data), 40)])
	}
	for _, bad := range []string{"PRIVATE KEY", "BEGIN", "MII"} {
		if bytes.Contains(data, []byte(bad)) {
			t.Errorf("key file contains plaintext %q", bad)
		}
	}
	der, _ := x509.MarshalPKCS8PrivateKey(iss.Key)
	raw, _ := iss.Key.Bytes()
	if bytes.Contains(data, raw) || bytes.Contains(data, der) {
		t.Error("key file contains the raw private key")
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(keyPath)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("key file mode %04o, want 0600", perm)
		}
	}
	certData, err := os.ReadFile(filepath.Join(dir, CertFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(certData, []byte("-----BEGIN CERTIFICATE-----\n")) {
		t.Errorf("issuer.crt is not a PEM certificate")
	}
}

// TestWorkFactor checks that the configured scrypt work factor is what lands
// in the key file, and that production's is age's strong default. (Running
// scrypt at 18 takes a second, sixteen under -race, so the plumbing is tested
// at the test factor.)
func TestWorkFactor(t *testing.T) {
	if DefaultScryptWorkFactor < 18 {
		t.Fatalf("production scrypt work factor %d, want at least age's default 18", DefaultScryptWorkFactor)
	}
	iss := newTestIssuer(t)
	for _, wf := range []int{testWorkFactor, testWorkFactor + 1} {
		scryptWorkFactor = wf
		enc, err := encryptKey(iss.Key, []byte("pw"))
		scryptWorkFactor = testWorkFactor
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^-> scrypt \S+ (\d+)$`).FindSubmatch(enc)
		if m == nil {
			t.Fatalf("no scrypt stanza in %q", enc[:min(len(enc), 80)])
		}
		if got := string(m[1]); got != fmt.Sprint(wf) {
			t.Fatalf("key file written with work factor %s, want %d", got, wf)
		}
		if _, err := decryptKey(enc, []byte("pw"), maxScryptWorkFactor); err != nil {
			t.Fatalf("work factor %d: %v", wf, err)
		}
	}
	// A file demanding more work than the cap is refused before scrypt runs,
	// and not reported as a wrong passphrase.
	enc, err := encryptKey(iss.Key, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = decryptKey(enc, []byte("pw"), testWorkFactor-1)
	if err == nil || errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "work factor") {
		t.Fatalf("over-cap work factor: err = %v", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	iss := newTestIssuer(t)
	dir := t.TempDir()
	if err := iss.Save(dir, []byte("right one")); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIssuer(dir, []byte("wrong one"))
	if got != nil || !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("LoadIssuer with wrong passphrase = %v, %v; want ErrWrongPassphrase", got, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "passphrase") || !strings.Contains(msg, KeyFileName) {
		t.Errorf("message %q does not say which file and what is wrong", msg)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(iss.Key)
	d, _ := iss.Key.Bytes()
	for _, secret := range []string{"right one", "wrong one", "PRIVATE KEY", hex.EncodeToString(d), base64.StdEncoding.EncodeToString(der)[:20], new(big.Int).SetBytes(d).String()} {
		if strings.Contains(msg, secret) {
			t.Errorf("error message contains secret material %q", secret)
		}
	}
	if _, err := LoadIssuer(dir, nil); err == nil || errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("empty passphrase: err = %v, want a distinct error", err)
	}
}

func TestLoadRefusesGroupReadableKey(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	iss := newTestIssuer(t)
	dir := t.TempDir()
	if err := iss.Save(dir, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, KeyFileName)
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644} {
		if err := os.Chmod(keyPath, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadIssuer(dir, []byte("pw"))
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err = %v, want refusal with a chmod 600 hint", mode, err)
		}
	}
	if err := os.Chmod(keyPath, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIssuer(dir, []byte("pw")); err != nil {
		t.Errorf("mode 0400 refused: %v", err)
	}
}

func TestSaveRefusesOverwrite(t *testing.T) {
	iss := newTestIssuer(t)
	dir := t.TempDir()
	if err := iss.Save(dir, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, KeyFileName))
	other := newTestIssuer(t)
	if err := other.Save(dir, []byte("pw")); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Save: err = %v, want refusal", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, KeyFileName))
	if !bytes.Equal(before, after) {
		t.Fatal("key file changed by a refused Save")
	}
	// Only the certificate present: still refused, and no key file left behind.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, CertFileName), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := other.Save(dir2, []byte("pw")); err == nil {
		t.Fatal("Save over an existing issuer.crt succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir2, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused Save left issuer.key behind: %v", err)
	}
}

func TestLoadRefusesMismatchedPair(t *testing.T) {
	a, b := newTestIssuer(t), newTestIssuer(t)
	da, db := t.TempDir(), t.TempDir()
	if err := a.Save(da, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(db, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	crt, _ := os.ReadFile(filepath.Join(db, CertFileName))
	if err := os.Remove(filepath.Join(da, CertFileName)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(da, CertFileName), crt, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIssuer(da, []byte("pw")); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Fatalf("mismatched key and certificate: err = %v", err)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	iss := newTestIssuer(t)
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string
	}{
		{"missing dir", func(t *testing.T, dir string) { os.RemoveAll(dir) }, "no such file"},
		{"plaintext key", func(t *testing.T, dir string) {
			der, _ := x509.MarshalPKCS8PrivateKey(iss.Key)
			writeFile(t, filepath.Join(dir, KeyFileName), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		}, "not a passphrase-encrypted"},
		{"huge key file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, KeyFileName), make([]byte, MaxKeyFileSize+1))
		}, "larger than"},
		{"truncated key", func(t *testing.T, dir string) {
			p := filepath.Join(dir, KeyFileName)
			data, _ := os.ReadFile(p)
			writeFile(t, p, data[:len(data)-20])
		}, "damaged"},
		{"garbage cert", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, CertFileName), []byte("hello"))
		}, "certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := iss.Save(dir, []byte("pw")); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, dir)
			_, err := LoadIssuer(dir, []byte("pw"))
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	os.Remove(path)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
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
	if r, _ := s.IsRevoked(id); r {
		t.Fatal("revoked before Revoke")
	}
	m.Revoke(id)
	if r, _ := s.IsRevoked(id); !r {
		t.Fatal("not revoked after Revoke")
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
