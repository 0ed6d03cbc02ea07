package credential

import (
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// Unrecognised is one item of a newer format version that this version
// kept without understanding it. It is shown with its raw code, makes the
// verifier warn (WarnNotRecognised), and is never counted as met by a
// site policy.
type Unrecognised struct {
	Where string // "body", "person", "employment", "check 2", "training 3"
	What  string // for people: "check type 7", "field 9 = 0x01", "level 4"
}

func (u Unrecognised) String() string { return u.Where + ": " + u.What }

// Unrecognised lists everything in the body this version does not
// understand, in body order; nil for a version-1 body or a fully known one.
func (b *Body) Unrecognised() []Unrecognised {
	var out []Unrecognised
	add := func(where, format string, a ...any) {
		out = append(out, Unrecognised{where, fmt.Sprintf(format, a...)})
	}
	if b.Version > SchemaVersion {
		add("body", "body version %d (this verifier reads up to %d)", b.Version, SchemaVersion)
	}
	for _, f := range extraFields(b.extra) {
		add("body", "%s", f)
	}
	for _, f := range extraFields(b.Person.extra) {
		add("person", "%s", f)
	}
	for _, f := range extraFields(b.Employment.extra) {
		add("employment", "%s", f)
	}
	for i, ch := range b.Checks {
		where := fmt.Sprintf("check %d", i+1)
		if !ch.Type.Known() {
			add(where, "check type %d (%s)", int(ch.Type), ch.Type.Code())
		}
		if !ch.Outcome.Known() {
			add(where, "outcome %d (%s)", int(ch.Outcome), ch.Outcome)
		}
		if !ch.LevelKnown() {
			add(where, "level %s", ch.Level)
		}
		for j, x := range ch.extra {
			add(where, "element %d = %s", 6+j, rawShown(x))
		}
	}
	for i, t := range b.Training {
		where := fmt.Sprintf("training %d", i+1)
		if !t.Subject.Known() {
			add(where, "subject %d (%s)", int(t.Subject), t.Subject.Code())
		}
		if !t.LevelKnown() {
			add(where, "level %s", t.Level)
		}
		for j, x := range t.extra {
			add(where, "element %d = %s", 5+j, rawShown(x))
		}
	}
	return out
}

func extraFields(m map[int64]cbor.RawMessage) []string {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("field %d = %s", k, rawShown(m[k])))
	}
	return out
}

// rawShown is a raw CBOR item as hex, cut short: enough to report, never a wall of text.
func rawShown(b []byte) string {
	const max = 16
	if len(b) > max {
		return "0x" + hex.EncodeToString(b[:max]) + "…"
	}
	return "0x" + hex.EncodeToString(b)
}
