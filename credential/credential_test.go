package credential

import (
	"bytes"
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
