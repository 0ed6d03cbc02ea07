package credential

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// BodyClaimKey is the private-use CWT claim (RFC 8392 §9.1: keys below
// -65536 are private use) that holds the passport body.
const BodyClaimKey = -65537

// The wire structs map the claims onto small integer keys (docs/format.md
// has the table). Optional dates are pointers so that "absent" is distinct
// from 1970-01-01.

type wireClaims struct {
	Iss  string   `cbor:"1,keyasint"`
	Exp  int64    `cbor:"4,keyasint"`
	Nbf  int64    `cbor:"5,keyasint"`
	Iat  int64    `cbor:"6,keyasint"`
	Cti  []byte   `cbor:"7,keyasint"`
	Body wireBody `cbor:"-65537,keyasint"`
}

type wireBody struct {
	Version    int            `cbor:"0,keyasint"`
	Person     wirePerson     `cbor:"1,keyasint"`
	Employment wireEmployment `cbor:"2,keyasint"`
	Checks     []wireCheck    `cbor:"3,keyasint,omitempty"`
	Training   []wireTraining `cbor:"4,keyasint,omitempty"`
}

type wirePerson struct {
	Name         string `cbor:"1,keyasint"`
	LatinName    string `cbor:"2,keyasint,omitempty"`
	DateOfBirth  *int64 `cbor:"3,keyasint,omitempty"`
	StaffNumber  string `cbor:"4,keyasint"`
	Registration string `cbor:"5,keyasint,omitempty"`
}

type wireEmployment struct {
	OrgCode    string `cbor:"1,keyasint"`
	OrgName    string `cbor:"2,keyasint"`
	Role       string `cbor:"3,keyasint"`
	StaffGroup string `cbor:"4,keyasint,omitempty"`
	Start      *int64 `cbor:"5,keyasint,omitempty"`
}

// A check is the array [type, outcome, done, expires / null, level / ""].
type wireCheck struct {
	_       struct{} `cbor:",toarray"`
	Type    int
	Outcome int
	Done    int64
	Expires *int64
	Level   string
}

// A training subject is the array [subject, completed, expires / null].
type wireTraining struct {
	_         struct{} `cbor:",toarray"`
	Subject   int
	Completed int64
	Expires   *int64
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	// Core deterministic encoding (RFC 8949 §4.2.1): one encoding per value.
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		MaxNestedLevels:   MaxNesting,
		MaxArrayElements:  MaxArrayElements,
		MaxMapPairs:       MaxMapPairs,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		UTF8:              cbor.UTF8RejectInvalid,
		TagsMd:            cbor.TagsForbidden,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

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

// MarshalClaims encodes claims as deterministic CBOR (the COSE payload).
func MarshalClaims(c *Claims) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	w := wireClaims{
		Iss: c.Issuer, Exp: c.Expires.Unix(), Nbf: c.NotBefore.Unix(), Iat: c.IssuedAt.Unix(), Cti: c.ID,
		Body: wireBody{
			Version: c.Body.Version,
			Person: wirePerson{
				Name: c.Body.Person.Name, LatinName: c.Body.Person.LatinName,
				DateOfBirth: datePtr(c.Body.Person.DateOfBirth), StaffNumber: c.Body.Person.StaffNumber,
				Registration: c.Body.Person.Registration,
			},
			Employment: wireEmployment{
				OrgCode: c.Body.Employment.OrgCode, OrgName: c.Body.Employment.OrgName,
				Role: c.Body.Employment.Role, StaffGroup: c.Body.Employment.StaffGroup,
				Start: datePtr(c.Body.Employment.Start),
			},
		},
	}
	for _, ch := range c.Body.Checks {
		w.Body.Checks = append(w.Body.Checks, wireCheck{Type: int(ch.Type), Outcome: int(ch.Outcome),
			Done: ch.Done.Days(), Expires: datePtr(ch.Expires), Level: ch.Level})
	}
	for _, t := range c.Body.Training {
		w.Body.Training = append(w.Body.Training, wireTraining{Subject: int(t.Subject),
			Completed: t.Completed.Days(), Expires: datePtr(t.Expires)})
	}
	return encMode.Marshal(w)
}

