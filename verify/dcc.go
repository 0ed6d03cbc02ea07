package verify

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passport/credential"
	"passport/trust"
)

// EU Digital COVID Certificate (eHealth Network, "Electronic Health
// Certificate Specification" v1.0.5 and the DCC JSON schema 1.3): a CWT
// (RFC 8392) with claim 1 iss (issuing country), 4 exp, 6 iat and -260
// hcert, whose key 1 holds the certificate (ver, nam, dob and one of v, t, r).
const (
	dccClaimHcert = -260 // CWT claim holding the health certificates
	dccHcertEUDCC = 1    // key of the EU DCC inside hcert

	// maxDCCEntries caps the vaccination, test and recovery entries read
	// from one DCC: the specification allows exactly one in total; a few
	// more are accepted from lenient issuers, no more.
	maxDCCEntries = 8
)

// DCCView is the JSON form of an EU Digital COVID Certificate: the holder
// and the vaccination, test and recovery entries, with their fields named
// as in the DCC JSON schema (tg, vp, mp, ...) beside readable names.
type DCCView struct {
	SchemaVersion string `json:"ver"`
	Country       string `json:"country"` // CWT iss: the issuing country (see dccCountry)
	// IssuerText is the CWT iss when it is not a country code (some
	// issuers write a ministry's name there), as written.
	IssuerText   string           `json:"iss_text,omitempty"`
	IssuedAt     string           `json:"iat"`
	Expires      string           `json:"exp"`
	Name         DCCName          `json:"nam"`
	DateOfBirth  string           `json:"dob"`
	Vaccinations []DCCVaccination `json:"v,omitempty"`
	Tests        []DCCTest        `json:"t,omitempty"`
	Recoveries   []DCCRecovery    `json:"r,omitempty"`
}

// DCCName is the holder's name as printed (fn, gn) and in the ICAO 9303
// transliteration (fnt, gnt).
type DCCName struct {
	FamilyName         string `json:"fn,omitempty"`
	GivenName          string `json:"gn,omitempty"`
	FamilyNameStandard string `json:"fnt"`
	GivenNameStandard  string `json:"gnt,omitempty"`
}

