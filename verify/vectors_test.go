package verify_test

//go:generate go run ../fixtures/vectorgen -out ../fixtures/vectors

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/trust"
	"passport/verify"
)

// vectorDir holds the test vectors written by fixtures/vectorgen.
const vectorDir = "../fixtures/vectors"

// vecTrust is one trusted certificate in a vector's trust set-up.
type vecTrust struct {
	Cert        string `json:"cert"`
	Revoked     bool   `json:"revoked"`
	RevokedFrom string `json:"revoked_from"`
}

// vecFile is the union of the valid and invalid vector formats.
type vecFile struct {
	Description string     `json:"description"`
	Layer       string     `json:"layer"`
	Text        string     `json:"text"`
	Now         string     `json:"now"`
	Trust       []vecTrust `json:"trust"`
	RevokedIDs  []string   `json:"revoked_ids"`
	TrustList   *struct {
		Version int64  `json:"version"`
		Issued  string `json:"issued"`
		Expires string `json:"expires"`
	} `json:"trust_list"`
	ExpectedStatus   string   `json:"expected_status"`
	ExpectedReasons  []string `json:"expected_reasons"`
	ExpectedWarnings []string `json:"expected_warnings"`

	// Valid vectors only.
	CBORHex       string `json:"cbor_hex"`
	COSEHex       string `json:"cose_hex"`
	CompressedHex string `json:"compressed_hex"`
	Base45        string `json:"base45"`
	KID           string `json:"kid"`
	CertPEM       string `json:"cert_pem"`
	Claims        struct {
		Cti    string `json:"cti"`
		Iss    string `json:"iss"`
		Person struct {
			Name string `json:"name"`
		} `json:"person"`
	} `json:"claims"`
}

// loadVectors reads every *.json in vectorDir/sub, failing if there are none.
func loadVectors(t testing.TB, sub string) map[string]*vecFile {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(vectorDir, sub, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors in %s (%v): run go generate ./verify", filepath.Join(vectorDir, sub), err)
	}
	out := map[string]*vecFile{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vecFile
		dec := json.NewDecoder(bytes.NewReader(data))
		if sub != "valid" {
			dec.DisallowUnknownFields() // catch a misspelt field in a hand-edited vector
		}
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = &v
	}
	return out
}

func vecTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("vector time %q: %v", s, err)
	}
	return tm
}

// vecStore builds the trust store a vector describes, the way `trust add`
// does: kid, org and validity window from the certificate.
func vecStore(t testing.TB, v *vecFile) *trust.MemoryStore {
	t.Helper()
	st := trust.NewMemoryStore()
	for _, e := range v.Trust {
		pemData, err := os.ReadFile(filepath.Join(vectorDir, "keys", e.Cert+".crt"))
		if err != nil {
			t.Fatalf("trust entry %q: %v", e.Cert, err)
		}
		cert, err := trust.ParseCertificatePEM(pemData)
		if err != nil {
			t.Fatal(err)
		}
		k := trust.TrustedKey{KID: trust.KeyID(cert.Raw), OrgCode: trust.OrgCodeOf(cert), OrgName: cert.Subject.Organization[0],
			PublicKey: cert.PublicKey, ValidFrom: cert.NotBefore, ValidUntil: cert.NotAfter, Revoked: e.Revoked}
		if e.RevokedFrom != "" {
			k.RevokedFrom = vecTime(t, e.RevokedFrom)
		}
		// Bound as `trust add` binds it: passport issuers sign staff
		// passports, DCC signers their country's DCCs.
		if k.Kind, k.Country, err = trust.BindingOf(cert); err != nil {
			t.Fatalf("trust entry %q: %v", e.Cert, err)
		}
		if k.OrgCode == "" && !strings.HasPrefix(e.Cert, "dcc-") {
			t.Fatalf("certificate %s has no org code", e.Cert)
		}
		st.Add(k)
	}
	for _, id := range v.RevokedIDs {
		b, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		st.Revoke(b)
	}
	if l := v.TrustList; l != nil {
		st.SetBundleInfo(l.Version, vecTime(t, l.Issued), vecTime(t, l.Expires))
	}
	return st
}

func codes(rs []verify.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, string(r.Code))
	}
	return out
}

