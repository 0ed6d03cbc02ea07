package credential

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
)

func TestBase45RFC9285(t *testing.T) {
	// Examples from RFC 9285 §4.3 and §4.4.
	for _, tc := range []struct{ in, out string }{
		{"AB", "BB8"}, {"Hello!!", "%69 VD92EX0"}, {"base-45", "UJCLQE7W581"}, {"ietf!", "QED8WEX0"}, {"", ""},
	} {
		if got := Base45Encode([]byte(tc.in)); got != tc.out {
			t.Errorf("encode %q = %q, want %q", tc.in, got, tc.out)
		}
		back, err := Base45Decode(tc.out)
		if err != nil || string(back) != tc.in {
			t.Errorf("decode %q = %q, %v", tc.out, back, err)
		}
	}
}

func TestBase45Strict(t *testing.T) {
	for _, bad := range []string{"GGW", "A", "ab8", "BB8A", "BB\n", "::"} {
		if _, err := Base45Decode(bad); err == nil {
			t.Errorf("Base45Decode(%q) accepted", bad)
		}
	}
}

func TestBase45RoundTripAllBytes(t *testing.T) {
	b := make([]byte, 513)
	for i := range b {
		b[i] = byte(i * 7)
	}
	for n := 0; n <= len(b); n += 37 {
		got, err := Base45Decode(Base45Encode(b[:n]))
		if err != nil || !bytes.Equal(got, b[:n]) {
			t.Fatalf("round trip of %d bytes failed: %v", n, err)
		}
	}
}

func sampleClaims() *Claims {
	iat := time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)
	return &Claims{
		Issuer: "RHQ", IssuedAt: iat, NotBefore: iat, Expires: iat.AddDate(1, 0, 0),
		ID: bytes.Repeat([]byte{0xA5}, 16),
		Body: Body{
			Version: SchemaVersion,
			Person: Person{Name: "Nguyễn Thị Lan", LatinName: "NGUYEN<THI<LAN", DateOfBirth: NewDate(1990, 4, 12),
				StaffNumber: "TEST0001", Registration: "NMC 12A3456E"},
			Employment: Employment{OrgCode: "RHQ", OrgName: "Synthetic Teaching Hospitals (TEST)", Role: "Staff Nurse",
				StaffGroup: "Nursing and Midwifery Registered", Start: NewDate(2019, 9, 1)},
			Checks: []Check{
				{Type: CheckIdentity, Outcome: OutcomeClear, Done: NewDate(2019, 8, 1)},
				{Type: CheckDBS, Outcome: OutcomeClear, Done: NewDate(2024, 3, 1), Expires: NewDate(2027, 3, 1), Level: "enhanced_barred"},
			},
			Training: []Training{{Subject: SubjectFireSafety, Completed: NewDate(2025, 6, 1), Expires: NewDate(2026, 6, 1)}},
		},
	}
}

