// Package strictcbor is the one CBOR decoding configuration of the
// project. Every CBOR document we read from outside (a passport's claims,
// an EU DCC's, a trust bundle, a freshness statement, a registration
// request, a COSE header) is decoded under the same rules: a key given
// twice in a map, an indefinite length or invalid UTF-8 is refused, tags
// are refused unless a document kind needs them, and every array, map and
// nesting level is bounded by that kind's own limits, so no decoder can be
// configured looser by accident.
package strictcbor

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Limits are what one kind of document may hold; each field must be at
// least the CBOR library's minimum (4 levels, 16 elements, 16 pairs).
type Limits struct {
	Nesting       int // deepest nesting of arrays and maps
	ArrayElements int // longest array
	MapPairs      int // largest map
	// RefuseUnknownFields makes decoding into a struct fail on a map key
	// the struct does not name (a closed format); leave it off where a
	// newer writer's optional keys must be skipped.
	RefuseUnknownFields bool
	// AllowTags lets tags through (the EU DCC's dates and COSE's own); a
	// staff passport's claims and the trust formats use none.
	AllowTags bool
	// SignedInts decodes an integer into an interface value as int64 and
	// fails when it does not fit, instead of uint64 for positive numbers.
	SignedInts bool
}

// DecMode returns the decoding mode for documents within l. It panics on
// limits below the library's minimum: they are constants of the caller,
// wrong in the source, never in the input.
func DecMode(l Limits) cbor.DecMode {
	o := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		UTF8:             cbor.UTF8RejectInvalid,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  l.Nesting,
		MaxArrayElements: l.ArrayElements,
		MaxMapPairs:      l.MapPairs,
	}
	if l.RefuseUnknownFields {
		o.ExtraReturnErrors = cbor.ExtraDecErrorUnknownField
	}
	if l.AllowTags {
		o.TagsMd = cbor.TagsAllowed
	}
	if l.SignedInts {
		o.IntDec = cbor.IntDecConvertSignedOrFail
	}
	m, err := o.DecMode()
	if err != nil {
		panic(fmt.Sprintf("strictcbor: limits %+v: %v", l, err))
	}
	return m
}
