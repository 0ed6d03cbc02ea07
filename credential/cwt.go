package credential

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passport/internal/strictcbor"
	"passport/internal/wire"
)

// BodyClaimKey is the private-use CWT claim (RFC 8392 §9.1: keys below
// -65536 are private use) that holds the passport body.
const BodyClaimKey = wire.BodyClaimKey

// decMode reads a staff passport's claims: a closed format (an unknown
// field is an error), within the claims limits, no tags.
var decMode = strictcbor.DecMode(strictcbor.Limits{Nesting: MaxNesting, ArrayElements: MaxArrayElements,
	MapPairs: MaxMapPairs, RefuseUnknownFields: true})

func datePtr(d Date) *int64 {
	if d.IsZero() {
		return nil
	}
	n := d.Days()
	return &n
}

func dateFrom(p *int64) Date {
	if p == nil {
		return Date{}
	}
	return DateFromDays(*p)
}

// MarshalClaims encodes claims as deterministic CBOR (the COSE payload), in
// the body version the claims carry: 1 for the closed version-1 schema,
// 2 or later for the open one (SchemaVersion is what issuers write).
func MarshalClaims(c *Claims) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return MarshalClaimsUnvalidated(c)
}

func marshalBody(b *Body) ([]byte, error) {
	if b.Version == 1 {
		return wire.Enc.Marshal(bodyV1(b))
	}
	w := wire.Body{Version: int64(b.Version), Extra: b.extra,
		Person: wire.Person{Name: b.Person.Name, LatinName: b.Person.LatinName, DateOfBirth: datePtr(b.Person.DateOfBirth),
			StaffNumber: b.Person.StaffNumber, Registration: b.Person.Registration, Extra: b.Person.extra},
		Employment: wire.Employment{OrgCode: b.Employment.OrgCode, OrgName: b.Employment.OrgName, Role: b.Employment.Role,
			StaffGroup: b.Employment.StaffGroup, Start: datePtr(b.Employment.Start), Extra: b.Employment.extra}}
	for _, k := range b.Crit {
		w.Crit = append(w.Crit, int64(k))
	}
	for _, ch := range b.Checks {
		lvl, _ := levelToID(ch.Type.Levels(), ch.Type.LevelName(), ch.Level)
		w.Checks = append(w.Checks, wire.Item{Code: int64(ch.Type), Outcome: int64(ch.Outcome), Date: ch.Done.Days(),
			Expires: datePtr(ch.Expires), Level: int64(lvl), Extra: ch.extra})
	}
	for _, t := range b.Training {
		lvl, _ := levelToID(t.Subject.Levels(), t.Subject.LevelName(), t.Level)
		w.Training = append(w.Training, wire.Item{Code: int64(t.Subject), Date: t.Completed.Days(),
			Expires: datePtr(t.Expires), Level: int64(lvl), Extra: t.extra})
	}
	out, err := wire.MarshalBody(&w)
	if err != nil {
		return nil, newError(ReasonBadClaims, "the passport body cannot be encoded", err)
	}
	return out, nil
}

func bodyV1(b *Body) wire.BodyV1 {
	w := wire.BodyV1{Version: b.Version,
		Person: wire.PersonV1{Name: b.Person.Name, LatinName: b.Person.LatinName, DateOfBirth: datePtr(b.Person.DateOfBirth),
			StaffNumber: b.Person.StaffNumber, Registration: b.Person.Registration},
		Employment: wire.EmploymentV1{OrgCode: b.Employment.OrgCode, OrgName: b.Employment.OrgName, Role: b.Employment.Role,
			StaffGroup: b.Employment.StaffGroup, Start: datePtr(b.Employment.Start)}}
	for _, ch := range b.Checks {
		w.Checks = append(w.Checks, wire.CheckV1{Type: int(ch.Type), Outcome: int(ch.Outcome), Done: ch.Done.Days(),
			Expires: datePtr(ch.Expires), Level: ch.Level})
	}
	for _, t := range b.Training {
		w.Training = append(w.Training, wire.TrainingV1{Subject: int(t.Subject), Completed: t.Completed.Days(), Expires: datePtr(t.Expires)})
	}
	return w
}

// levelToID maps a level code to its wire number: a registry code, or the
// "NAME_N" form that an unrecognised level N of a newer version decodes to.
func levelToID(list []LevelDef, name, code string) (int, bool) {
	if code == "" {
		return 0, true
	}
	if l, ok := findLevel(list, code); ok {
		return l.ID, true
	}
	var n int
	if _, err := fmt.Sscanf(code, levelWord(name)+"_%d", &n); err == nil && n > 0 && code == levelCode(name, n) {
		return n, true
	}
	return 0, false
}

