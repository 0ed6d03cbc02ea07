package trust_test

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"passport/trust"
)

// Forward compatibility (docs/format.md, "Reading bundles from later
// versions"): keys this version does not know are ignored, unless the
// map's crit list (key 0) names them; the encoding stays deterministic
// either way. Each case is one change to a good bundle.
func TestBundleForwardCompatible(t *testing.T) {
	good, err := trust.MarshalBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	var top map[uint64]any
	if err := cbor.Unmarshal(good, &top); err != nil {
		t.Fatal(err)
	}
	em, _ := cbor.CoreDetEncOptions().EncMode()
	edit := func(f func(m map[uint64]any)) []byte {
		var m map[uint64]any
		cbor.Unmarshal(good, &m)
		f(m)
		out, err := em.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	issuer0 := func(m map[uint64]any) map[any]any { return m[4].([]any)[0].(map[any]any) }
	cases := []struct {
		name string
		data []byte
		want error // nil: accepted, reading as the good bundle
	}{
		{"unknown optional key", edit(func(m map[uint64]any) { m[99] = "a later field" }), nil},
		{"unknown optional map", edit(func(m map[uint64]any) { m[20] = map[uint64]any{1: []byte{1, 2}} }), nil},
		{"unknown optional issuer key", edit(func(m map[uint64]any) { issuer0(m)[uint64(40)] = "0114 000 0000" }), nil},
		{"crit names known keys", edit(func(m map[uint64]any) { m[0] = []uint64{1, 4} }), nil},
		{"crit names an unknown key", edit(func(m map[uint64]any) { m[99] = 1; m[0] = []uint64{99} }), trust.ErrUpdateRequired},
		{"issuer crit names an unknown key", edit(func(m map[uint64]any) { issuer0(m)[uint64(40)] = 1; issuer0(m)[uint64(0)] = []uint64{40} }), trust.ErrUpdateRequired},
		{"unknown key with a float", edit(func(m map[uint64]any) { m[99] = 1.5 }), trust.ErrBundleMalformed},
		{"unknown key with a tag", edit(func(m map[uint64]any) { m[99] = cbor.Tag{Number: 1, Content: 0} }), trust.ErrBundleMalformed},
		{"unknown key with a null list", edit(func(m map[uint64]any) { m[99] = nil }), nil},
	}
	want, err := trust.UnmarshalBundle(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := trust.UnmarshalBundle(tc.data)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if b.Version != want.Version || len(b.Issuers) != len(want.Issuers) || len(b.Revoked) != len(want.Revoked) {
					t.Fatalf("read %+v, want %+v", b, want)
				}
				return
			}
			if !errors.Is(err, tc.want) || !errors.Is(err, trust.ErrBundleMalformed) {
				t.Fatalf("err = %v, want %v (and ErrBundleMalformed)", err, tc.want)
			}
		})
	}
	// Out of order: key 99 before key 1 is not the deterministic encoding.
	unordered := append([]byte{good[0] + 1, 0x18, 99, 0x01}, good[1:]...)
	if _, err := trust.UnmarshalBundle(unordered); !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("unknown key out of order: %v", err)
	}
}

// The vectors docs/format.md gives for the forward-compatibility rule,
// minimal bundles of version 1 without issuers or revocations.
func TestBundleForwardVectors(t *testing.T) {
	for _, tc := range []struct {
		hex  string
		want error
	}{
		// {1: 1, 2: 1800000000, 3: 1900000000, 4: [], 5: []}
		{"a50101021a6b49d200031a713fb300048005 80", nil},
		// the same with 99: "x", an optional key this version does not know
		{"a60101021a6b49d200031a713fb30004800580186361 78", nil},
		// the same with 0: [99] as well: key 99 must be understood
		{"a70081186301 0102 1a6b49d200 03 1a713fb300 0480 0580 1863 6178", trust.ErrUpdateRequired},
	} {
		data, err := hex.DecodeString(stripSpaces(tc.hex))
		if err != nil {
			t.Fatal(err)
		}
		_, err = trust.UnmarshalBundle(data)
		if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
			t.Errorf("%s: err = %v, want %v", tc.hex, err, tc.want)
		}
	}
}

func stripSpaces(s string) string {
	out := []byte{}
	for i := range len(s) {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
