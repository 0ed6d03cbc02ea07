package trust_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/keys"
	"passport/trust"
)

func newIssuer(t testing.TB, code, name string) *keys.Issuer {
	t.Helper()
	iss, err := keys.NewIssuer(code, name, time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// signRaw signs any payload as a request would be signed, with full
// control of the headers: the forger's tool.
func signRaw(t testing.TB, key *ecdsa.PrivateKey, kid []byte, ct string, payload any) []byte {
	t.Helper()
	p, err := cbor.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := cose.NewSigner(cose.AlgorithmES256, key)
	if err != nil {
		t.Fatal(err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = kid
	msg.Headers.Protected[cose.HeaderLabelContentType] = ct
	msg.Payload = p
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func payload(iss *keys.Issuer) map[string]any {
	return map[string]any{"purpose": trust.RegistrationPurpose, "cert": iss.Cert.Raw, "org_code": iss.OrgCode,
		"org_name": iss.OrgName, "contact": "registrar@example.org", "created": time.Now().Unix()}
}

func TestRegistrationRoundTrip(t *testing.T) {
	iss := newIssuer(t, "RRG", "Registration Test Trust (TEST)")
	now := time.Now().UTC().Truncate(time.Second)
	req, err := iss.RegistrationRequest("hr.security@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := trust.ParseRegistration(req)
	if err != nil {
		t.Fatal(err)
	}
	if r.OrgCode != "RRG" || r.OrgName != "Registration Test Trust (TEST)" || r.Contact != "hr.security@example.org" ||
		!r.Created.Equal(now) || string(r.KID) != string(iss.KID) || !r.Certificate.Equal(iss.Cert) {
		t.Fatalf("read back %+v", r)
	}
	// No contact is fine.
	req, err = iss.RegistrationRequest("", now)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := trust.ParseRegistration(req); err != nil || r.Contact != "" {
		t.Fatalf("no contact: %v %+v", err, r)
	}
	// A bad contact is refused when the request is made.
	if _, err := iss.RegistrationRequest("not an address", now); err == nil {
		t.Fatal("a contact with spaces and no @ was signed")
	}
}

func TestRegistrationRefusesForgeries(t *testing.T) {
	a := newIssuer(t, "RAA", "Alpha Trust (TEST)")
	b := newIssuer(t, "RBB", "Beta Trust (TEST)")
	good, err := a.RegistrationRequest("x@example.org", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	withPayload := func(edit func(map[string]any)) []byte {
		p := payload(a)
		edit(p)
		return signRaw(t, a.Key, a.KID, trust.RegistrationContentType, p)
	}
	bundle, err := func() ([]byte, error) {
		auth, err := keys.NewAuthority()
		if err != nil {
			return nil, err
		}
		return auth.SignBundle(&trust.Bundle{Version: 1, Issued: time.Now(), Expires: time.Now().Add(time.Hour)})
	}()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  []byte
		want error
	}{
		{"one bit of the signature flipped", flip(good, len(good)-2), trust.ErrRegistrationSignature},
		{"one bit of the payload flipped", flip(good, len(good)-100), nil}, // signature or malformed: either refuses
		{"A's certificate signed by B's key (no possession)", signRaw(t, b.Key, a.KID, trust.RegistrationContentType, payload(a)), trust.ErrRegistrationSignature},
		{"A's certificate with B's kid", signRaw(t, a.Key, b.KID, trust.RegistrationContentType, payload(a)), trust.ErrRegistrationMalformed},
		{"org code not the certificate's", withPayload(func(p map[string]any) { p["org_code"] = "RBB" }), trust.ErrRegistrationMismatch},
		{"org name not the certificate's", withPayload(func(p map[string]any) { p["org_name"] = "Beta Trust (TEST)" }), trust.ErrRegistrationMismatch},
		{"unknown field", withPayload(func(p map[string]any) { p["admin"] = true }), trust.ErrRegistrationMalformed},
		{"other purpose", withPayload(func(p map[string]any) { p["purpose"] = "passport-registration/9" }), trust.ErrRegistrationMalformed},
		{"contact with a line break", withPayload(func(p map[string]any) { p["contact"] = "a@b.org\nstatus=revoked" }), trust.ErrRegistrationMalformed},
		{"no creation time", withPayload(func(p map[string]any) { p["created"] = 0 }), trust.ErrRegistrationMalformed},
		{"bundle content type", signRaw(t, a.Key, a.KID, trust.BundleContentType, payload(a)), trust.ErrRegistrationMalformed},
		{"a trust-list bundle", bundle, trust.ErrRegistrationMalformed},
		{"empty", nil, trust.ErrRegistrationMalformed},
		{"PEM certificate", []byte("-----BEGIN CERTIFICATE-----\n"), trust.ErrRegistrationMalformed},
		{"over the size cap", append([]byte{0xd2}, make([]byte, trust.MaxRegistrationBytes)...), trust.ErrRegistrationMalformed},
	}
	for _, tc := range tests {
		r, err := trust.ParseRegistration(tc.req)
		if err == nil {
			t.Errorf("%s: accepted %+v", tc.name, r)
			continue
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func flip(b []byte, at int) []byte {
	out := append([]byte{}, b...)
	out[at] ^= 1
	return out
}

func TestCheckContact(t *testing.T) {
	for _, ok := range []string{"", "a@b", "hr.security+passport@example.nhs.uk"} {
		if err := trust.CheckContact(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"no-at", "@b", "a@", "a@b@c", "a b@c", "a@b,c@d", "a@b\u202e", strings.Repeat("a", 250) + "@b.org", "\"x\"@b"} {
		if err := trust.CheckContact(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseRegistration(f *testing.F) {
	iss := newIssuer(f, "RFZ", "Fuzz Trust (TEST)")
	req, err := iss.RegistrationRequest("f@example.org", time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(req)
	f.Add([]byte{0xd2, 0x84})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := trust.ParseRegistration(data)
		if err != nil {
			return
		}
		if trust.OrgCodeOf(r.Certificate) != r.OrgCode || trust.CheckContact(r.Contact) != nil {
			t.Fatalf("accepted an inconsistent request: %+v", r)
		}
	})
}

// A certificate no site would accept in a bundle (valid from 1950: before
// the dates a bundle carries) is refused at registration, so registering
// it cannot make every later bundle unusable.
func TestRegistrationRefusesUnbundlableDates(t *testing.T) {
	iss, err := keys.NewIssuer("ROL", "Old Dates Trust (TEST)", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = trust.ParseRegistration(signRaw(t, iss.Key, iss.KID, trust.RegistrationContentType, payload(iss)))
	if !errors.Is(err, trust.ErrRegistrationMalformed) || !strings.Contains(err.Error(), "1970-9999") {
		t.Fatalf("err = %v, want a refused validity date", err)
	}
}

// A protected header far over its bound is refused before go-cose
// decodes it.
func TestRegistrationBoundsHeader(t *testing.T) {
	iss := newIssuer(t, "RHB", "Header Bound Trust (TEST)")
	big := make([]byte, 4096)
	req := signRaw(t, iss.Key, big, trust.RegistrationContentType, payload(iss))
	if _, err := trust.ParseRegistration(req); !errors.Is(err, trust.ErrRegistrationMalformed) || !strings.Contains(err.Error(), "protected header is") {
		t.Fatalf("err = %v, want the protected header refused by size", err)
	}
}