func levelWord(name string) string {
	if name == "" || name == "clearance" {
		return "level"
	}
	return name
}

// levelCode is the code shown for level n: the registry's, or NAME_N.
func levelCode(name string, n int) string { return fmt.Sprintf("%s_%d", levelWord(name), n) }

// UnmarshalClaims decodes a COSE payload into claims. It is strict: unknown
// top-level claims, duplicate keys, indefinite lengths, tags, trailing bytes
// and a non-deterministic encoding are all errors, so that a signed payload
// has exactly one reading. A version-1 body is closed (an unknown key or
// code is an error); a body of version 2 or later keeps what it does not
// know (see Body.Unrecognised) unless the issuer marked it must-understand.
func UnmarshalClaims(payload []byte) (*Claims, error) {
	c, err := StagedClaims(payload)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// StagedClaims decodes a COSE payload as UnmarshalClaims does, in two
// stages, for a verifier that judges the fixed claims (iss, exp, nbf, iat,
// cti), which every body version shares, before the body:
//
//   - nil and an error: the payload or its fixed claims are refused;
//   - claims and an error: the fixed claims are sound but the body is
//     refused (malformed, or a must-understand key this version does not
//     know); only the fixed fields are set, Body is zero;
//   - claims and no error: everything decoded, as from UnmarshalClaims.
//
// So a passport that is both expired and newer than this verifier can
// still be judged expired.
func StagedClaims(payload []byte) (*Claims, error) {
	if len(payload) > MaxInflatedLen {
		return nil, newError(ReasonTooLarge, fmt.Sprintf("claims are %d bytes, over the %d-byte limit", len(payload), MaxInflatedLen), nil)
	}
	var w wire.Claims
	if err := decMode.Unmarshal(payload, &w); err != nil {
		return nil, newError(ReasonBadClaims, "the claims are not a valid passport", err)
	}
	if len(w.Body) == 0 {
		return nil, newError(ReasonBadClaims, "the claims hold no passport body (claim -65537)", nil)
	}
	c := &Claims{Issuer: w.Iss, Expires: time.Unix(w.Exp, 0).UTC(), NotBefore: time.Unix(w.Nbf, 0).UTC(),
		IssuedAt: time.Unix(w.Iat, 0).UTC(), ID: w.Cti}
	if err := c.validateFixed(); err != nil {
		return nil, err
	}
	top := &Claims{Issuer: c.Issuer, Expires: c.Expires, NotBefore: c.NotBefore, IssuedAt: c.IssuedAt, ID: c.ID}
	var bm map[int64]cbor.RawMessage
	err := decMode.Unmarshal(w.Body, &bm)
	var version int64
	if err == nil {
		version, err = wire.BodyVersionOf(decMode, bm)
	}
	if err != nil {
		if cerr := canonical(payload); cerr != nil {
			return nil, cerr
		}
		return top, newError(ReasonBadClaims, "the passport body is malformed", err)
	}
	if version == 1 {
		err = decodeV1(w.Body, &c.Body)
	} else if version >= 2 && version <= MaxBodyVersion {
		err = decodeV2(bm, &c.Body)
	} else {
		err = newError(ReasonBadClaims, fmt.Sprintf("passport body version %d is not one of 1 to %d", version, MaxBodyVersion), nil)
	}
	if err == nil {
		// The typed claims must encode back to exactly the payload: this
		// pins the shape (omitted defaults, array lengths) as well as the
		// encoding of everything typed, since the encoder writes only the
		// deterministic form.
		var again []byte
		if again, err = MarshalClaims(c); err == nil && !bytes.Equal(again, payload) {
			return nil, newError(ReasonBadClaims, "the claims are not deterministically encoded", nil)
		}
	}
	// Items of a newer version are kept raw and re-encoded verbatim, so
	// their encoding is checked on its own: decode the payload generically,
	// re-encode, compare. A payload whose body is refused gets the same
	// check first: a non-deterministic payload is refused as a whole.
	if err != nil || c.Body.hasRaw() {
		if cerr := canonical(payload); cerr != nil {
			return nil, cerr
		}
	}
	if err != nil {
		return top, err
	}
	return c, nil
}

// hasRaw reports whether the body holds items kept raw (of a newer version).
func (b *Body) hasRaw() bool {
	if len(b.extra) > 0 || len(b.Person.extra) > 0 || len(b.Employment.extra) > 0 {
		return true
	}
	for _, ch := range b.Checks {
		if len(ch.extra) > 0 {
			return true
		}
	}
	for _, t := range b.Training {
		if len(t.extra) > 0 {
			return true
		}
	}
	return false
}

// canonical checks that payload is the core deterministic encoding of itself.
func canonical(payload []byte) error {
	var v any
	if err := decMode.Unmarshal(payload, &v); err != nil {
		return newError(ReasonBadClaims, "the claims are not a valid passport", err)
	}
	again, err := wire.Enc.Marshal(v)
	if err != nil || !bytes.Equal(again, payload) {
		return newError(ReasonBadClaims, "the claims are not deterministically encoded", err)
	}
	return nil
}

func decodeV1(raw []byte, b *Body) error {
	var w wire.BodyV1
	if err := decMode.Unmarshal(raw, &w); err != nil {
		return newError(ReasonBadClaims, "the claims are not a valid passport", err)
	}
	*b = Body{Version: w.Version,
		Person: Person{Name: w.Person.Name, LatinName: w.Person.LatinName, DateOfBirth: dateFrom(w.Person.DateOfBirth),
			StaffNumber: w.Person.StaffNumber, Registration: w.Person.Registration},
		Employment: Employment{OrgCode: w.Employment.OrgCode, OrgName: w.Employment.OrgName, Role: w.Employment.Role,
			StaffGroup: w.Employment.StaffGroup, Start: dateFrom(w.Employment.Start)}}
	for _, ch := range w.Checks {
		b.Checks = append(b.Checks, Check{Type: CheckType(ch.Type), Outcome: Outcome(ch.Outcome), Done: DateFromDays(ch.Done),
			Expires: dateFrom(ch.Expires), Level: ch.Level})
	}
	for _, t := range w.Training {
		b.Training = append(b.Training, Training{Subject: Subject(t.Subject), Completed: DateFromDays(t.Completed), Expires: dateFrom(t.Expires)})
	}
	return nil
}

func decodeV2(m map[int64]cbor.RawMessage, b *Body) error {
	w, err := wire.DecodeBodyMap(decMode, m)
	if err != nil {
		return newError(ReasonBadClaims, "the passport body is malformed", err)
	}
	*b = Body{Version: int(w.Version), extra: w.Extra,
		Person: Person{Name: w.Person.Name, LatinName: w.Person.LatinName, DateOfBirth: dateFrom(w.Person.DateOfBirth),
			StaffNumber: w.Person.StaffNumber, Registration: w.Person.Registration, extra: w.Person.Extra},
		Employment: Employment{OrgCode: w.Employment.OrgCode, OrgName: w.Employment.OrgName, Role: w.Employment.Role,
			StaffGroup: w.Employment.StaffGroup, Start: dateFrom(w.Employment.Start), extra: w.Employment.Extra}}
	for _, k := range w.Crit {
		if k < -1<<31 || k > 1<<31-1 {
			return newError(ReasonBadClaims, fmt.Sprintf("crit lists key %d, out of range", k), nil)
		}
		b.Crit = append(b.Crit, int(k))
	}
	for _, it := range w.Checks {
		ch := Check{Type: CheckType(it.Code), Outcome: Outcome(it.Outcome), Done: DateFromDays(it.Date), Expires: dateFrom(it.Expires), extra: it.Extra}
		ch.Level = idToLevel(ch.Type.Levels(), ch.Type.LevelName(), it.Level)
		b.Checks = append(b.Checks, ch)
	}
	for _, it := range w.Training {
		t := Training{Subject: Subject(it.Code), Completed: DateFromDays(it.Date), Expires: dateFrom(it.Expires), extra: it.Extra}
		t.Level = idToLevel(t.Subject.Levels(), t.Subject.LevelName(), it.Level)
		b.Training = append(b.Training, t)
	}
	return nil
}

func idToLevel(list []LevelDef, name string, id int64) string {
	if id == 0 {
		return ""
	}
	if l, ok := levelByID(list, int(id)); ok {
		return l.Code
	}
	return levelCode(name, int(id))
}

// knownBodyKeys are the body keys of the newest version this package knows.
var knownBodyKeys = []int{wire.KeyVersion, wire.KeyPerson, wire.KeyEmployment, wire.KeyChecks, wire.KeyTraining, wire.KeyCrit}

// maxDays bounds dates to years 1900..2200: anything outside is a mistake or
// an attack on date arithmetic, never a real check.
const (
	minDays = -25567 // 1900-01-01
	maxDays = 84006  // 2200-01-01
)

// Validate checks that claims are complete and internally consistent.
func (c *Claims) Validate() error {
	if c.Body.Version < 1 || c.Body.Version > MaxBodyVersion {
		return newError(ReasonBadClaims, fmt.Sprintf("passport body version %d is not one of 1 to %d", c.Body.Version, MaxBodyVersion), nil)
	}
	if err := c.validateFixed(); err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		return newError(ReasonBadClaims, fmt.Sprintf(format, a...), nil)
	}
	switch {
	case c.Body.Person.Name == "":
		return bad("the person's name is missing")
	case c.Body.Person.StaffNumber == "":
		return bad("the staff number is missing")
	}
	var err error
	if c.Body.Version == 1 {
		err = c.Body.validateV1()
	} else {
		err = c.Body.validateV2()
	}
	if err != nil {
		return err
	}
	dates := []Date{c.Body.Person.DateOfBirth, c.Body.Employment.Start}
	for _, ch := range c.Body.Checks {
		dates = append(dates, ch.Done, ch.Expires)
	}
	for _, t := range c.Body.Training {
		dates = append(dates, t.Completed, t.Expires)
	}
	for _, d := range dates {
		if !d.IsZero() && (d.Days() < minDays || d.Days() > maxDays) {
			return bad("date %d is outside the years 1900-2200", d.Days())
		}
	}
	return checkStrings(c)
}

