package wire

import (
	"github.com/fxamacker/cbor/v2"
)

// MarshalBody encodes a version-2 body deterministically. Extra keys are
// written verbatim; an Extra key that collides with a known key is an error.
func MarshalBody(b *Body) ([]byte, error) {
	m := map[int64]any{KeyVersion: b.Version}
	p, err := withExtra(personMap(&b.Person), b.Person.Extra, 5)
	if err != nil {
		return nil, err
	}
	m[KeyPerson] = p
	e, err := withExtra(employmentMap(&b.Employment), b.Employment.Extra, 5)
	if err != nil {
		return nil, err
	}
	m[KeyEmployment] = e
	if len(b.Checks) > 0 {
		m[KeyChecks] = items(b.Checks, true)
	}
	if len(b.Training) > 0 {
		m[KeyTraining] = items(b.Training, false)
	}
	if len(b.Crit) > 0 {
		m[KeyCrit] = b.Crit
	}
	all, err := withExtra(m, b.Extra, KeyCrit)
	if err != nil {
		return nil, err
	}
	return Enc.Marshal(all)
}

// withExtra adds extra keys to m; keys 0 to lastKnown belong to the
// known schema (present or not) and may not be extra.
func withExtra(m map[int64]any, extra map[int64]cbor.RawMessage, lastKnown int64) (map[int64]any, error) {
	for k, v := range extra {
		if k >= 0 && k <= lastKnown {
			return nil, shape("extra key %d is a known key", k)
		}
		m[k] = v
	}
	return m, nil
}

func personMap(p *Person) map[int64]any {
	m := map[int64]any{1: p.Name, 4: p.StaffNumber}
	putString(m, 2, p.LatinName)
	if p.DateOfBirth != nil {
		m[3] = *p.DateOfBirth
	}
	putString(m, 5, p.Registration)
	return m
}

func employmentMap(e *Employment) map[int64]any {
	m := map[int64]any{1: e.OrgCode, 2: e.OrgName, 3: e.Role}
	putString(m, 4, e.StaffGroup)
	if e.Start != nil {
		m[5] = *e.Start
	}
	return m
}

func putString(m map[int64]any, k int64, s string) {
	if s != "" {
		m[k] = s
	}
}

// items writes checks (with an outcome) or training subjects (without),
// leaving out a trailing level 0 when nothing follows it.
func items(list []Item, outcome bool) [][]any {
	out := make([][]any, 0, len(list))
	for _, it := range list {
		a := []any{it.Code}
		if outcome {
			a = append(a, it.Outcome)
		}
		if it.Expires != nil {
			a = append(a, it.Date, *it.Expires)
		} else {
			a = append(a, it.Date, nil)
		}
		if it.Level != 0 || len(it.Extra) > 0 {
			a = append(a, it.Level)
		}
		for _, x := range it.Extra {
			a = append(a, x)
		}
		out = append(out, a)
	}
	return out
}

// DecodeBody reads a version-2 (or later) body. It checks shape only:
// types of known keys, array lengths, a written default. Meaning
// (known codes, crit, dates) is the caller's business.
func DecodeBody(dm cbor.DecMode, raw []byte) (*Body, error) {
	var m map[int64]cbor.RawMessage
	if err := dm.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return DecodeBodyMap(dm, m)
}

