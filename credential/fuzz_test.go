package credential

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// FuzzDecode: any text either fails with a reason code or decodes to a
// structure whose claims (if they parse) re-encode to the same bytes.
func FuzzDecode(f *testing.F) {
	// Seeds: every valid vector's text (signed by the generator; this
	// package has no signing code).
	files, _ := filepath.Glob("../fixtures/vectors/valid/*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var v struct{ Text string }
		if err := json.Unmarshal(data, &v); err != nil || v.Text == "" {
			f.Fatalf("%s: no text: %v", name, err)
		}
		f.Add(v.Text)
	}
	f.Add("SP1:")
	f.Add("HC1:NCFOXN%TS3DH")
	f.Fuzz(func(t *testing.T, s string) {
		sg, err := Decode(s)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if c, err := sg.Claims(); err == nil {
			b, err := MarshalClaims(c)
			if err != nil || !bytes.Equal(b, sg.Payload()) {
				t.Fatalf("claims do not re-encode identically: %v", err)
			}
		}
	})
}

// FuzzBase45: decode∘encode is the identity and decoding is canonical.
func FuzzBase45(f *testing.F) {
	f.Add("BB8")
	f.Add("%69 VD92EX0")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Base45Decode(s)
		if err != nil {
			return
		}
		if Base45Encode(b) != s {
			t.Fatalf("non-canonical base45 accepted: %q", s)
		}
	})
}

// FuzzClaims: the CBOR claims decoder never panics and is canonical.
func FuzzClaims(f *testing.F) {
	good, _ := MarshalClaims(sampleClaims())
	f.Add(good)
	v1 := sampleClaims()
	v1.Body.Version = 1
	old, _ := MarshalClaims(v1)
	f.Add(old)
	// A later version's body: unknown codes, fields, elements and a crit list.
	future := sampleClaims()
	future.Body.Version = 3
	future.Body.extra = map[int64]cbor.RawMessage{6: {0x01}}
	future.Body.Crit = []int{3}
	future.Body.Person.extra = map[int64]cbor.RawMessage{9: {0x60}}
	future.Body.Checks = append(future.Body.Checks, Check{Type: 7, Outcome: 3, Done: NewDate(2025, 1, 1), Level: "level_2", extra: []cbor.RawMessage{{0xf5}}})
	future.Body.Training[0].Level = "level_5"
	if b, err := MarshalClaims(future); err == nil {
		f.Add(b)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := UnmarshalClaims(b)
		if err != nil {
			return
		}
		again, err := MarshalClaims(c)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted claims that do not re-encode identically")
		}
	})
}
