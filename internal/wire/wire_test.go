package wire

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

var dm = func() cbor.DecMode {
	m, err := cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()

func TestBodyRoundTripKeepsExtras(t *testing.T) {
	exp := int64(21000)
	b := &Body{Version: 3, Crit: []int64{6},
		Person:     Person{Name: "A", StaffNumber: "1", Extra: map[int64]cbor.RawMessage{9: {0x01}}},
		Employment: Employment{OrgCode: "X", OrgName: "Y", Role: "Z"},
		Checks:     []Item{{Code: 3, Outcome: 1, Date: 20000, Level: 6}, {Code: 1, Outcome: 1, Date: 20000, Extra: []cbor.RawMessage{{0xf5}}}},
		Training:   []Item{{Code: 8, Date: 20000, Expires: &exp}},
		Extra:      map[int64]cbor.RawMessage{6: {0x60}},
	}
	raw, err := MarshalBody(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBody(dm, raw)
	if err != nil {
		t.Fatal(err)
	}
	again, err := MarshalBody(got)
	if err != nil || !bytes.Equal(raw, again) {
		t.Fatalf("round trip differs: %x vs %x (%v)", raw, again, err)
	}
	if got.Checks[1].Level != 0 || len(got.Checks[1].Extra) != 1 || got.Training[0].Level != 0 || len(got.Training[0].Extra) != 0 {
		t.Errorf("items: %+v", got.Checks)
	}
	// A level 0 with nothing after it is left out; with a later element it is written.
	if !bytes.Contains(raw, []byte{0x83, 0x08, 0x19}) || !bytes.Contains(raw, []byte{0x86, 0x01, 0x01}) {
		t.Errorf("arrays not trimmed as specified: %x", raw)
	}
	if v, err := BodyVersion(dm, raw); err != nil || v != 3 {
		t.Errorf("BodyVersion = %d, %v", v, err)
	}
}

func TestDecodeBodyShapeErrors(t *testing.T) {
	enc := func(v any) []byte { b, _ := Enc.Marshal(v); return b }
	person := map[int]any{1: "A", 4: "1"}
	emp := map[int]any{1: "X", 2: "Y", 3: "Z"}
	for name, raw := range map[string][]byte{
		"no version":        enc(map[int]any{1: person, 2: emp}),
		"no person":         enc(map[int]any{0: 2, 2: emp}),
		"short check":       enc(map[int]any{0: 2, 1: person, 2: emp, 3: []any{[]any{1, 1, 20000}}}),
		"text level":        enc(map[int]any{0: 2, 1: person, 2: emp, 3: []any{[]any{1, 1, 20000, nil, ""}}}),
		"negative level":    enc(map[int]any{0: 2, 1: person, 2: emp, 4: []any{[]any{1, 20000, nil, -1}}}),
		"person name int":   enc(map[int]any{0: 2, 1: map[int]any{1: 5, 4: "1"}, 2: emp}),
		"crit not an array": enc(map[int]any{0: 2, 1: person, 2: emp, 5: 6}),
	} {
		if _, err := DecodeBody(dm, raw); !errors.Is(err, ErrShape) {
			t.Errorf("%s: err = %v, want ErrShape", name, err)
		}
	}
	if _, err := MarshalBody(&Body{Version: 2, Extra: map[int64]cbor.RawMessage{KeyChecks: {0x80}}}); err == nil {
		t.Errorf("an extra key colliding with a known key was written")
	}
}
