package dcc

import (
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func payload(t testing.TB, claims map[int]any) []byte {
	t.Helper()
	b, err := cbor.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hcert(t testing.TB, cert map[string]any) map[int]any {
	raw, err := cbor.Marshal(cert)
	if err != nil {
		t.Fatal(err)
	}
	return map[int]any{hcertEUDCC: cbor.RawMessage(raw)}
}

func vaccination(ci string) map[string]any {
	return map[string]any{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
		"dn": 2, "sd": 2, "dt": "2021-06-01", "co": "XT", "is": "Test Ministry (TEST DATA)", "ci": ci}
}

func TestParse(t *testing.T) {
	name := map[string]any{"fnt": "MUSTERFRAU", "fn": "Musterfrau", "gn": "Erika"}
	good := map[string]any{"ver": "1.3.0", "nam": name, "dob": "1964-08-12", "v": []any{vaccination("URN:UVCI:01:XT:TEST#1")}}
	for _, tc := range []struct {
		name    string
		claims  map[int]any
		wantErr string
	}{
		{"valid", map[int]any{1: "XT", 4: 1700000000, 6: 1600000000, claimHcert: hcert(t, good)}, ""},
		{"float dates", map[int]any{1: "XT", 4: 1700000000.5, 6: 1600000000.25, claimHcert: hcert(t, good)}, ""},
		{"no hcert", map[int]any{1: "XT", 4: 1700000000, 6: 1600000000}, "holds no EU DCC"},
		{"no times", map[int]any{1: "XT", claimHcert: hcert(t, good)}, "no issue (6) or expiry (4) time"},
		{"no entries", map[int]any{1: "XT", 4: 1700000000, 6: 1600000000,
			claimHcert: hcert(t, map[string]any{"ver": "1.3.0", "nam": name, "dob": "1964"})}, "no vaccination, test or recovery"},
		{"no standard name", map[int]any{1: "XT", 4: 1700000000, 6: 1600000000,
			claimHcert: hcert(t, map[string]any{"ver": "1.3.0", "nam": map[string]any{"fn": "X"}, "v": []any{vaccination("a")}})}, "nam.fnt"},
		{"too many entries", map[int]any{1: "XT", 4: 1700000000, 6: 1600000000,
			claimHcert: hcert(t, map[string]any{"ver": "1.3.0", "nam": name, "v": []any{vaccination("1"), vaccination("2"),
				vaccination("3"), vaccination("4"), vaccination("5"), vaccination("6"), vaccination("7"), vaccination("8"), vaccination("9")}})}, "over the 8 accepted"},
		{"id too long", map[int]any{1: "XT", 4: 1700000000, 6: 1600000000,
			claimHcert: hcert(t, map[string]any{"ver": "1.3.0", "nam": name, "v": []any{vaccination(strings.Repeat("x", MaxIDLen+1))}})}, "over 128 characters"},
		{"NaN date", map[int]any{1: "XT", 4: 1700000000, 6: "soon", claimHcert: hcert(t, good)}, "NumericDate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, h, err := Parse(payload(t, tc.claims))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Iss != "XT" || h.Holder() != "Erika Musterfrau" || len(h.IDs()) != 1 || c.Iat != 1600000000 {
				t.Fatalf("claims %+v, holder %q, ids %v", c, h.Holder(), h.IDs())
			}
		})
	}
}

func TestCountry(t *testing.T) {
	for _, tc := range []struct{ iss, uvci, key, want string }{
		{"XT", "URN:UVCI:01:XY:abc", "XZ", "XT"},                      // iss is a code: it wins
		{"Ministry of Health", "URN:UVCI:01:GE:abc#1", "XZ", "GE"},    // a name: the UVCI's country
		{"Ministry of Health", "urn:uvci:01:ge:abc", "XZ", "GE"},      // either case
		{"Ministry of Health", "01:GE:abc", "XZ", "GE"},               // the URN:UVCI: prefix is optional
		{"Ministry of Health", "URN:UVCI:01:GEORGIA:abc", "XZ", "XZ"}, // not a code: the key's
		{"xt", "", "XT", "xt"},                                        // lower case stays as written
	} {
		if got := Country(tc.iss, tc.uvci, tc.key); got != tc.want {
			t.Errorf("Country(%q, %q, %q) = %q, want %q", tc.iss, tc.uvci, tc.key, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	good := map[string]any{"ver": "1.3.0", "nam": map[string]any{"fnt": "A"}, "v": []any{vaccination("a")}}
	f.Add(payload(f, map[int]any{1: "XT", 4: 1700000000, 6: 1600000000, claimHcert: hcert(f, good)}))
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, h, err := Parse(data)
		if err == nil && (c == nil || h == nil || len(h.IDs()) == 0 || h.Nam == nil) {
			t.Fatalf("Parse accepted %x without its claims", data)
		}
		if err == nil {
			_ = h.Validate(time.Unix(int64(c.Iat), 0)) // must not panic on anything Parse accepts
		}
	})
}
