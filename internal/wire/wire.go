// Package wire holds the staff passport's CBOR wire structures (CWT claims
// and the passport body, versions 1 and 2) and nothing else: no validation,
// no meaning. The credential codec and the test-vector generator both use
// it, so the vectors are made from the very structs the codec reads.
// docs/format.md §1.5-§1.9 is the specification.
package wire

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// BodyClaimKey is the private-use CWT claim (RFC 8392 §9.1) holding the body.
const BodyClaimKey = -65537

// Body keys of version 2 and later. Keys above KeyCrit are reserved for
// later versions: a reader keeps them raw.
const (
	KeyVersion    = 0
	KeyPerson     = 1
	KeyEmployment = 2
	KeyChecks     = 3
	KeyTraining   = 4
	KeyCrit       = 5 // must-understand body keys (the COSE crit idea, RFC 9052 §3.1)
)

// Enc is the core deterministic encoding (RFC 8949 §4.2.1): one encoding per value.
var Enc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// Claims are the CWT claims. The body stays raw until its version is known.
type Claims struct {
	Iss  string          `cbor:"1,keyasint"`
	Exp  int64           `cbor:"4,keyasint"`
	Nbf  int64           `cbor:"5,keyasint"`
	Iat  int64           `cbor:"6,keyasint"`
	Cti  []byte          `cbor:"7,keyasint"`
	Body cbor.RawMessage `cbor:"-65537,keyasint"`
}

// BodyV1 is version 1 of the body: a closed schema, decoded strictly.
type BodyV1 struct {
	Version    int          `cbor:"0,keyasint"`
	Person     PersonV1     `cbor:"1,keyasint"`
	Employment EmploymentV1 `cbor:"2,keyasint"`
	Checks     []CheckV1    `cbor:"3,keyasint,omitempty"`
	Training   []TrainingV1 `cbor:"4,keyasint,omitempty"`
}

// PersonV1 is the version-1 holder map.
type PersonV1 struct {
	Name         string `cbor:"1,keyasint"`
	LatinName    string `cbor:"2,keyasint,omitempty"`
	DateOfBirth  *int64 `cbor:"3,keyasint,omitempty"`
	StaffNumber  string `cbor:"4,keyasint"`
	Registration string `cbor:"5,keyasint,omitempty"`
}

// EmploymentV1 is the version-1 employment map.
type EmploymentV1 struct {
	OrgCode    string `cbor:"1,keyasint"`
	OrgName    string `cbor:"2,keyasint"`
	Role       string `cbor:"3,keyasint"`
	StaffGroup string `cbor:"4,keyasint,omitempty"`
	Start      *int64 `cbor:"5,keyasint,omitempty"`
}

// CheckV1 is the array [type, outcome, done, expires / null, level / ""].
type CheckV1 struct {
	_       struct{} `cbor:",toarray"`
	Type    int
	Outcome int
	Done    int64
	Expires *int64
	Level   string
}

// TrainingV1 is the array [subject, completed, expires / null].
type TrainingV1 struct {
	_         struct{} `cbor:",toarray"`
	Subject   int
	Completed int64
	Expires   *int64
}

// Body is version 2 (and, read forward-compatibly, any later version): an
// open map whose unknown keys are kept raw in Extra.
type Body struct {
	Version    int64
	Person     Person
	Employment Employment
	Checks     []Item
	Training   []Item
	Crit       []int64
	Extra      map[int64]cbor.RawMessage
}

// Person is the holder map; unknown keys are kept raw in Extra.
type Person struct {
	Name, LatinName           string
	DateOfBirth               *int64
	StaffNumber, Registration string
	Extra                     map[int64]cbor.RawMessage
}

// Employment is the employment map; unknown keys are kept raw in Extra.
type Employment struct {
	OrgCode, OrgName, Role, StaffGroup string
	Start                              *int64
	Extra                              map[int64]cbor.RawMessage
}

// Item is a check [type, outcome, done, expires / null, ? level, * extra]
// or a training subject [subject, completed, expires / null, ? level,
// * extra]. Code is the type or subject; Outcome is unused (0) for
// training. Level 0 means none and, like every trailing default, is not
// written unless later elements follow.
type Item struct {
	Code    int64
	Outcome int64
	Date    int64
	Expires *int64
	Level   int64
	Extra   []cbor.RawMessage
}

// ErrShape is wrapped by every structural decoding error of this package.
var ErrShape = errors.New("malformed passport body")

func shape(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrShape, fmt.Sprintf(format, a...))
}

// BodyVersion reads key 0 of a raw body map without decoding the rest.
func BodyVersion(dm cbor.DecMode, raw []byte) (int64, error) {
	var m map[int64]cbor.RawMessage
	if err := dm.Unmarshal(raw, &m); err != nil {
		return 0, err
	}
	return BodyVersionOf(dm, m)
}

// BodyVersionOf reads key 0 of a body decoded to its top-level map.
func BodyVersionOf(dm cbor.DecMode, m map[int64]cbor.RawMessage) (int64, error) {
	v, ok := m[KeyVersion]
	if !ok {
		return 0, shape("the body has no version (key 0)")
	}
	var n int64
	if err := dm.Unmarshal(v, &n); err != nil {
		return 0, shape("the body version is not an integer")
	}
	return n, nil
}