// UnmarshalClaims decodes a COSE payload into claims. It is strict: unknown
// keys, duplicate keys, indefinite lengths, tags, trailing bytes and a
// non-deterministic encoding are all errors, so that a signed payload has
// exactly one reading.
func UnmarshalClaims(payload []byte) (*Claims, error) {
	if len(payload) > MaxInflatedLen {
		return nil, newError(ReasonTooLarge, fmt.Sprintf("claims are %d bytes, over the %d-byte limit", len(payload), MaxInflatedLen), nil)
	}
	var w wireClaims
	if err := decMode.Unmarshal(payload, &w); err != nil {
		return nil, newError(ReasonBadClaims, "the claims are not a valid passport", err)
	}
	// Deterministic encoding is part of the format: re-encode and compare.
	again, err := encMode.Marshal(w)
	if err != nil || string(again) != string(payload) {
		return nil, newError(ReasonBadClaims, "the claims are not deterministically encoded", err)
	}
	c := &Claims{
		Issuer: w.Iss, Expires: time.Unix(w.Exp, 0).UTC(), NotBefore: time.Unix(w.Nbf, 0).UTC(),
		IssuedAt: time.Unix(w.Iat, 0).UTC(), ID: w.Cti,
		Body: Body{
			Version: w.Body.Version,
			Person: Person{Name: w.Body.Person.Name, LatinName: w.Body.Person.LatinName,
				DateOfBirth: dateFrom(w.Body.Person.DateOfBirth), StaffNumber: w.Body.Person.StaffNumber,
				Registration: w.Body.Person.Registration},
			Employment: Employment{OrgCode: w.Body.Employment.OrgCode, OrgName: w.Body.Employment.OrgName,
				Role: w.Body.Employment.Role, StaffGroup: w.Body.Employment.StaffGroup,
				Start: dateFrom(w.Body.Employment.Start)},
		},
	}
	for _, ch := range w.Body.Checks {
		c.Body.Checks = append(c.Body.Checks, Check{Type: CheckType(ch.Type), Outcome: Outcome(ch.Outcome),
			Done: DateFromDays(ch.Done), Expires: dateFrom(ch.Expires), Level: ch.Level})
	}
	for _, t := range w.Body.Training {
		c.Body.Training = append(c.Body.Training, Training{Subject: Subject(t.Subject),
			Completed: DateFromDays(t.Completed), Expires: dateFrom(t.Expires)})
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// maxDays bounds dates to years 1900..2200: anything outside is a mistake or
// an attack on date arithmetic, never a real check.
const (
	minDays = -25567 // 1900-01-01
	maxDays = 84006  // 2200-01-01
)

// Validate checks that claims are complete and internally consistent.
func (c *Claims) Validate() error {
	bad := func(format string, a ...any) error {
		return newError(ReasonBadClaims, fmt.Sprintf(format, a...), nil)
	}
	switch {
	case c.Body.Version != SchemaVersion:
		return bad("passport schema version %d is not supported (this verifier reads version %d)", c.Body.Version, SchemaVersion)
	case c.Issuer == "":
		return bad("the issuer (iss) is missing")
	case len(c.ID) != 16:
		return bad("the credential id (cti) must be 16 bytes, not %d", len(c.ID))
	case c.Body.Person.Name == "":
		return bad("the person's name is missing")
	case c.Body.Person.StaffNumber == "":
		return bad("the staff number is missing")
	case c.IssuedAt.IsZero() || c.NotBefore.IsZero() || c.Expires.IsZero():
		return bad("the issue and validity dates are required")
	case !c.Expires.After(c.NotBefore):
		return bad("the passport expires (%s) before it becomes valid (%s)", c.Expires.Format(time.DateOnly), c.NotBefore.Format(time.DateOnly))
	}
	for _, t := range []time.Time{c.IssuedAt, c.NotBefore, c.Expires} {
		if d := floorDiv(t.Unix(), 86400); d < minDays || d > maxDays {
			return bad("date %d is outside the years 1900-2200", t.Unix())
		}
	}
	dates := []Date{c.Body.Person.DateOfBirth, c.Body.Employment.Start}
	for i, ch := range c.Body.Checks {
		if !ch.Type.Known() {
			return bad("check %d has unknown type %d", i+1, int(ch.Type))
		}
		if _, ok := outcomeNames[ch.Outcome]; !ok {
			return bad("check %d (%s) has unknown outcome %d", i+1, ch.Type, int(ch.Outcome))
		}
		dates = append(dates, ch.Done, ch.Expires)
	}
	for i, t := range c.Body.Training {
		if !t.Subject.Known() {
			return bad("training %d has unknown subject %d", i+1, int(t.Subject))
		}
		dates = append(dates, t.Completed, t.Expires)
	}
	for _, d := range dates {
		if !d.IsZero() && (d.Days() < minDays || d.Days() > maxDays) {
			return bad("date %d is outside the years 1900-2200", d.Days())
		}
	}
	return checkStrings(c)
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
