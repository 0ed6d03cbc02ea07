// Package dcc reads the claims of an EU Digital COVID Certificate
// (eHealth Network, "Electronic Health Certificate Specification" v1.0.5 and
// the DCC JSON schema 1.3): a CWT (RFC 8392) with claim 1 iss (issuing
// country), 4 exp, 6 iat and -260 hcert, whose key 1 holds the certificate
// (ver, nam, dob and one of v, t, r). It is the claims decoder of the HC1:
// profile; judging them (key, country, dates, revocation) is package
// verify's. Pure, no I/O.
package dcc

import (
	"fmt"
	"math"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"passport/credential"
	"passport/internal/strictcbor"
)

const (
	claimHcert = -260 // CWT claim holding the health certificates
	hcertEUDCC = 1    // key of the EU DCC inside hcert

	// MaxEntries caps the vaccination, test and recovery entries read
	// from one DCC: the specification allows exactly one in total; a few
	// more are accepted from lenient issuers, no more.
	MaxEntries = 8

	// MaxIDLen caps one certificate identifier (ci), as the trust list's
	// revoked identifiers are capped.
	MaxIDLen = 128
)

// Name is the holder's name as printed (fn, gn) and in the ICAO 9303
// transliteration (fnt, gnt).
type Name struct {
	FamilyName         string `json:"fn,omitempty" cbor:"fn"`
	GivenName          string `json:"gn,omitempty" cbor:"gn"`
	FamilyNameStandard string `json:"fnt" cbor:"fnt"`
	GivenNameStandard  string `json:"gnt,omitempty" cbor:"gnt"`
}

// Vaccination is one vaccination entry ("v").
type Vaccination struct {
	Disease       string `json:"tg" cbor:"tg"` // disease targeted (SNOMED CT, 840539006 = COVID-19)
	Prophylaxis   string `json:"vp" cbor:"vp"` // vaccine or prophylaxis
	Product       string `json:"mp" cbor:"mp"` // medicinal product (e.g. EU/1/20/1528)
	Manufacturer  string `json:"ma" cbor:"ma"` // marketing authorisation holder
	DoseNumber    int    `json:"dn" cbor:"dn"` // number in a series of doses
	TotalDoses    int    `json:"sd" cbor:"sd"` // total doses in the series
	Date          string `json:"dt" cbor:"dt"` // date of vaccination
	Country       string `json:"co" cbor:"co"` // country of vaccination
	Issuer        string `json:"is" cbor:"is"` // certificate issuer
	CertificateID string `json:"ci" cbor:"ci"` // unique certificate identifier (UVCI)
}

// Test is one test entry ("t").
type Test struct {
	Disease       string `json:"tg" cbor:"tg"`
	TestType      string `json:"tt" cbor:"tt"`           // e.g. LP6464-4 (NAAT), LP217198-3 (rapid antigen)
	Name          string `json:"nm,omitempty" cbor:"nm"` // NAAT test name
	Device        string `json:"ma,omitempty" cbor:"ma"` // rapid antigen test device
	SampleTime    string `json:"sc" cbor:"sc"`           // date and time of sample collection
	Result        string `json:"tr" cbor:"tr"`           // 260415000 = not detected, 260373001 = detected
	Centre        string `json:"tc,omitempty" cbor:"tc"` // testing centre
	Country       string `json:"co" cbor:"co"`
	Issuer        string `json:"is" cbor:"is"`
	CertificateID string `json:"ci" cbor:"ci"`
}

// Recovery is one recovery entry ("r").
type Recovery struct {
	Disease       string `json:"tg" cbor:"tg"`
	FirstPositive string `json:"fr" cbor:"fr"` // date of the first positive NAAT result
	Country       string `json:"co" cbor:"co"`
	Issuer        string `json:"is" cbor:"is"`
	ValidFrom     string `json:"df" cbor:"df"`
	ValidUntil    string `json:"du" cbor:"du"`
	CertificateID string `json:"ci" cbor:"ci"`
}

// Cert is the EU DCC inside hcert.
type Cert struct {
	Ver string        `cbor:"ver"`
	Nam *Name         `cbor:"nam"`
	Dob string        `cbor:"dob"`
	V   []Vaccination `cbor:"v"`
	T   []Test        `cbor:"t"`
	R   []Recovery    `cbor:"r"`
}

// Claims are the CWT claims of a DCC.
type Claims struct {
	Iss   string                  `cbor:"1,keyasint"`
	Exp   NumericDate             `cbor:"4,keyasint"`
	Iat   NumericDate             `cbor:"6,keyasint"`
	Nbf   NumericDate             `cbor:"5,keyasint"` // optional (RFC 8392); 0 when absent
	Hcert map[int]cbor.RawMessage `cbor:"-260,keyasint"`
}

