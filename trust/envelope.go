package trust

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"passport/internal/strictcbor"
)

// Limits of the COSE_Sign1 envelope (RFC 9052 §4.2) of a bundle, a
// freshness statement or a registration request, checked by
// checkEnvelope before go-cose decodes anything. go-cose decodes headers
// with the CBOR library's default limits (131,072 elements per array, any
// number of arrays), so a 60 MB protected header of zero-filled arrays
// would cost over a gigabyte before the signature could be checked; these
// bounds make every envelope cost at most its own size.
const (
	// maxProtectedHeaderBytes: ours hold alg, kid (8 bytes) and a content
	// type of about 40 characters, some 60 bytes.
	maxProtectedHeaderBytes = 1024
	// maxUnprotectedHeaderBytes: ours are empty.
	maxUnprotectedHeaderBytes = 1024
	// maxSignatureBytes: an ES256 signature is 64 bytes; 512 is an RSA-4096 one.
	maxSignatureBytes = 512
)

// envelopeDec reads headers with the smallest limits the CBOR library
// allows: a header is one flat map of a few labels.
var envelopeDec = func() cbor.DecMode {
	return strictcbor.DecMode(strictcbor.Limits{Nesting: 4, ArrayElements: 16, MapPairs: 16})
}()

// checkEnvelope bounds every size and count of a tagged COSE_Sign1 before
// it is decoded: the four-element array, a protected header of at most
// maxProtectedHeaderBytes that is one small map, an unprotected header of at
// most maxUnprotectedHeaderBytes, a payload of at most maxPayload bytes, a
// signature of at most maxSignatureBytes, nothing after it. It copies
// nothing, so a hostile file costs no more memory than its own bytes.
func checkEnvelope(data []byte, maxPayload int) error {
	if len(data) < 2 || data[0] != 0xd2 || data[1] != 0x84 { // tag 18, array(4)
		return errors.New("not a tagged COSE_Sign1 array of four elements")
	}
	off := 2
	prot, off, err := byteString(data, off, maxProtectedHeaderBytes, "protected header")
	if err != nil {
		return err
	}
	if len(prot) > 0 {
		var m map[any]cbor.RawMessage
		if err := envelopeDec.Unmarshal(prot, &m); err != nil {
			return fmt.Errorf("protected header: %v", err)
		}
	}
	var skip struct{}
	rest, err := envelopeDec.UnmarshalFirst(data[off:], &skip)
	if err != nil {
		return fmt.Errorf("unprotected header: %v", err)
	}
	if n := len(data) - off - len(rest); n > maxUnprotectedHeaderBytes {
		return fmt.Errorf("unprotected header is %d bytes, over %d", n, maxUnprotectedHeaderBytes)
	}
	if data[off]>>5 != 5 {
		return errors.New("unprotected header is not a map")
	}
	off = len(data) - len(rest)
	if _, off, err = byteString(data, off, maxPayload, "payload"); err != nil {
		return err
	}
	if _, off, err = byteString(data, off, maxSignatureBytes, "signature"); err != nil {
		return err
	}
	if off != len(data) {
		return fmt.Errorf("%d bytes after the COSE message", len(data)-off)
	}
	return nil
}

// byteString reads the CBOR byte string (major type 2, definite length) at
// data[off:] of at most limit bytes, returning it without copying and the
// offset after it.
func byteString(data []byte, off, limit int, what string) ([]byte, int, error) {
	if off >= len(data) {
		return nil, off, fmt.Errorf("%s is missing", what)
	}
	ib := data[off]
	if ib>>5 != 2 {
		return nil, off, fmt.Errorf("%s is not a byte string", what)
	}
	off++
	var n uint64
	switch ai := ib & 0x1f; {
	case ai < 24:
		n = uint64(ai)
	case ai <= 27:
		size := 1 << (ai - 24) // 1, 2, 4 or 8 bytes of length
		if len(data)-off < size {
			return nil, off, fmt.Errorf("%s is cut short", what)
		}
		for _, b := range data[off : off+size] {
			n = n<<8 | uint64(b)
		}
		off += size
	default:
		return nil, off, fmt.Errorf("%s has an indefinite or reserved length", what)
	}
	if n > uint64(limit) {
		return nil, off, fmt.Errorf("%s is %d bytes, over the %d-byte limit", what, n, limit)
	}
	if uint64(len(data)-off) < n {
		return nil, off, fmt.Errorf("%s is cut short", what)
	}
	return data[off : off+int(n)], off + int(n), nil
}