// validateFixed checks the top-level claims every body version shares:
// present, in range and in order.
func (c *Claims) validateFixed() error {
	bad := func(format string, a ...any) error {
		return newError(ReasonBadClaims, fmt.Sprintf(format, a...), nil)
	}
	switch {
	case c.Issuer == "":
		return bad("the issuer (iss) is missing")
	case len(c.Issuer) > MaxStringLen:
		return newError(ReasonTooLarge, fmt.Sprintf("a text field is %d bytes, over the %d-byte limit", len(c.Issuer), MaxStringLen), nil)
	case len(c.ID) != 16:
		return bad("the credential id (cti) must be 16 bytes, not %d", len(c.ID))
	case c.IssuedAt.IsZero() || c.NotBefore.IsZero() || c.Expires.IsZero():
		return bad("the issue and validity dates are required")
	case !c.Expires.After(c.NotBefore):
		return bad("the passport expires (%s) before it becomes valid (%s)", c.Expires.Format(time.DateOnly), c.NotBefore.Format(time.DateOnly))
	case !c.Expires.After(c.IssuedAt):
		// Within the clock skew of both, a passport that expired before it
		// was issued would otherwise pass the time checks.
		return bad("the passport expires (%s) before it was issued (%s)", c.Expires.Format(time.RFC3339), c.IssuedAt.Format(time.RFC3339))
	}
	for _, t := range []time.Time{c.IssuedAt, c.NotBefore, c.Expires} {
		if d := floorDiv(t.Unix(), 86400); d < minDays || d > maxDays {
			return bad("date %d is outside the years 1900-2200", t.Unix())
		}
	}
	return nil
}

