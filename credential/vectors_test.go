package credential_test

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passport/credential"
)

// credVectorDir holds the vectors written by fixtures/vectorgen
// (`go generate ./verify`).
const credVectorDir = "../fixtures/vectors"

type credVector struct {
	Description     string   `json:"description"`
	Layer           string   `json:"layer"`
	Text            string   `json:"text"`
	ExpectedStatus  string   `json:"expected_status"`
	ExpectedReasons []string `json:"expected_reasons"`
	ExpectedReason  string   // the first of ExpectedReasons
	Trust           []struct {
		Cert string `json:"cert"`
	} `json:"trust"`

	CBORHex       string `json:"cbor_hex"`
	COSEHex       string `json:"cose_hex"`
	CompressedHex string `json:"compressed_hex"`
	Base45        string `json:"base45"`
	KID           string `json:"kid"`
	Alg           string `json:"alg"`
	CertPEM       string `json:"cert_pem"`
	PublicKeyPEM  string `json:"public_key_pem"`
	Claims        struct {
		Iss    string `json:"iss"`
		Iat    string `json:"iat"`
		Nbf    string `json:"nbf"`
		Exp    string `json:"exp"`
		Cti    string `json:"cti"`
		Person struct {
			Name        string `json:"name"`
			StaffNumber string `json:"staff_number"`
		} `json:"person"`
		Checks   []json.RawMessage `json:"checks"`
		Training []json.RawMessage `json:"training"`
	} `json:"claims"`
}

func readCredVectors(t *testing.T, sub string) map[string]*credVector {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(credVectorDir, sub, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no vectors in %s: run go generate ./verify", sub)
	}
	out := map[string]*credVector{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v credVector
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(v.ExpectedReasons) > 0 {
			v.ExpectedReason = v.ExpectedReasons[0]
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = &v
	}
	return out
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVectorLayers peels each valid vector one layer at a time (base45 →
// zlib → COSE → CBOR) and compares every layer byte for byte with the
// recorded value, then checks the signature with the vector's certificate.
func TestVectorLayers(t *testing.T) {
	for name, v := range readCredVectors(t, "valid") {
		t.Run(name, func(t *testing.T) {
			if !strings.HasPrefix(v.Text, credential.Prefix) || v.Text[len(credential.Prefix):] != v.Base45 {
				t.Fatalf("text %q is not %q + base45", v.Text[:8], credential.Prefix)
			}
			comp, err := credential.Base45Decode(v.Base45)
			if err != nil {
				t.Fatalf("base45: %v", err)
			}
			if !bytes.Equal(comp, unhex(t, v.CompressedHex)) {
				t.Fatalf("base45 decodes to %x, want %s", comp, v.CompressedHex)
			}
			if credential.Base45Encode(comp) != v.Base45 {
				t.Errorf("base45 is not canonical: re-encoding differs")
			}
			if comp[0] != 0x78 {
				t.Errorf("zlib header byte %#x, want 0x78 (deflate, 32 KiB window)", comp[0])
			}
			zr, err := zlib.NewReader(bytes.NewReader(comp))
			if err != nil {
				t.Fatal(err)
			}
			cose, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("zlib: %v", err)
			}
			if !bytes.Equal(cose, unhex(t, v.COSEHex)) {
				t.Fatalf("zlib inflates to %x, want %s", cose, v.COSEHex)
			}
			if cose[0] != 0xd2 {
				t.Errorf("COSE starts %#x, want tag 18 (0xd2)", cose[0])
			}
			s, err := credential.ParseCOSE(cose)
			if err != nil {
				t.Fatalf("COSE: %v", err)
			}
			payload := unhex(t, v.CBORHex)
			if !bytes.Equal(s.Payload(), payload) {
				t.Fatalf("COSE payload %x, want %x", s.Payload(), payload)
			}
			if hex.EncodeToString(s.KID) != v.KID || !s.KIDProtected || s.Alg.String() != v.Alg {
				t.Errorf("kid %x (protected %v) alg %v; want %s protected, %s", s.KID, s.KIDProtected, s.Alg, v.KID, v.Alg)
			}
			// The kid is the first 8 bytes of SHA-256 of the certificate DER.
			block, _ := pem.Decode([]byte(v.CertPEM))
			if block == nil {
				t.Fatal("cert_pem holds no PEM block")
			}
			sum := sha256.Sum256(block.Bytes)
			if hex.EncodeToString(sum[:8]) != v.KID {
				t.Errorf("kid %s is not SHA-256(cert DER)[:8] = %x", v.KID, sum[:8])
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			pb, _ := pem.Decode([]byte(v.PublicKeyPEM))
			pub, err := x509.ParsePKIXPublicKey(pb.Bytes)
			if err != nil || !pub.(*ecdsa.PublicKey).Equal(cert.PublicKey) {
				t.Fatalf("public_key_pem does not match the certificate: %v", err)
			}
			if err := s.Verify(pub); err != nil {
				t.Fatalf("signature: %v", err)
			}
			// CBOR: strict decode, and the encoding is the one deterministic encoding.
			c, err := credential.UnmarshalClaims(payload)
			if err != nil {
				t.Fatalf("claims: %v", err)
			}
			again, err := credential.MarshalClaims(c)
			if err != nil || !bytes.Equal(again, payload) {
				t.Fatalf("claims re-encode to %x, want %x (%v)", again, payload, err)
			}
			rfc := func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) }
			got := []string{c.Issuer, rfc(c.IssuedAt), rfc(c.NotBefore), rfc(c.Expires), c.IDString(), c.Body.Person.Name, c.Body.Person.StaffNumber}
			want := []string{v.Claims.Iss, v.Claims.Iat, v.Claims.Nbf, v.Claims.Exp, v.Claims.Cti, v.Claims.Person.Name, v.Claims.Person.StaffNumber}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("claim %d: CBOR says %q, the human view %q", i, got[i], want[i])
				}
			}
			if len(c.Body.Checks) != len(v.Claims.Checks) || len(c.Body.Training) != len(v.Claims.Training) {
				t.Errorf("%d checks and %d training in CBOR, %d and %d in the human view",
					len(c.Body.Checks), len(c.Body.Training), len(v.Claims.Checks), len(v.Claims.Training))
			}
			// A one-byte change anywhere in the payload breaks the signature.
			bad := append([]byte(nil), cose...)
			i := bytes.Index(bad, payload) + len(payload)/2
			bad[i] ^= 0x20
			if s2, err := credential.ParseCOSE(bad); err == nil && s2.Verify(pub) == nil {
				t.Errorf("flipping payload byte %d left the signature valid", i)
			}
		})
	}
}

