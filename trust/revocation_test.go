package trust_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passport/trust"
)

// TestBundleRevocationsRoundTrip: reasons and start times survive
// encoding; key 6 appears only when some revocation carries them.
func TestBundleRevocationsRoundTrip(t *testing.T) {
	b := testBundle(t)
	plain, err := trust.MarshalBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[int]cbor.RawMessage
	if err := cbor.Unmarshal(plain, &keys); err != nil || len(keys) != 5 {
		t.Fatalf("a bundle without reasons has keys %v (%v), want 1-5 only", keys, err)
	}
	b.Revocations = []trust.RevokedEntry{
		{ID: bytes.Repeat([]byte{1}, 16), Revocation: trust.Revocation{Reason: 1, From: testNow}},
		{ID: []byte("URN:UVCI:01:DE:X"), Revocation: trust.Revocation{Reason: 3}},
		{ID: bytes.Repeat([]byte{2}, 16), Revocation: trust.Revocation{From: testNow.AddDate(0, 0, 30)}},
	}
	data, err := trust.MarshalBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := trust.UnmarshalBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Revocations) != 3 {
		t.Fatalf("revocations %+v", got.Revocations)
	}
	for i, r := range got.Revocations {
		w := b.Revocations[i]
		if !bytes.Equal(r.ID, w.ID) || r.Reason != w.Reason || !r.From.Equal(w.From) {
			t.Errorf("revocation %d: %+v, want %+v", i, r, w)
		}
	}
	if c := got.Revocations[0].ReasonCode(); c != "superseded" {
		t.Errorf("reason code %q", c)
	}
}

func TestBundleRevocationsValidate(t *testing.T) {
	id := bytes.Repeat([]byte{9}, 16)
	for name, tc := range map[string]struct {
		rs   []trust.RevokedEntry
		want string
	}{
		"neither reason nor time": {[]trust.RevokedEntry{{ID: id}}, "neither a reason nor a time"},
		"negative reason":         {[]trust.RevokedEntry{{ID: id, Revocation: trust.Revocation{Reason: -1}}}, "reasons are 1 or more"},
		"twice in key 6":          {[]trust.RevokedEntry{{ID: id, Revocation: trust.Revocation{Reason: 1}}, {ID: id, Revocation: trust.Revocation{Reason: 2}}}, "listed twice"},
		"also in key 5":           {[]trust.RevokedEntry{{ID: nil, Revocation: trust.Revocation{Reason: 1}}}, "0 bytes"},
		"before 1970":             {[]trust.RevokedEntry{{ID: id, Revocation: trust.Revocation{Reason: 1, From: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}}}, "1970-9999"},
	} {
		t.Run(name, func(t *testing.T) {
			b := testBundle(t)
			b.Revocations = tc.rs
			if err := b.Validate(); !errors.Is(err, trust.ErrBundleMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	b := testBundle(t)
	b.Revocations = []trust.RevokedEntry{{ID: b.Revoked[0], Revocation: trust.Revocation{Reason: 2}}}
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("an id in keys 5 and 6: %v", err)
	}
	// Reason 0 written out is a second encoding of "no reason": refused.
	good := testBundle(t)
	good.Revocations = []trust.RevokedEntry{{ID: id, Revocation: trust.Revocation{From: testNow}}}
	data, err := trust.MarshalBundle(good)
	if err != nil {
		t.Fatal(err)
	}
	var m map[int]any
	if err := cbor.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m[6] = []any{map[int]any{1: id, 2: 0, 3: testNow.Unix()}}
	em, _ := cbor.CoreDetEncOptions().EncMode()
	bad, _ := em.Marshal(m)
	if _, err := trust.UnmarshalBundle(bad); !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("reason 0 written out: %v", err)
	}
}

func TestReadRevokedList(t *testing.T) {
	in := "# export 2027-03\n" +
		"cc83d995ff202126efced4a0fcca498a\n" +
		"5d6c7b8a99a8b7c6d5e4f30201102f3e,superseded,2027-03-03T10:15:00Z\n" +
		"URN:UVCI:01:DE:187/37512422923, Withdrawn-for-cause\n" +
		"0f1e2d3c4b5a69788796a5b4c3d2e1f0,left employment,2027-03-31\n" +
		"00000000000000000000000000000001,,2027-04-01\n"
	plain, detailed, err := trust.ReadRevokedList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 1 || len(detailed) != 4 {
		t.Fatalf("plain %q, detailed %+v", plain, detailed)
	}
	want := []struct {
		code string
		from string
	}{{"superseded", "2027-03-03T10:15:00Z"}, {"withdrawn_for_cause", ""}, {"left_employment", "2027-03-31T00:00:00Z"}, {"", "2027-04-01T00:00:00Z"}}
	for i, w := range want {
		from := ""
		if !detailed[i].From.IsZero() {
			from = detailed[i].From.UTC().Format(time.RFC3339)
		}
		if detailed[i].ReasonCode() != w.code || from != w.from {
			t.Errorf("line %d: %s from %q, want %s from %q", i+3, detailed[i].ReasonCode(), from, w.code, w.from)
		}
	}
	if string(detailed[1].ID) != "URN:UVCI:01:DE:187/37512422923" {
		t.Errorf("DCC id %q", detailed[1].ID)
	}
	for _, bad := range []string{"cc83d995ff202126efced4a0fcca498a,moved\n", "cc83d995ff202126efced4a0fcca498a,lost,yesterday\n", "a,lost,2027-01-01,x\n"} {
		if _, _, err := trust.ReadRevokedList(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := trust.ReadRevokedIDs(strings.NewReader(in)); err == nil {
		t.Error("ReadRevokedIDs dropped reasons silently")
	}
}

// TestRevocationAppliesAt: a revocation applies from its time on.
func TestRevocationAppliesAt(t *testing.T) {
	r := trust.Revocation{Reason: 2, From: testNow}
	if r.AppliesAt(testNow.Add(-time.Second)) || !r.AppliesAt(testNow) || !r.AppliesAt(testNow.AddDate(1, 0, 0)) {
		t.Fatal("AppliesAt does not switch at From")
	}
	if !(trust.Revocation{}).AppliesAt(time.Unix(0, 0)) {
		t.Fatal("a revocation without a time does not apply from the start")
	}
}