// validateV1 keeps version 1 closed: every code must be known, and there
// is nowhere to put anything else.
func (b *Body) validateV1() error {
	bad := func(format string, a ...any) error {
		return newError(ReasonBadClaims, fmt.Sprintf(format, a...), nil)
	}
	if len(b.Crit) > 0 || len(b.extra) > 0 || len(b.Person.extra) > 0 || len(b.Employment.extra) > 0 {
		return bad("a version-1 passport body has no crit list and no extra fields")
	}
	for i, ch := range b.Checks {
		if !ch.Type.Known() {
			return bad("check %d has unknown type %d", i+1, int(ch.Type))
		}
		if !ch.Outcome.Known() {
			return bad("check %d (%s) has unknown outcome %d", i+1, ch.Type, int(ch.Outcome))
		}
		if len(ch.extra) > 0 {
			return bad("check %d has extra fields, which version 1 does not have", i+1)
		}
		if !levelV1(ch) {
			return bad("check %d (%s) has level %q, which version 1 does not have: its only levels are the DBS level codes", i+1, ch.Type, ch.Level)
		}
	}
	for i, t := range b.Training {
		if !t.Subject.Known() || t.Subject.since() > 1 {
			return bad("training %d has unknown subject %d", i+1, int(t.Subject))
		}
		if t.Level != "" || len(t.extra) > 0 {
			return bad("training %d has a level or extra fields, which version 1 does not have", i+1)
		}
	}
	return nil
}

// levelV1 reports whether a version-1 check's level is one the first
// release could write: none, or a DBS level as its exact registry code.
// Levels of other check types (occupational health clearance kinds) came
// with version 2, so a version-1 body carrying one was not made by any
// released issuer and must not be read as if version 2 had defined it.
func levelV1(ch Check) bool {
	if ch.Level == "" {
		return true
	}
	if ch.Type != CheckDBS {
		return false
	}
	l, ok := findLevel(ch.Type.Levels(), ch.Level)
	return ok && l.Code == ch.Level
}

