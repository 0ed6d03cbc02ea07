package verify_test

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/credential"
	"passport/credential/dcc"
	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// dccNow is when the DCC tests verify; the signer certificates are valid
// from dccCertFrom to two years later.
var (
	dccCertFrom = time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	dccIat      = time.Date(2021, 6, 1, 8, 0, 0, 0, time.UTC)
	dccNow      = time.Date(2021, 7, 1, 12, 0, 0, 0, time.UTC)
)

// dccSigner is a generated DCC document signer: key and certificate, as a
// national backend would have (EC P-256 or RSA-2048, no passport SAN).
type dccSigner struct {
	key  crypto.Signer
	cert *x509.Certificate
	kid  []byte
}

func newDCCSigner(t testing.TB, rsaKey bool, subject pkix.Name) *dccSigner {
	t.Helper()
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: subject, Issuer: subject,
		NotBefore: dccCertFrom, NotAfter: dccCertFrom.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &dccSigner{key: key, cert: cert, kid: trust.KeyID(der)}
}

var (
	signersOnce sync.Once
	ecSigner    *dccSigner
	rsaSigner   *dccSigner
)

func signers(t testing.TB) (*dccSigner, *dccSigner) {
	signersOnce.Do(func() {
		ecSigner = newDCCSigner(t, false, pkix.Name{Country: []string{"DE"}, Organization: []string{"Robert Koch-Institut"}, CommonName: "DSC DE 01"})
		rsaSigner = newDCCSigner(t, true, pkix.Name{Country: []string{"AT"}, Organization: []string{"BMSGPK"}, CommonName: "AT DGC DSC 1"})
	})
	return ecSigner, rsaSigner
}

// dccHcert is a DCC body in the DCC JSON schema's shape.
func dccHcert(kind, ci string) map[string]any {
	h := map[string]any{
		"ver": "1.3.0",
		"nam": map[string]any{"fn": "Mustermann", "gn": "Erika", "fnt": "MUSTERMANN", "gnt": "ERIKA"},
		"dob": "1964-08-12",
	}
	switch kind {
	case "v":
		h["v"] = []any{map[string]any{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
			"dn": 2, "sd": 2, "dt": "2021-05-29", "co": "DE", "is": "Robert Koch-Institut", "ci": ci}}
	case "t":
		h["t"] = []any{map[string]any{"tg": "840539006", "tt": "LP6464-4", "nm": "Roche LightCycler qPCR",
			"sc": "2021-05-30T10:12:22Z", "tr": "260415000", "tc": "Testzentrum Köln Hbf", "co": "DE", "is": "Robert Koch-Institut", "ci": ci}}
	case "r":
		h["r"] = []any{map[string]any{"tg": "840539006", "fr": "2021-04-21", "co": "DE", "is": "Robert Koch-Institut",
			"df": "2021-05-01", "du": "2021-10-21", "ci": ci}}
	}
	return h
}

type dccOpts struct {
	signer       *dccSigner
	alg          cose.Algorithm // 0: the signer's natural algorithm
	protectedKID bool
	tagged       bool
	plain        bool // no zlib (refused: the DCC specification requires it)
	iat, exp     time.Time
	nbf          time.Time // zero: no nbf claim
	country      string    // iss; empty: the signer's country
	hcert        map[string]any
	tamper       bool
}

