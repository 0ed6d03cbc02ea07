package credential_test

import (
	"bytes"
	"testing"

	"passport/credential"
)

// TestVectorPayloadsReencode: every credential the vectors accept, of any
// body version (including the "future" ones with items this version does
// not know), decodes and re-encodes to the very bytes that were signed:
// nothing unknown is dropped, nothing is added.
func TestVectorPayloadsReencode(t *testing.T) {
	n, future := 0, 0
	for _, sub := range []string{"valid", "invalid"} {
		for name, v := range readCredVectors(t, sub) {
			if v.ExpectedStatus != "valid" {
				continue
			}
			s, err := credential.Decode(credential.Normalize(v.Text))
			if err != nil || s.Prefix != credential.Prefix {
				continue
			}
			c, err := credential.UnmarshalClaims(s.Payload())
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			again, err := credential.MarshalClaims(c)
			if err != nil || !bytes.Equal(again, s.Payload()) {
				t.Errorf("%s: re-encodes differently (%v)", name, err)
			}
			if len(c.Body.Unrecognised()) > 0 {
				future++
			}
			n++
		}
	}
	if n < 40 || future < 6 {
		t.Errorf("checked %d payloads, %d with unrecognised items: too few", n, future)
	}
}

// TestIssuersWriteVersion2: new claims are version 2, and a version-1
// passport keeps decoding as version 1.
func TestIssuersWriteVersion2(t *testing.T) {
	if credential.SchemaVersion != 2 {
		t.Fatalf("SchemaVersion %d", credential.SchemaVersion)
	}
	v := readCredVectors(t, "valid")["basic"]
	s, err := credential.Decode(v.Text)
	if err != nil {
		t.Fatal(err)
	}
	c, err := credential.UnmarshalClaims(s.Payload())
	if err != nil || c.Body.Version != 1 || c.Body.Checks[1].Level != "enhanced_barred" || !c.Body.Checks[1].Known() {
		t.Fatalf("v1 vector: %+v, %v", c, err)
	}
	c.Body.Version = 2
	v2, err := credential.MarshalClaims(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := credential.UnmarshalClaims(v2)
	if err != nil || back.Body.Version != 2 || back.Body.Checks[1].Level != "enhanced_barred" || back.Body.Checks[1].LevelLabel() == "enhanced_barred" {
		t.Fatalf("v2 round trip: %+v, %v", back, err)
	}
	if len(v2) >= len(s.Payload()) {
		t.Errorf("version 2 payload %d bytes, version 1 %d: levels as numbers should be smaller", len(v2), len(s.Payload()))
	}
}