// dec reads DCC claims with the passport's size limits. Unlike the
// passport's own claims it accepts unknown fields (the DCC schema has
// grown over versions, and claims like 5 nbf or 7 cti may appear) and a
// non-deterministic encoding (DCC issuers do not all use one); duplicate
// keys, indefinite lengths and invalid UTF-8 are still refused.
var dec = func() cbor.DecMode {
	return strictcbor.DecMode(strictcbor.Limits{Nesting: credential.MaxNesting, ArrayElements: credential.MaxArrayElements,
		MapPairs: credential.MaxMapPairs, AllowTags: true, SignedInts: true})
}()

// NumericDate is a CWT NumericDate (RFC 8392 §2, RFC 7519 §2): seconds
// since 1970, an integer or, as some national DCC issuers write it, a
// floating-point number (RFC 8392 allows non-integer values). Fractions
// are dropped toward the past; NaN, infinities and values beyond ±2^53
// (where a float stops counting whole seconds) are refused. Only HC1
// claims use it: a staff passport's dates are integers.
type NumericDate int64

// UnmarshalCBOR reads an integer or floating-point NumericDate.
func (n *NumericDate) UnmarshalCBOR(b []byte) error {
	var v any
	if err := dec.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case uint64:
		if x > 1<<53 {
			return fmt.Errorf("NumericDate %d is out of range", x)
		}
		*n = NumericDate(x)
	case int64:
		if x < -(1 << 53) {
			return fmt.Errorf("NumericDate %d is out of range", x)
		}
		*n = NumericDate(x)
	case float64:
		if math.IsNaN(x) || x > 1<<53 || x < -(1<<53) {
			return fmt.Errorf("NumericDate %v is not a finite time", x)
		}
		*n = NumericDate(math.Floor(x))
	default:
		return fmt.Errorf("NumericDate of type %T", v)
	}
	return nil
}

// Parse decodes a DCC payload and checks its structure.
func Parse(payload []byte) (*Claims, *Cert, error) {
	var c Claims
	if err := dec.Unmarshal(payload, &c); err != nil {
		return nil, nil, fmt.Errorf("the DCC claims are not a valid CWT: %v", err)
	}
	raw, ok := c.Hcert[hcertEUDCC]
	if !ok {
		return nil, nil, fmt.Errorf("claim %d (hcert) holds no EU DCC (key %d)", claimHcert, hcertEUDCC)
	}
	var h Cert
	if err := dec.Unmarshal(raw, &h); err != nil {
		return nil, nil, fmt.Errorf("the EU DCC is malformed: %v", err)
	}
	switch n := len(h.V) + len(h.T) + len(h.R); {
	case h.Ver == "":
		return nil, nil, fmt.Errorf("the EU DCC has no schema version (ver)")
	case h.Nam == nil || h.Nam.FamilyNameStandard == "":
		return nil, nil, fmt.Errorf("the EU DCC has no standardised family name (nam.fnt)")
	case n == 0:
		return nil, nil, fmt.Errorf("the EU DCC holds no vaccination, test or recovery entry")
	case n > MaxEntries:
		return nil, nil, fmt.Errorf("the EU DCC holds %d entries, over the %d accepted", n, MaxEntries)
	case c.Iat == 0 || c.Exp == 0:
		return nil, nil, fmt.Errorf("the DCC has no issue (6) or expiry (4) time")
	}
	for _, id := range h.IDs() {
		if id == "" || len(id) > MaxIDLen {
			return nil, nil, fmt.Errorf("an entry's certificate identifier (ci) is empty or over %d characters", MaxIDLen)
		}
	}
	return &c, &h, nil
}

// IDs lists the certificate identifiers (ci) of every entry.
func (h *Cert) IDs() []string {
	var out []string
	for _, v := range h.V {
		out = append(out, v.CertificateID)
	}
	for _, t := range h.T {
		out = append(out, t.CertificateID)
	}
	for _, r := range h.R {
		out = append(out, r.CertificateID)
	}
	return out
}

// Holder is the holder's name as printed, or transliterated when the
// printed family name is missing.
func (h *Cert) Holder() string {
	given, family := h.Nam.GivenName, h.Nam.FamilyName
	if family == "" {
		family, given = h.Nam.FamilyNameStandard, h.Nam.GivenNameStandard
	}
	return strings.TrimSpace(given + " " + family)
}

// Country is the issuing country of a DCC: its iss claim when that is
// a two-letter code, as the specification says. Some national issuers
// write a ministry's name there instead; EU verifiers then take the
// country from the certificate identifier (UVCI, "URN:UVCI:01:GE:…"),
// and, when that names none, from the signing key. Either way the country
// must still be the one the signing key is trusted for.
func Country(iss, uvci, keyCountry string) string {
	if isCountryCode(iss) {
		return iss
	}
	u := strings.TrimPrefix(strings.ToUpper(uvci), "URN:UVCI:")
	if parts := strings.SplitN(u, ":", 3); len(parts) == 3 && isCountryCode(parts[1]) {
		return parts[1]
	}
	return keyCountry
}

// isCountryCode: two ASCII letters, either case (a lower-case code is
// still a code, compared as written, so "xt" is not the key's "XT").
func isCountryCode(s string) bool {
	letter := func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
	return len(s) == 2 && letter(s[0]) && letter(s[1])
}