// DCCVaccination is one vaccination entry ("v").
type DCCVaccination struct {
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

// DCCTest is one test entry ("t").
type DCCTest struct {
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

// DCCRecovery is one recovery entry ("r").
type DCCRecovery struct {
	Disease       string `json:"tg" cbor:"tg"`
	FirstPositive string `json:"fr" cbor:"fr"` // date of the first positive NAAT result
	Country       string `json:"co" cbor:"co"`
	Issuer        string `json:"is" cbor:"is"`
	ValidFrom     string `json:"df" cbor:"df"`
	ValidUntil    string `json:"du" cbor:"du"`
	CertificateID string `json:"ci" cbor:"ci"`
}

type dccName struct {
	Fn  string `cbor:"fn"`
	Gn  string `cbor:"gn"`
	Fnt string `cbor:"fnt"`
	Gnt string `cbor:"gnt"`
}

type dccCert struct {
	Ver string           `cbor:"ver"`
	Nam *dccName         `cbor:"nam"`
	Dob string           `cbor:"dob"`
	V   []DCCVaccination `cbor:"v"`
	T   []DCCTest        `cbor:"t"`
	R   []DCCRecovery    `cbor:"r"`
}

type dccClaims struct {
	Iss   string                  `cbor:"1,keyasint"`
	Exp   numericDate             `cbor:"4,keyasint"`
	Iat   numericDate             `cbor:"6,keyasint"`
	Nbf   numericDate             `cbor:"5,keyasint"` // optional (RFC 8392); 0 when absent
	Hcert map[int]cbor.RawMessage `cbor:"-260,keyasint"`
}

// dccDec reads DCC claims with the passport's size limits. Unlike the
// passport's own claims it accepts unknown fields (the DCC schema has
// grown over versions, and claims like 5 nbf or 7 cti may appear) and a
// non-deterministic encoding (DCC issuers do not all use one); duplicate
// keys, indefinite lengths and invalid UTF-8 are still refused.
var dccDec = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		MaxNestedLevels:  credential.MaxNesting,
		MaxArrayElements: credential.MaxArrayElements,
		MaxMapPairs:      credential.MaxMapPairs,
		UTF8:             cbor.UTF8RejectInvalid,
		IntDec:           cbor.IntDecConvertSignedOrFail,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// numericDate is a CWT NumericDate (RFC 8392 §2, RFC 7519 §2): seconds
// since 1970, an integer or, as some national DCC issuers write it, a
// floating-point number (RFC 8392 allows non-integer values). Fractions
// are dropped toward the past; NaN, infinities and values beyond ±2^53
// (where a float stops counting whole seconds) are refused. Only HC1
// claims use it: a staff passport's dates are integers.
type numericDate int64

func (n *numericDate) UnmarshalCBOR(b []byte) error {
	var v any
	if err := dccDec.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case uint64:
		if x > 1<<53 {
			return fmt.Errorf("NumericDate %d is out of range", x)
		}
		*n = numericDate(x)
	case int64:
		if x < -(1 << 53) {
			return fmt.Errorf("NumericDate %d is out of range", x)
		}
		*n = numericDate(x)
	case float64:
		if math.IsNaN(x) || x > 1<<53 || x < -(1<<53) {
			return fmt.Errorf("NumericDate %v is not a finite time", x)
		}
		*n = numericDate(math.Floor(x))
	default:
		return fmt.Errorf("NumericDate of type %T", v)
	}
	return nil
}

// parseDCC decodes and checks the structure of a DCC payload.
func parseDCC(payload []byte) (*dccClaims, *dccCert, error) {
	var c dccClaims
	if err := dccDec.Unmarshal(payload, &c); err != nil {
		return nil, nil, fmt.Errorf("the DCC claims are not a valid CWT: %v", err)
	}
	raw, ok := c.Hcert[dccHcertEUDCC]
	if !ok {
		return nil, nil, fmt.Errorf("claim %d (hcert) holds no EU DCC (key %d)", dccClaimHcert, dccHcertEUDCC)
	}
	var h dccCert
	if err := dccDec.Unmarshal(raw, &h); err != nil {
		return nil, nil, fmt.Errorf("the EU DCC is malformed: %v", err)
	}
	switch n := len(h.V) + len(h.T) + len(h.R); {
	case h.Ver == "":
		return nil, nil, fmt.Errorf("the EU DCC has no schema version (ver)")
	case h.Nam == nil || h.Nam.Fnt == "":
		return nil, nil, fmt.Errorf("the EU DCC has no standardised family name (nam.fnt)")
	case n == 0:
		return nil, nil, fmt.Errorf("the EU DCC holds no vaccination, test or recovery entry")
	case n > maxDCCEntries:
		return nil, nil, fmt.Errorf("the EU DCC holds %d entries, over the %d accepted", n, maxDCCEntries)
	case c.Iat == 0 || c.Exp == 0:
		return nil, nil, fmt.Errorf("the DCC has no issue (6) or expiry (4) time")
	}
	for _, id := range h.ids() {
		if id == "" || len(id) > trust.MaxRevokedIDLen {
			return nil, nil, fmt.Errorf("an entry's certificate identifier (ci) is empty or over %d characters", trust.MaxRevokedIDLen)
		}
	}
	return &c, &h, nil
}

// ids lists the certificate identifiers (ci) of every entry.
func (h *dccCert) ids() []string {
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

func (h *dccCert) holder() string {
	given, family := h.Nam.Gn, h.Nam.Fn
	if family == "" {
		family, given = h.Nam.Fnt, h.Nam.Gnt
	}
	return strings.TrimSpace(given + " " + family)
}

// verifyDCC handles an EU Digital COVID Certificate whose signature has
// already been checked: it reads the claims, applies the key's validity
// window and status to iat, checks exp and iat against now, and looks each
// entry's certificate identifier (ci) up in the revoked list. The issuer
// claim is a country code: it must be the country the signing key is
// trusted for (issuer_mismatch otherwise), so one country's signer cannot
// issue another's certificates.
func verifyDCC(j *judged, s *credential.Signed, key *trust.TrustedKey, store trust.TrustStore, now time.Time, skew time.Duration) {
	r := &j.r
	c, h, err := parseDCC(s.Payload())
	if err != nil {
		r.fail(credential.ReasonBadClaims, "%v", err)
		return
	}
	// The DCC's claims and its health certificate are read in one go: both
	// are checked for structure by parseDCC.
	j.pass(stepClaims)
	j.pass(stepBody)
	iat, exp := time.Unix(int64(c.Iat), 0).UTC(), time.Unix(int64(c.Exp), 0).UTC()
	r.Subject = h.holder()
	r.CredentialID = h.ids()[0]
	country := dccCountry(c.Iss, h.ids()[0], key.Country)
	r.DCC = &DCCView{SchemaVersion: h.Ver, Country: country, IssuedAt: iat.Format(time.RFC3339), Expires: exp.Format(time.RFC3339),
		Name:        DCCName{FamilyName: h.Nam.Fn, GivenName: h.Nam.Gn, FamilyNameStandard: h.Nam.Fnt, GivenNameStandard: h.Nam.Gnt},
		DateOfBirth: h.Dob, Vaccinations: h.V, Tests: h.T, Recoveries: h.R}
	if r.checkKey(key, iat) {
		j.pass(stepKeyWindow)
	}
	if country != c.Iss {
		r.DCC.IssuerText = c.Iss
	}
	if country == key.Country {
		j.pass(stepIssuer)
	} else {
		r.fail(ReasonIssuerMismatch, "the certificate says it was issued by country %q but was signed with a key this site trusts for %q only", country, key.Country)
	}
	nbf := time.Unix(int64(c.Nbf), 0).UTC()
	switch {
	case !exp.After(iat):
		r.fail(credential.ReasonBadClaims, "the certificate expires (%s) before it was issued (%s)", human(exp), human(iat))
	case c.Nbf != 0 && !exp.After(nbf):
		r.fail(credential.ReasonBadClaims, "the certificate expires (%s) before it becomes valid (%s)", human(exp), human(nbf))
	case c.Nbf != 0 && now.Add(skew).Before(nbf):
		r.fail(ReasonNotYetValid, "the certificate is not valid until %s", human(nbf))
	case now.Add(skew).Before(iat):
		r.fail(ReasonNotYetValid, "the certificate says it was issued in the future (%s): check this computer's clock", human(iat))
	case now.Add(-skew).After(exp):
		r.fail(ReasonExpired, "the certificate expired on %s", human(exp))
	default:
		j.pass(stepTimes)
	}
	revoked := false
	for _, id := range h.ids() {
		if n := len(r.Reasons); !r.checkRevoked(store, []byte(id), "this certificate ("+id+")", now) || len(r.Reasons) > n {
			revoked = true
			break
		}
	}
	if !revoked {
		j.pass(stepRevocation)
	}
}

// dccCountry is the issuing country of a DCC: its iss claim when that is
// a two-letter code, as the specification says. Some national issuers
// write a ministry's name there instead; EU verifiers then take the
// country from the certificate identifier (UVCI, "URN:UVCI:01:GE:…"),
// and, when that names none, from the signing key. Either way the country
// must still be the one the signing key is trusted for.
func dccCountry(iss, uvci, keyCountry string) string {
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
