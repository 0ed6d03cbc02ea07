package strictcbor

import (
	"strings"
	"testing"
)

type doc struct {
	A int      `cbor:"1,keyasint"`
	B []string `cbor:"2,keyasint"`
}

func TestDecMode(t *testing.T) {
	base := Limits{Nesting: 4, ArrayElements: 16, MapPairs: 16}
	closed := base
	closed.RefuseUnknownFields = true
	tags := base
	tags.AllowTags = true
	for _, tc := range []struct {
		name    string
		limits  Limits
		hex     string // the CBOR input
		wantErr string
	}{
		{"valid", base, "a2 01 05 02 81 61 78", ""},
		{"duplicate key", base, "a2 01 05 01 06", "duplicate map key"},
		{"indefinite length", base, "bf 01 05 ff", "indefinite-length"},
		{"invalid UTF-8", base, "a1 02 81 61 ff", "invalid UTF-8"},
		{"tag refused", base, "a1 01 c1 05", "tag"},
		{"tag allowed where the kind needs it", tags, "a1 01 c1 05", ""},
		{"array over the limit", base, "a1 02 91" + strings.Repeat(" 61 78", 17), "max number of elements"},
		{"unknown key kept open", base, "a2 01 05 03 05", ""},
		{"unknown key in a closed format", closed, "a2 01 05 03 05", "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := DecMode(tc.limits).Unmarshal(fromHex(t, tc.hex), &d)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestSignedInts(t *testing.T) {
	var v any
	if err := DecMode(Limits{Nesting: 4, ArrayElements: 16, MapPairs: 16, SignedInts: true}).Unmarshal([]byte{0x05}, &v); err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(int64); !ok {
		t.Fatalf("an integer decoded as %T, want int64", v)
	}
}

func TestLimitsBelowTheLibrarysMinimumPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("limits below the library's minimum were accepted")
		}
	}()
	DecMode(Limits{Nesting: 1, ArrayElements: 1, MapPairs: 1})
}

func fromHex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	for _, f := range strings.Fields(s) {
		var x byte
		for _, c := range f {
			x <<= 4
			switch {
			case c >= '0' && c <= '9':
				x |= byte(c - '0')
			default:
				x |= byte(c-'a') + 10
			}
		}
		b = append(b, x)
	}
	return b
}
