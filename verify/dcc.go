package verify

import (
	"time"

	"passport/credential"
	"passport/credential/dcc"
	"passport/trust"
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

// DCCName is the holder's name (dcc.Name).
type DCCName = dcc.Name

// DCCVaccination, DCCTest and DCCRecovery are the DCC's entries, as its
// claims decoder (package credential/dcc) reads them.
type (
	DCCVaccination = dcc.Vaccination
	DCCTest        = dcc.Test
	DCCRecovery    = dcc.Recovery
)

// verifyDCC handles an EU Digital COVID Certificate whose signature has
// already been checked: it reads the claims, checks that the key may sign
// each type of entry it holds (checkDCCTypes), applies the key's validity
// window and status to iat, checks exp and iat against now, and looks each
// entry's certificate identifier (ci) up in the revoked list. The issuer
// claim is a country code: it must be the country the signing key is
// trusted for (issuer_mismatch otherwise), so one country's signer cannot
// issue another's certificates.
func verifyDCC(j *judged, s *credential.Signed, key *trust.TrustedKey, store trust.TrustStore, now time.Time, skew time.Duration) {
	r := &j.r
	c, h, err := dcc.Parse(s.Payload())
	if err != nil {
		r.fail(credential.ReasonBadClaims, "%v", err)
		return
	}
	// The DCC's claims and its health certificate are read in one go: both
	// are checked for structure by dcc.Parse, and the certificate must
	// follow the DCC JSON schema's rules (see Cert.Validate for which): a
	// DCC that breaks them is not one an issuer may sign, whatever its
	// signature. It is still judged on (key, type, dates), so that every
	// reason shows. The body also passes only when its entries are of
	// types the key may sign.
	if err := h.Validate(time.Unix(int64(c.Iat), 0)); err != nil {
		r.fail(credential.ReasonBadClaims, "%v", err)
	} else {
		j.pass(stepClaims)
	}
	iat, exp := time.Unix(int64(c.Iat), 0).UTC(), time.Unix(int64(c.Exp), 0).UTC()
	r.Subject = h.Holder()
	r.CredentialID = h.IDs()[0]
	country := dcc.Country(c.Iss, h.IDs()[0], key.Country)
	r.DCC = &DCCView{SchemaVersion: h.Ver, Country: country, IssuedAt: iat.Format(time.RFC3339), Expires: exp.Format(time.RFC3339),
		Name:        *h.Nam,
		DateOfBirth: h.Dob, Vaccinations: h.V, Tests: h.T, Recoveries: h.R}
	if r.checkKey(key, iat) {
		j.pass(stepKeyWindow)
	}
	if country != c.Iss {
		r.DCC.IssuerText = c.Iss
	}
	if checkDCCTypes(r, key, len(h.V) > 0, len(h.T) > 0, len(h.R) > 0) {
		j.pass(stepBody)
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
	for _, id := range h.IDs() {
		if n := len(r.Reasons); !r.checkRevoked(store, []byte(id), "this certificate ("+id+")", now) || len(r.Reasons) > n {
			revoked = true
			break
		}
	}
	if !revoked {
		j.pass(stepRevocation)
	}
}

// checkDCCTypes refuses a DCC holding an entry of a type (vaccination,
// test, recovery) its signing key may not sign: the EU restricts a
// document signer to some types through the extended key usage of its
// certificate (trust.DCCTypesOf), so a signer trusted for vaccinations
// cannot vouch for a test result. It reports whether every type is allowed.
func checkDCCTypes(r *Result, key *trust.TrustedKey, v, t, rec bool) bool {
	ok := true
	for _, e := range []struct {
		has bool
		typ trust.DCCType
	}{{v, trust.DCCVaccination}, {t, trust.DCCTest}, {rec, trust.DCCRecovery}} {
		if e.has && !key.MaySignDCC(e.typ) {
			r.fail(ReasonDCCTypeNotAllowed, "this EU Digital COVID Certificate holds a %s entry, but the signing key of %s (%s) may sign only %s certificates: its certificate's key usage does not allow %s entries",
				e.typ.Name(), orgLabel(key), key.Country, trust.FormatDCCTypes(key.DCCTypes), e.typ.Name())
			ok = false
		}
	}
	return ok
}