// makeDCC signs a DCC the way a national backend does and returns its HC1: text.
func makeDCC(t testing.TB, o dccOpts) string {
	t.Helper()
	if o.iat.IsZero() {
		o.iat = dccIat
	}
	if o.exp.IsZero() {
		o.exp = o.iat.AddDate(1, 0, 0)
	}
	if o.country == "" && len(o.signer.cert.Subject.Country) > 0 {
		o.country = o.signer.cert.Subject.Country[0]
	}
	claims := map[int]any{1: o.country, 4: o.exp.Unix(), 6: o.iat.Unix(), -260: map[int]any{1: o.hcert}}
	if !o.nbf.IsZero() {
		claims[5] = o.nbf.Unix()
	}
	payload, err := cbor.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	alg := o.alg
	if alg == 0 {
		alg, err = credential.AlgorithmFor(o.signer.key.Public())
		if err != nil {
			t.Fatal(err)
		}
	}
	signer, err := cose.NewSigner(alg, o.signer.key)
	if err != nil {
		t.Fatal(err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(alg)
	if o.protectedKID {
		msg.Headers.Protected[cose.HeaderLabelKeyID] = o.signer.kid
	} else {
		msg.Headers.Unprotected[cose.HeaderLabelKeyID] = o.signer.kid
	}
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	if o.tamper {
		i := bytes.Index(msg.Payload, []byte("Erika"))
		msg.Payload[i] = 'A'
	}
	var raw []byte
	if o.tagged {
		raw, err = msg.MarshalCBOR()
	} else {
		raw, err = (*cose.UntaggedSign1Message)(msg).MarshalCBOR()
	}
	if err != nil {
		t.Fatal(err)
	}
	if !o.plain {
		var b bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
		zw.Write(raw)
		zw.Close()
		raw = b.Bytes()
	}
	return credential.PrefixDCC + credential.Base45Encode(raw)
}

// dccStore trusts both signers the way `trust add` does, in a real SQLite
// store, and revokes one certificate identifier.
func dccStore(t testing.TB) *sitedb.DB {
	t.Helper()
	ec, rs := signers(t)
	db, err := sitedb.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, s := range []*dccSigner{ec, rs} {
		k, err := db.AddCertificate(s.cert)
		if err != nil {
			t.Fatal(err)
		}
		if trust.OrgCodeOf(s.cert) != "" || k.OrgCode == "" {
			t.Fatalf("DCC signer trusted as %+v: want the subject O as org code and no passport org code", k)
		}
	}
	return db
}

const ciGood = "URN:UVCI:01:DE:187/37512422923"

func TestDCCVariants(t *testing.T) {
	ec, rs := signers(t)
	db := dccStore(t)
	other := newDCCSigner(t, false, pkix.Name{Country: []string{"FR"}, CommonName: "untrusted DSC"})
	cases := []struct {
		name    string
		opts    dccOpts
		want    verify.Status
		reason  credential.Reason
		entries [3]int // v, t, r
	}{
		{"ES256 protected kid tagged", dccOpts{signer: ec, protectedKID: true, tagged: true, hcert: dccHcert("v", ciGood)}, verify.StatusValid, "", [3]int{1, 0, 0}},
		{"ES256 unprotected kid untagged", dccOpts{signer: ec, hcert: dccHcert("v", ciGood)}, verify.StatusValid, "", [3]int{1, 0, 0}},
		{"ES256 unprotected kid tagged, test entry", dccOpts{signer: ec, tagged: true, hcert: dccHcert("t", ciGood)}, verify.StatusValid, "", [3]int{0, 1, 0}},
		{"PS256 protected kid untagged, recovery", dccOpts{signer: rs, protectedKID: true, hcert: dccHcert("r", ciGood)}, verify.StatusValid, "", [3]int{0, 0, 1}},
		{"PS256 unprotected kid tagged", dccOpts{signer: rs, tagged: true, hcert: dccHcert("v", ciGood)}, verify.StatusValid, "", [3]int{1, 0, 0}},
		{"PS256 uncompressed", dccOpts{signer: rs, protectedKID: true, tagged: true, plain: true, hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, credential.ReasonBadCompression, [3]int{}},
		{"tampered payload", dccOpts{signer: ec, protectedKID: true, tagged: true, hcert: dccHcert("v", ciGood), tamper: true}, verify.StatusInvalid, verify.ReasonSignatureInvalid, [3]int{}},
		{"untrusted signer", dccOpts{signer: other, protectedKID: true, tagged: true, hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, verify.ReasonIssuerUnknown, [3]int{}},
		{"RSA key but PS384 header", dccOpts{signer: rs, alg: cose.AlgorithmPS384, protectedKID: true, tagged: true, hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, credential.ReasonUnsupportedAlg, [3]int{}},
		{"expired", dccOpts{signer: ec, tagged: true, exp: dccNow.Add(-time.Hour), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, verify.ReasonExpired, [3]int{1, 0, 0}},
		{"issued in the future", dccOpts{signer: ec, tagged: true, iat: dccNow.Add(time.Hour), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, verify.ReasonNotYetValid, [3]int{1, 0, 0}},
		{"issued before the signer cert", dccOpts{signer: ec, tagged: true, iat: dccCertFrom.Add(-time.Hour), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, verify.ReasonKeyNotValid, [3]int{1, 0, 0}},
		{"revoked ci", dccOpts{signer: ec, tagged: true, hcert: dccHcert("v", "URN:UVCI:01:DE:REVOKED")}, verify.StatusInvalid, verify.ReasonRevoked, [3]int{1, 0, 0}},
		// nbf, and the order of iat, nbf and exp.
		{"nbf in the future", dccOpts{signer: ec, tagged: true, nbf: dccNow.Add(time.Hour), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, verify.ReasonNotYetValid, [3]int{1, 0, 0}},
		{"nbf within skew", dccOpts{signer: ec, tagged: true, nbf: dccNow.Add(time.Minute), hcert: dccHcert("v", ciGood)}, verify.StatusValid, "", [3]int{1, 0, 0}},
		{"exp before iat", dccOpts{signer: ec, tagged: true, exp: dccIat.Add(-time.Hour), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{1, 0, 0}},
		{"exp before iat within skew", dccOpts{signer: ec, tagged: true, iat: dccNow, exp: dccNow.Add(-time.Minute), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{1, 0, 0}},
		{"exp before nbf", dccOpts{signer: ec, tagged: true, nbf: dccIat.AddDate(2, 0, 0), hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{1, 0, 0}},
		// A DE signer cannot issue another country's DCCs.
		{"country claim not the key's", dccOpts{signer: ec, tagged: true, country: "FR", hcert: dccHcert("v", ciGood)}, verify.StatusInvalid, verify.ReasonIssuerMismatch, [3]int{1, 0, 0}},
		{"no entries", dccOpts{signer: ec, tagged: true, hcert: dccHcert("", ciGood)}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{}},
		{"no fnt", dccOpts{signer: ec, tagged: true, hcert: func() map[string]any {
			h := dccHcert("v", ciGood)
			h["nam"] = map[string]any{"fn": "Mustermann"}
			return h
		}()}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{}},
		// Validly signed, but not what the DCC schema allows (dcc.Cert.Validate).
		{"schema: vaccination and test in one", dccOpts{signer: ec, tagged: true, hcert: func() map[string]any {
			h := dccHcert("v", ciGood)
			h["t"] = dccHcert("t", ciGood)["t"]
			return h
		}()}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{}},
		{"schema: born after issue", dccOpts{signer: ec, tagged: true, hcert: func() map[string]any {
			h := dccHcert("v", ciGood)
			h["dob"] = dccIat.AddDate(0, 0, 1).Format("2006-01-02")
			return h
		}()}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{}},
		{"schema: emoji in the name", dccOpts{signer: ec, tagged: true, hcert: func() map[string]any {
			h := dccHcert("v", ciGood)
			h["nam"] = map[string]any{"fn": "Mustermann", "gn": "😀", "fnt": "MUSTERMANN"}
			return h
		}()}, verify.StatusInvalid, credential.ReasonBadClaims, [3]int{}},
	}
	mem := trust.NewMemoryStore()
	mem.Revoke([]byte("URN:UVCI:01:DE:REVOKED"))
	for _, k := range []*dccSigner{ec, rs} {
		tk, _ := db.Key(k.kid)
		mem.Add(*tk)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := makeDCC(t, tc.opts)
			r := verify.Text("dcc", text, mem, verify.Options{Now: dccNow})
			if r.Status != tc.want {
				t.Fatalf("status %s, want %s; reasons %+v", r.Status, tc.want, r.Reasons)
			}
			if tc.reason != "" && !slices.ContainsFunc(r.Reasons, func(x verify.Reason) bool { return x.Code == tc.reason }) {
				t.Fatalf("reasons %+v, want %s", r.Reasons, tc.reason)
			}
			if strings.HasPrefix(tc.name, "schema: ") && !slices.ContainsFunc(r.Reasons, func(x verify.Reason) bool {
				return strings.Contains(x.Message, "does not follow its schema")
			}) {
				t.Fatalf("reasons %+v, want one naming the schema rule broken", r.Reasons)
			}
			if tc.reason != verify.ReasonIssuerMismatch && slices.ContainsFunc(r.Reasons, func(x verify.Reason) bool { return x.Code == verify.ReasonIssuerMismatch }) {
				t.Fatalf("issuer_mismatch misfired for a DCC: %+v", r.Reasons)
			}
			if tc.entries == [3]int{} {
				return
			}
			if r.DCC == nil {
				t.Fatal("no DCC view")
			}
			got := [3]int{len(r.DCC.Vaccinations), len(r.DCC.Tests), len(r.DCC.Recoveries)}
			if got != tc.entries {
				t.Fatalf("entries v/t/r = %v, want %v", got, tc.entries)
			}
			if r.Subject != "Erika Mustermann" || r.DCC.DateOfBirth != "1964-08-12" || r.DCC.Country != cmp.Or(tc.opts.country, tc.opts.signer.cert.Subject.Country[0]) || r.DCC.Name.FamilyNameStandard != "MUSTERMANN" {
				t.Fatalf("holder: subject %q, view %+v", r.Subject, r.DCC)
			}
			if tc.want == verify.StatusValid && r.CredentialID != ciGood {
				t.Fatalf("credential id %q, want the ci %q", r.CredentialID, ciGood)
			}
		})
	}
}

// TestDCCThroughSQLiteStore: the real `trust add` path, JSON shape included.
func TestDCCThroughSQLiteStore(t *testing.T) {
	ec, rs := signers(t)
	db := dccStore(t)
	for _, s := range []*dccSigner{ec, rs} {
		text := makeDCC(t, dccOpts{signer: s, tagged: true, hcert: dccHcert("v", ciGood)})
		r := verify.Text("dcc", strings.ToLower(text), db, verify.Options{Now: dccNow})
		if r.Status != verify.StatusValid {
			t.Fatalf("%s: %+v", s.cert.Subject, r.Reasons)
		}
		js, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"subject":"Erika Mustermann"`, `"credential_id":"` + ciGood + `"`, `"dob":"1964-08-12"`,
			`"mp":"EU/1/20/1528"`, `"dn":2`, `"fnt":"MUSTERMANN"`} {
			if !strings.Contains(string(js), want) {
				t.Fatalf("JSON lacks %s: %s", want, js)
			}
		}
	}
}

// FuzzDCCClaims: any payload signed by a trusted DCC key either verifies
// or is refused with a reason; verification never panics.
func FuzzDCCClaims(f *testing.F) {
	ec, _ := signers(f)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: ec.kid, OrgCode: "RKI", PublicKey: ec.key.Public(), Kind: trust.KindDCC, Country: "DE"})
	good, _ := cbor.Marshal(map[int]any{1: "DE", 4: dccNow.Add(time.Hour).Unix(), 6: dccIat.Unix(), -260: map[int]any{1: dccHcert("v", ciGood)}})
	f.Add(good)
	f.Add([]byte{0xa0})
	f.Add([]byte{0xa1, 0x39, 0x01, 0x03, 0xa1, 0x01, 0xa0})
	signer, err := cose.NewSigner(cose.AlgorithmES256, ec.key)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if len(payload) > credential.MaxInflatedLen-200 {
			return
		}
		msg := cose.NewSign1Message()
		msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
		msg.Headers.Protected[cose.HeaderLabelKeyID] = ec.kid
		msg.Payload = payload
		if err := msg.Sign(rand.Reader, nil, signer); err != nil {
			t.Fatal(err)
		}
		raw, _ := msg.MarshalCBOR()
		r := verify.Text("fuzz", credential.PrefixDCC+credential.Base45Encode(raw), mem, verify.Options{Now: dccNow})
		if r.Status == verify.StatusInvalid && len(r.Reasons) == 0 {
			t.Fatal("invalid without a reason")
		}
		if r.Status == verify.StatusValid && (r.DCC == nil || r.CredentialID == "") {
			t.Fatalf("valid without a DCC view: %+v", r)
		}
	})
}

// TestDCCIDLimitIsTheTrustLists: a certificate identifier the DCC decoder
// accepts can always be looked up in (and revoked through) the trust list.
func TestDCCIDLimitIsTheTrustLists(t *testing.T) {
	if dcc.MaxIDLen != trust.MaxRevokedIDLen {
		t.Fatalf("dcc.MaxIDLen %d, trust.MaxRevokedIDLen %d: a DCC id the decoder accepts must fit the revoked list", dcc.MaxIDLen, trust.MaxRevokedIDLen)
	}
}
