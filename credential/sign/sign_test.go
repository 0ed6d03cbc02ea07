package sign_test

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/credential/sign"
	"passport/fixtures/sampleclaims"
)

func sample() *credential.Claims {
	c := sampleclaims.Nurse(time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC), "RHQ", "Synthetic Teaching Hospitals (TEST)", "Nguyễn Thị Lan", 400, 200)
	return c
}

func TestSignDecodeVerify(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for _, tc := range []struct {
		name string
		sign func() (string, error)
		pub  any
	}{
		{"ES256", func() (string, error) { return sign.Issue(sample(), ec, kid) }, &ec.PublicKey},
		{"EdDSA", func() (string, error) { return sign.Issue(sample(), ed, kid) }, ed.Public()},
	} {
		text, err := tc.sign()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.HasPrefix(text, credential.Prefix) {
			t.Fatalf("%s: text %q lacks prefix", tc.name, text[:10])
		}
		s, err := credential.Decode(text)
		if err != nil {
			t.Fatalf("%s: decode: %v", tc.name, err)
		}
		if !bytes.Equal(s.KID, kid) || !s.KIDProtected || !s.Tagged {
			t.Fatalf("%s: kid %x protected %v tagged %v", tc.name, s.KID, s.KIDProtected, s.Tagged)
		}
		if err := s.Verify(tc.pub); err != nil {
			t.Fatalf("%s: verify: %v", tc.name, err)
		}
		if err := s.Verify(&other.PublicKey); err == nil {
			t.Fatalf("%s: verified with the wrong key", tc.name)
		}
		c, err := s.Claims()
		if err != nil || c.Body.Person.Name != "Nguyễn Thị Lan" {
			t.Fatalf("%s: claims %v %v", tc.name, c, err)
		}
	}
}

func TestRSAKeyIsPS256AndAlgMismatchFails(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	text, err := sign.Issue(sample(), rk, []byte("kid"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := credential.Decode(text)
	if s.Alg.String() != "PS256" {
		t.Fatalf("alg = %v", s.Alg)
	}
	if err := s.Verify(&rk.PublicKey); err != nil {
		t.Fatal(err)
	}
	// An ES256 trusted key must not accept a PS256 message, whatever the bytes.
	if err := s.Verify(&ec.PublicKey); credential.ReasonOf(err) != credential.ReasonUnsupportedAlg {
		t.Fatalf("alg mismatch: %v", err)
	}
}

func TestDecodeReasons(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	text, _ := sign.Issue(sample(), ec, []byte("kid12345"))
	body := text[len(credential.Prefix):]
	raw, _ := credential.Base45Decode(body)
	zlibOf := func(b []byte) string {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return credential.Prefix + credential.Base45Encode(buf.Bytes())
	}
	bomb := zlibOf(make([]byte, credential.MaxInflatedLen+10))
	for _, tc := range []struct {
		name, text string
		want       credential.Reason
	}{
		{"no prefix", body, credential.ReasonBadPrefix},
		{"other prefix", "XX1:" + body, credential.ReasonBadPrefix},
		{"lower-case letters", credential.Prefix + strings.ToLower(body), credential.ReasonBadEncoding},
		{"dangling char", credential.Prefix + "AAAA", credential.ReasonBadEncoding},
		{"not zlib", credential.Prefix + credential.Base45Encode([]byte("hello world")), credential.ReasonBadCompression},
		{"truncated zlib", credential.Prefix + credential.Base45Encode(raw[:len(raw)-20]), credential.ReasonBadCompression},
		{"zlib bomb", bomb, credential.ReasonTooLarge},
		{"not COSE", zlibOf([]byte{0xa1, 0x01, 0x02}), credential.ReasonBadCOSE},
		{"too long", credential.Prefix + strings.Repeat("0", credential.MaxTextLen), credential.ReasonTooLarge},
	} {
		_, err := credential.Decode(tc.text)
		if got := credential.ReasonOf(err); got != tc.want {
			t.Errorf("%s: reason %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestTamperedPayloadFailsSignature(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	msg, _ := sign.Sign(sample(), ec, []byte("kid12345"))
	for _, pos := range []int{len(msg) - 1, len(msg) - 80, 20} {
		bad := append([]byte{}, msg...)
		bad[pos] ^= 1
		s, err := credential.ParseCOSE(bad)
		if err != nil {
			continue // a structural break is also a refusal
		}
		if err := s.Verify(&ec.PublicKey); !errors.Is(err, credential.ErrSignature) {
			t.Errorf("flip at %d: verify = %v, want credential.ErrSignature", pos, err)
		}
	}
}
