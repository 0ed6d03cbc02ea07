package keys

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passport/trust"
)

func testAuthority(t testing.TB) *Authority {
	t.Helper()
	a, err := NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	return a
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
