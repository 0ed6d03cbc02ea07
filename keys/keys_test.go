package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	if err := iss.Save(dir, testPass); err != nil {
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
		enc, err := encryptKey(iss.Key, testPass)
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
		if _, err := decryptKey(enc, testPass, maxScryptWorkFactor); err != nil {
			t.Fatalf("work factor %d: %v", wf, err)
		}
	}
	// A file demanding more work than the cap is refused before scrypt runs,
	// and not reported as a wrong passphrase.
	enc, err := encryptKey(iss.Key, testPass)
	if err != nil {
		t.Fatal(err)
	}
	_, err = decryptKey(enc, testPass, testWorkFactor-1)
	if err == nil || errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "work factor") {
		t.Fatalf("over-cap work factor: err = %v", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	iss := newTestIssuer(t)
	dir := t.TempDir()
	if err := iss.Save(dir, []byte("the right passphrase")); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIssuer(dir, []byte("the wrong passphrase"))
	if got != nil || !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("LoadIssuer with wrong passphrase = %v, %v; want ErrWrongPassphrase", got, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "passphrase") || !strings.Contains(msg, KeyFileName) {
		t.Errorf("message %q does not say which file and what is wrong", msg)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(iss.Key)
	d, _ := iss.Key.Bytes()
	for _, secret := range []string{"the right passphrase", "the wrong passphrase", "PRIVATE KEY", hex.EncodeToString(d), base64.StdEncoding.EncodeToString(der)[:20], new(big.Int).SetBytes(d).String()} {
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
	if err := iss.Save(dir, testPass); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, KeyFileName)
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644} {
		if err := os.Chmod(keyPath, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadIssuer(dir, testPass)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err = %v, want refusal with a chmod 600 hint", mode, err)
		}
	}
	if err := os.Chmod(keyPath, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIssuer(dir, testPass); err != nil {
		t.Errorf("mode 0400 refused: %v", err)
	}
}

func TestSaveRefusesOverwrite(t *testing.T) {
	iss := newTestIssuer(t)
	dir := t.TempDir()
	if err := iss.Save(dir, testPass); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, KeyFileName))
	other := newTestIssuer(t)
	if err := other.Save(dir, testPass); err == nil || !strings.Contains(err.Error(), "already exists") {
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
	if err := other.Save(dir2, testPass); err == nil {
		t.Fatal("Save over an existing issuer.crt succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir2, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused Save left issuer.key behind: %v", err)
	}
}

func TestLoadRefusesMismatchedPair(t *testing.T) {
	a, b := newTestIssuer(t), newTestIssuer(t)
	da, db := t.TempDir(), t.TempDir()
	if err := a.Save(da, testPass); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(db, testPass); err != nil {
		t.Fatal(err)
	}
	crt, _ := os.ReadFile(filepath.Join(db, CertFileName))
	if err := os.Remove(filepath.Join(da, CertFileName)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(da, CertFileName), crt, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIssuer(da, testPass); err == nil || !strings.Contains(err.Error(), "does not belong") {
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
			if err := iss.Save(dir, testPass); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, dir)
			_, err := LoadIssuer(dir, testPass)
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

// testPass is long enough for a new key (MinPassphraseChars).
var testPass = []byte("test-only-passphrase")

// TestNewPassphraseLength: a new key needs MinPassphraseChars characters,
// counted as characters (twelve accented letters are enough), not bytes.
func TestNewPassphraseLength(t *testing.T) {
	iss := newTestIssuer(t)
	for _, tc := range []struct {
		pass string
		ok   bool
	}{{"", false}, {"x", false}, {"abc", false}, {"elevenchars", false}, {"twelve chars", true}, {"éééééééééééé", true}, {"ééééééééééé", false}} {
		err := iss.Save(filepath.Join(t.TempDir(), "k"), []byte(tc.pass))
		if (err == nil) != tc.ok {
			t.Errorf("passphrase %q: %v, want ok=%v", tc.pass, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "at least 12") {
			t.Errorf("passphrase %q: error %q does not say how long", tc.pass, err)
		}
	}
}

// TestKeyDirWritableByOthers: a key directory others may write to is
// refused when saving and when loading.
func TestKeyDirWritableByOthers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	iss := newTestIssuer(t)
	dir := filepath.Join(t.TempDir(), "keys")
	if err := iss.Save(dir, testPass); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIssuer(dir, testPass); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("load from a world-writable directory: %v", err)
	}
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if err := iss.Save(open, testPass); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("save into a world-writable directory: %v", err)
	}
	os.Chmod(dir, 0o770) // writable by the group alone is the owner's choice
	if _, err := LoadIssuer(dir, testPass); err != nil {
		t.Fatalf("load after chmod o-w: %v", err)
	}
}

// TestContactKeptWithKey: the contact given when the key is made is kept
// beside it and loaded with it; a contact file that is not one short line
// is refused rather than printed on every passport.
func TestContactKeptWithKey(t *testing.T) {
	iss := newTestIssuer(t)
	iss.Contact = "passports@rxx.nhs.uk"
	dir := filepath.Join(t.TempDir(), "keys")
	if err := iss.Save(dir, testPass); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIssuer(dir, testPass)
	if err != nil || got.Contact != iss.Contact {
		t.Fatalf("loaded contact %q, %v; want %q", got.Contact, err, iss.Contact)
	}
	// The organisation may edit it, e.g. to add a telephone number.
	os.WriteFile(filepath.Join(dir, ContactFileName), []byte("  0114 000 0000 or passports@rxx.nhs.uk\n"), 0o644)
	if got, err := LoadIssuer(dir, testPass); err != nil || got.Contact != "0114 000 0000 or passports@rxx.nhs.uk" {
		t.Fatalf("edited contact %q, %v", got.Contact, err)
	}
	for _, bad := range []string{"two\nlines", strings.Repeat("x", MaxContactLen+1), "evil\u202etext"} {
		os.WriteFile(filepath.Join(dir, ContactFileName), []byte(bad), 0o644)
		if _, err := LoadIssuer(dir, testPass); err == nil || !strings.Contains(err.Error(), ContactFileName) {
			t.Errorf("contact %.20q: %v, want a refusal naming the file", bad, err)
		}
	}
	os.Remove(filepath.Join(dir, ContactFileName))
	if got, err := LoadIssuer(dir, testPass); err != nil || got.Contact != "" {
		t.Fatalf("without a contact file: %q, %v", got.Contact, err)
	}
}