// validateV2 applies the forward-compatible rules: unknown codes are kept
// (never 0 or negative: those were never assigned), levels must be
// encodable, and every must-understand key must be present and known.
func (b *Body) validateV2() error {
	bad := func(format string, a ...any) error {
		return newError(ReasonBadClaims, fmt.Sprintf(format, a...), nil)
	}
	for i, ch := range b.Checks {
		if ch.Type < 1 || ch.Outcome < 1 {
			return bad("check %d has type %d and outcome %d; both start at 1", i+1, int(ch.Type), int(ch.Outcome))
		}
		if _, ok := levelToID(ch.Type.Levels(), ch.Type.LevelName(), ch.Level); !ok {
			return bad("check %d (%s) has unknown level %q", i+1, ch.Type, ch.Level)
		}
	}
	for i, t := range b.Training {
		if t.Subject < 1 {
			return bad("training %d has subject %d; subjects start at 1", i+1, int(t.Subject))
		}
		if _, ok := levelToID(t.Subject.Levels(), t.Subject.LevelName(), t.Level); !ok {
			return bad("training %d (%s) has unknown level %q", i+1, t.Subject, t.Level)
		}
	}
	return b.checkCrit()
}

// checkCrit: crit is sorted, without repeats, names keys present in the
// body, and each must be one this version understands (RFC 9052 §3.1 crit).
func (b *Body) checkCrit() error {
	var unknown []int
	for i, k := range b.Crit {
		if i > 0 && k <= b.Crit[i-1] {
			return newError(ReasonBadClaims, "the must-understand list (crit) is not sorted without repeats", nil)
		}
		if slices.Contains(knownBodyKeys, k) {
			if !b.hasKnownKey(k) {
				return newError(ReasonBadClaims, fmt.Sprintf("the must-understand list (crit) names key %d, which the body does not hold", k), nil)
			}
			continue
		}
		if _, ok := b.extra[int64(k)]; !ok {
			return newError(ReasonBadClaims, fmt.Sprintf("the must-understand list (crit) names key %d, which the body does not hold", k), nil)
		}
		unknown = append(unknown, k)
	}
	if len(unknown) > 0 {
		return newError(ReasonUpdateRequired, fmt.Sprintf(
			"this passport (body version %d) holds fields %v that its issuer marked must-understand and this verifier (version %d) does not know: update the verifier to read it; it is not a sign of forgery or damage",
			b.Version, unknown, SchemaVersion), nil)
	}
	return nil
}

func (b *Body) hasKnownKey(k int) bool {
	switch k {
	case wire.KeyChecks:
		return len(b.Checks) > 0
	case wire.KeyTraining:
		return len(b.Training) > 0
	case wire.KeyCrit:
		return len(b.Crit) > 0
	}
	return true // version, person, employment are always present
}

func (s Subject) since() int {
	if d, ok := subjectDef(s); ok {
		return d.Since
	}
	return 0
}

// checkStrings bounds every string field.
func checkStrings(c *Claims) error {
	var err error
	walkStrings(reflect.ValueOf(c).Elem(), func(s string) {
		if err == nil && len(s) > MaxStringLen {
			err = newError(ReasonTooLarge, fmt.Sprintf("a text field is %d bytes, over the %d-byte limit", len(s), MaxStringLen), nil)
		}
	})
	return err
}

func walkStrings(v reflect.Value, f func(string)) {
	switch v.Kind() {
	case reflect.String:
		f(v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), f)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := 0; i < v.Len(); i++ {
				walkStrings(v.Index(i), f)
			}
		}
	}
}

var errNoPayload = errors.New("the COSE message has no payload")

// floorDiv rounds toward minus infinity, so dates before 1970 land on the
// right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// MarshalClaimsUnvalidated encodes claims exactly as MarshalClaims does
// but without Validate, so that a test-vector generator can sign claims a
// verifier must refuse. Issuers must use MarshalClaims.
func MarshalClaimsUnvalidated(c *Claims) ([]byte, error) {
	body, err := marshalBody(&c.Body)
	if err != nil {
		return nil, err
	}
	return wire.Enc.Marshal(wire.Claims{Iss: c.Issuer, Exp: c.Expires.Unix(), Nbf: c.NotBefore.Unix(),
		Iat: c.IssuedAt.Unix(), Cti: c.ID, Body: body})
}