func hasCode(rs []verify.Reason, code string) bool {
	for _, r := range rs {
		if string(r.Code) == code {
			return true
		}
	}
	return false
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidVectors(t *testing.T) {
	for name, v := range loadVectors(t, "valid") {
		t.Run(name, func(t *testing.T) {
			r := verify.Text(name, v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
			if r.Status != verify.StatusValid || len(r.Reasons) != 0 || len(r.Warnings) != 0 {
				t.Fatalf("status %s, reasons %+v, warnings %+v; want valid with neither", r.Status, r.Reasons, r.Warnings)
			}
			if r.KeyID != v.KID || r.CredentialID != v.Claims.Cti || r.Issuer != v.Claims.Iss || r.Subject != v.Claims.Person.Name {
				t.Errorf("result kid %s id %s issuer %s subject %q; vector says %s %s %s %q",
					r.KeyID, r.CredentialID, r.Issuer, r.Subject, v.KID, v.Claims.Cti, v.Claims.Iss, v.Claims.Person.Name)
			}
			// Every layer decodes to the recorded bytes.
			if v.Text != credential.Prefix+v.Base45 {
				t.Fatalf("text is not prefix + base45")
			}
			comp, err := credential.Base45Decode(v.Base45)
			if err != nil || !bytes.Equal(comp, mustHex(t, v.CompressedHex)) {
				t.Fatalf("base45 layer: %v", err)
			}
			zr, err := zlib.NewReader(bytes.NewReader(comp))
			if err != nil {
				t.Fatal(err)
			}
			cose, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(cose, mustHex(t, v.COSEHex)) {
				t.Fatalf("zlib layer: %v", err)
			}
			s, err := credential.Decode(v.Text)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.COSE, cose) || !bytes.Equal(s.Payload(), mustHex(t, v.CBORHex)) || hex.EncodeToString(s.KID) != v.KID {
				t.Fatalf("COSE layer differs from the vector")
			}
			if !s.Tagged || !s.KIDProtected || s.Alg.String() != "ES256" {
				t.Errorf("tagged %v, kid protected %v, alg %v: want a tagged ES256 message with a protected kid", s.Tagged, s.KIDProtected, s.Alg)
			}
			// One day after expiry the same vector must fail: the test can fail.
			late := verify.Text(name, v.Text, vecStore(t, v), verify.Options{Now: r.Parsed.Expires.Add(24 * time.Hour)})
			if late.Status != verify.StatusInvalid || !hasCode(late.Reasons, string(verify.ReasonExpired)) {
				t.Errorf("a day after expiry: %s %+v, want invalid/expired", late.Status, late.Reasons)
			}
		})
	}
}

func TestInvalidVectors(t *testing.T) {
	for name, v := range loadVectors(t, "invalid") {
		t.Run(name, func(t *testing.T) {
			if v.Description == "" || v.Layer == "" {
				t.Errorf("vector lacks a description or layer")
			}
			r := verify.Text(name, v.Text, vecStore(t, v), verify.Options{Now: vecTime(t, v.Now)})
			if string(r.Status) != v.ExpectedStatus {
				t.Fatalf("status %s (reasons %+v), want %s %v", r.Status, r.Reasons, v.ExpectedStatus, v.ExpectedReasons)
			}
			if v.ExpectedReasons == nil {
				t.Fatalf("the vector has no expected_reasons list (use [] for none)")
			}
			// The exact list, in order: a second, unexpected reason is as
			// much a change of behaviour as a missing one.
			if got := codes(r.Reasons); !slices.Equal(got, v.ExpectedReasons) {
				t.Errorf("reasons %v (%+v), want exactly %v", got, r.Reasons, v.ExpectedReasons)
			}
			if got := codes(r.Warnings); !slices.Equal(got, v.ExpectedWarnings) && len(got)+len(v.ExpectedWarnings) > 0 {
				t.Errorf("warnings %v (%+v), want exactly %v", got, r.Warnings, v.ExpectedWarnings)
			}
			for _, re := range r.Reasons {
				if re.Message == "" {
					t.Errorf("reason %s has no message", re.Code)
				}
			}
		})
	}
}

// TestVectorsCoverReasons fails when a reason code a credential text can
// produce has no vector: a new code needs a vector too.
func TestVectorsCoverReasons(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range loadVectors(t, "invalid") {
		for _, c := range append(v.ExpectedReasons, v.ExpectedWarnings...) {
			seen[c] = true
		}
	}
	for _, code := range []credential.Reason{
		credential.ReasonBadPrefix, credential.ReasonBadEncoding, credential.ReasonBadCompression, credential.ReasonTooLarge,
		credential.ReasonBadCOSE, credential.ReasonBadClaims, credential.ReasonUnsupportedAlg, credential.ReasonMissingKID,
		verify.ReasonSignatureInvalid, verify.ReasonIssuerUnknown, verify.ReasonIssuerRevoked, verify.ReasonIssuerMismatch,
		verify.ReasonKeyNotValid, verify.ReasonExpired, verify.ReasonNotYetValid, verify.ReasonRevoked,
		verify.WarnTrustListExpired, verify.WarnLapsed, verify.ReasonUpdateRequired, verify.WarnNotRecognised,
	} {
		if !seen[string(code)] {
			t.Errorf("no vector expects %s", code)
		}
	}
}

// FuzzVectorText mutates the vector texts: verification must never panic,
// every result must carry a status, an invalid one a reason, and a valid
// one the credential's id and subject.
func FuzzVectorText(f *testing.F) {
	st := trust.NewMemoryStore()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	valid := loadVectors(f, "valid")
	for _, v := range valid {
		for _, s := range vecStore(f, v).Keys() {
			st.Add(s)
		}
		f.Add(v.Text)
	}
	for _, v := range loadVectors(f, "invalid") {
		f.Add(v.Text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := verify.Text("fuzz", text, st, verify.Options{Now: now})
		switch r.Status {
		case verify.StatusValid:
			if len(r.Reasons) != 0 || r.CredentialID == "" || r.Subject == "" || r.Parsed == nil {
				t.Fatalf("valid result without a credential: %+v", r)
			}
		case verify.StatusInvalid:
			if len(r.Reasons) == 0 {
				t.Fatalf("invalid result without a reason")
			}
		default:
			t.Fatalf("status %q from a text", r.Status)
		}
	})
}