// DecodeBodyMap is DecodeBody on a body already decoded to its top-level
// map (as BodyVersionOf reads it), so the map is decoded once.
func DecodeBodyMap(dm cbor.DecMode, m map[int64]cbor.RawMessage) (*Body, error) {
	b := &Body{}
	if err := field(dm, m, KeyVersion, &b.Version, true); err != nil {
		return nil, err
	}
	var pm, em map[int64]cbor.RawMessage
	if err := field(dm, m, KeyPerson, &pm, true); err != nil {
		return nil, err
	}
	if err := field(dm, m, KeyEmployment, &em, true); err != nil {
		return nil, err
	}
	var checks, training []cbor.RawMessage
	if err := field(dm, m, KeyChecks, &checks, false); err != nil {
		return nil, err
	}
	if err := field(dm, m, KeyTraining, &training, false); err != nil {
		return nil, err
	}
	if err := field(dm, m, KeyCrit, &b.Crit, false); err != nil {
		return nil, err
	}
	var err error
	if b.Person, err = decodePerson(dm, pm); err != nil {
		return nil, err
	}
	if b.Employment, err = decodeEmployment(dm, em); err != nil {
		return nil, err
	}
	if b.Checks, err = decodeItems(dm, checks, true); err != nil {
		return nil, err
	}
	if b.Training, err = decodeItems(dm, training, false); err != nil {
		return nil, err
	}
	b.Extra = rest(m, KeyVersion, KeyPerson, KeyEmployment, KeyChecks, KeyTraining, KeyCrit)
	return b, nil
}

// field decodes m[k] into v; a missing key is an error only when need is set.
func field(dm cbor.DecMode, m map[int64]cbor.RawMessage, k int64, v any, need bool) error {
	raw, ok := m[k]
	if !ok {
		if need {
			return shape("key %d is missing", k)
		}
		return nil
	}
	if err := dm.Unmarshal(raw, v); err != nil {
		return shape("key %d: %v", k, err)
	}
	return nil
}

// rest is m without the known keys, or nil when nothing is left.
func rest(m map[int64]cbor.RawMessage, known ...int64) map[int64]cbor.RawMessage {
	present := 0
	for _, k := range known {
		if _, ok := m[k]; ok {
			present++
		}
	}
	if present == len(m) {
		return nil // the usual case: nothing unknown, nothing to copy
	}
	out := map[int64]cbor.RawMessage{}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range known {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func decodePerson(dm cbor.DecMode, m map[int64]cbor.RawMessage) (Person, error) {
	var p Person
	for _, f := range []struct {
		k    int64
		v    any
		need bool
	}{{1, &p.Name, true}, {2, &p.LatinName, false}, {3, &p.DateOfBirth, false}, {4, &p.StaffNumber, true}, {5, &p.Registration, false}} {
		if err := field(dm, m, f.k, f.v, f.need); err != nil {
			return p, shape("person: %v", err)
		}
	}
	p.Extra = rest(m, 1, 2, 3, 4, 5)
	return p, nil
}

func decodeEmployment(dm cbor.DecMode, m map[int64]cbor.RawMessage) (Employment, error) {
	var e Employment
	for _, f := range []struct {
		k    int64
		v    any
		need bool
	}{{1, &e.OrgCode, true}, {2, &e.OrgName, true}, {3, &e.Role, true}, {4, &e.StaffGroup, false}, {5, &e.Start, false}} {
		if err := field(dm, m, f.k, f.v, f.need); err != nil {
			return e, shape("employment: %v", err)
		}
	}
	e.Extra = rest(m, 1, 2, 3, 4, 5)
	return e, nil
}

func decodeItems(dm cbor.DecMode, raws []cbor.RawMessage, outcome bool) ([]Item, error) {
	what, fixed := "training", 3
	if outcome {
		what, fixed = "check", 4
	}
	var out []Item
	for i, raw := range raws {
		var a []cbor.RawMessage
		if err := dm.Unmarshal(raw, &a); err != nil || len(a) < fixed {
			return nil, shape("%s %d is not an array of at least %d elements", what, i+1, fixed)
		}
		var it Item
		targets := []any{&it.Code, &it.Date, &it.Expires}
		if outcome {
			targets = []any{&it.Code, &it.Outcome, &it.Date, &it.Expires}
		}
		if len(a) > fixed {
			targets = append(targets, &it.Level)
		}
		for j, t := range targets {
			if err := dm.Unmarshal(a[j], t); err != nil {
				return nil, shape("%s %d, element %d: %v", what, i+1, j+1, err)
			}
		}
		if len(a) > fixed+1 {
			it.Extra = a[fixed+1:]
		}
		if it.Level < 0 {
			return nil, shape("%s %d has a negative level", what, i+1)
		}
		out = append(out, it)
	}
	return out, nil
}