// TestVectorDecodeLayer checks that the credential package alone refuses
// each invalid vector at the layer the vector names, with the same reason
// the verifier reports: Decode, then the signature with the key its kid
// names, then the claims.
func TestVectorDecodeLayer(t *testing.T) {
	certs := map[string]*x509.Certificate{}
	for _, name := range []string{"test-a", "test-b", "test-c", "dcc-p256", "dcc-p384"} {
		data, err := os.ReadFile(filepath.Join(credVectorDir, "keys", name+".crt"))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(data)
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs[name] = cert
	}
	ours := map[string]bool{"bad_prefix": true, "bad_encoding": true, "bad_compression": true, "too_large": true,
		"bad_cose": true, "bad_claims": true, "algorithm_unsupported": true, "kid_missing": true, "signature_invalid": true,
		"update_required": true}
	checked := 0
	for name, v := range readCredVectors(t, "invalid") {
		// A body date is implausible only against the signing time plus
		// the verifier's clock skew: the verifier judges it (layer dates).
		if v.ExpectedStatus != "invalid" || !ours[v.ExpectedReason] || v.Layer == "dates" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			s, err := credential.Decode(credential.Normalize(v.Text))
			if err == nil {
				var cert *x509.Certificate
				for _, e := range v.Trust {
					sum := sha256.Sum256(certs[e.Cert].Raw)
					if bytes.Equal(sum[:8], s.KID) {
						cert = certs[e.Cert]
					}
				}
				if cert == nil {
					t.Fatalf("decoded, and kid %x names no trusted certificate; want %s", s.KID, v.ExpectedReason)
				}
				err = s.Verify(cert.PublicKey)
				if errors.Is(err, credential.ErrSignature) {
					err = &credential.Error{Reason: "signature_invalid", Message: "signature"}
				}
			}
			if err == nil {
				_, err = s.Claims()
			}
			if err == nil {
				t.Fatalf("every layer accepted it; want %s", v.ExpectedReason)
			}
			if got := credential.ReasonOf(err); string(got) != v.ExpectedReason {
				t.Errorf("reason %q (%v), want %q", got, err, v.ExpectedReason)
			}
		})
		checked++
	}
	if checked < 40 {
		t.Errorf("only %d vectors checked at the credential layer", checked)
	}
}