func TestClaimsRoundTrip(t *testing.T) {
	c := sampleClaims()
	b, err := MarshalClaims(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalClaims(b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := MarshalClaims(got)
	if !bytes.Equal(b, again) {
		t.Fatalf("re-encoding differs")
	}
	if got.Body.Person.Name != c.Body.Person.Name || got.Body.Checks[1].Level != "enhanced_barred" ||
		!got.Expires.Equal(c.Expires) || got.Body.Training[0].Expires != c.Body.Training[0].Expires {
		t.Fatalf("claims changed in the round trip: %+v", got)
	}
	if got.Body.Checks[0].Expires.IsZero() != true {
		t.Fatalf("absent expiry came back as %v", got.Body.Checks[0].Expires)
	}
}

func TestClaimsRejectsStrictViolations(t *testing.T) {
	good, _ := MarshalClaims(sampleClaims())
	// Duplicate key: append another "1: 'X'" pair by bumping the map length.
	dup := append([]byte{good[0] + 1}, good[1:]...)
	dup = append(dup, 0x01, 0x61, 'X')
	cases := map[string][]byte{
		"trailing byte": append(append([]byte{}, good...), 0x00),
		"duplicate key": dup,
		"truncated":     good[:len(good)-3],
		"empty":         nil,
		"not a map":     {0x83, 0x01, 0x02, 0x03},
	}
	for name, b := range cases {
		if _, err := UnmarshalClaims(b); ReasonOf(err) != ReasonBadClaims {
			t.Errorf("%s: err = %v, want bad_claims", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for name, mut := range map[string]func(c *Claims){
		"no name":        func(c *Claims) { c.Body.Person.Name = "" },
		"short id":       func(c *Claims) { c.ID = c.ID[:8] },
		"version 0":      func(c *Claims) { c.Body.Version = 0 },
		"v1 subject 12":  func(c *Claims) { c.Body.Version, c.Body.Training[0].Subject = 1, SubjectLearningDisability },
		"v1 level":       func(c *Claims) { c.Body.Version, c.Body.Training[0].Level = 1, "level_1" },
		"v2 type 0":      func(c *Claims) { c.Body.Checks[0].Type = 0 },
		"v2 bad level":   func(c *Claims) { c.Body.Checks[1].Level = "enhanced-ish" },
		"exp before nbf": func(c *Claims) { c.Expires = c.NotBefore.Add(-time.Hour) },
		"unknown check":  func(c *Claims) { c.Body.Version, c.Body.Checks[0].Type = 1, 99 },
		"far future":     func(c *Claims) { c.Body.Training[0].Expires = NewDate(2500, 1, 1) },
		"giant name":     func(c *Claims) { c.Body.Person.Name = strings.Repeat("A", MaxStringLen+1) },
	} {
		c := sampleClaims()
		mut(c)
		if _, err := MarshalClaims(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
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
		{"ES256", func() (string, error) { return Issue(sampleClaims(), ec, kid) }, &ec.PublicKey},
		{"EdDSA", func() (string, error) { return Issue(sampleClaims(), ed, kid) }, ed.Public()},
	} {
		text, err := tc.sign()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.HasPrefix(text, Prefix) {
			t.Fatalf("%s: text %q lacks prefix", tc.name, text[:10])
		}
		s, err := Decode(text)
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
	text, err := Issue(sampleClaims(), rk, []byte("kid"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Decode(text)
	if s.Alg.String() != "PS256" {
		t.Fatalf("alg = %v", s.Alg)
	}
	if err := s.Verify(&rk.PublicKey); err != nil {
		t.Fatal(err)
	}
	// An ES256 trusted key must not accept a PS256 message, whatever the bytes.
	if err := s.Verify(&ec.PublicKey); ReasonOf(err) != ReasonUnsupportedAlg {
		t.Fatalf("alg mismatch: %v", err)
	}
}

func TestDecodeReasons(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	text, _ := Issue(sampleClaims(), ec, []byte("kid12345"))
	body := text[len(Prefix):]
	raw, _ := Base45Decode(body)
	zlibOf := func(b []byte) string {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return Prefix + Base45Encode(buf.Bytes())
	}
	bomb := zlibOf(make([]byte, MaxInflatedLen+10))
	for _, tc := range []struct {
		name, text string
		want       Reason
	}{
		{"no prefix", body, ReasonBadPrefix},
		{"other prefix", "XX1:" + body, ReasonBadPrefix},
		{"lower-case letters", Prefix + strings.ToLower(body), ReasonBadEncoding},
		{"dangling char", Prefix + "AAAA", ReasonBadEncoding},
		{"not zlib", Prefix + Base45Encode([]byte("hello world")), ReasonBadCompression},
		{"truncated zlib", Prefix + Base45Encode(raw[:len(raw)-20]), ReasonBadCompression},
		{"zlib bomb", bomb, ReasonTooLarge},
		{"not COSE", zlibOf([]byte{0xa1, 0x01, 0x02}), ReasonBadCOSE},
		{"too long", Prefix + strings.Repeat("0", MaxTextLen), ReasonTooLarge},
	} {
		_, err := Decode(tc.text)
		if got := ReasonOf(err); got != tc.want {
			t.Errorf("%s: reason %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestTamperedPayloadFailsSignature(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	msg, _ := Sign(sampleClaims(), ec, []byte("kid12345"))
	for _, pos := range []int{len(msg) - 1, len(msg) - 80, 20} {
		bad := append([]byte{}, msg...)
		bad[pos] ^= 1
		s, err := ParseCOSE(bad)
		if err != nil {
			continue // a structural break is also a refusal
		}
		if err := s.Verify(&ec.PublicKey); !errors.Is(err, ErrSignature) {
			t.Errorf("flip at %d: verify = %v, want ErrSignature", pos, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	if got := Normalize("  sp1:abc\r\n"); got != "SP1:ABC" {
		t.Fatalf("Normalize = %q", got)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2026-02-03": "2026-02-03", "03/02/2026": "2026-02-03", "3/2/2026": "2026-02-03"} {
		d, err := ParseDate(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, d, err)
		}
	}
	for _, bad := range []string{"31/02/2025", "2025-13-01", "yesterday", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	if NewDate(2026, 2, 3).Human() != "03 Feb 2026" {
		t.Fatal(NewDate(2026, 2, 3).Human())
	}
}
