package trust

import (
	"bytes"
	"errors"
	"fmt"
)

// checkDeterministic reports whether data is one CBOR data item in the
// core deterministic encoding of RFC 8949 §4.2.1: every head as short as
// its argument allows, definite lengths, map keys in strictly ascending
// bytewise order of their encodings, no tags, no floating-point values
// (none of our formats has one, so none can be written two ways), and
// nothing after the item. It walks the bytes without decoding, so it
// covers keys this version does not know: a signed bundle or statement has
// exactly one encoding, whatever it carries. Nesting is bounded by the
// decoder, which reads data first.
func checkDeterministic(data []byte) error {
	end, err := walkItem(data, 0, 0)
	if err != nil {
		return err
	}
	if end != len(data) {
		return fmt.Errorf("%d bytes after the data item", len(data)-end)
	}
	return nil
}

// maxWalkDepth bounds walkItem's recursion should it meet data the
// decoder did not limit first.
const maxWalkDepth = 16

// walkItem checks the item at data[off:] and returns the offset after it.
func walkItem(data []byte, off, depth int) (int, error) {
	if depth > maxWalkDepth {
		return 0, errors.New("nested too deeply")
	}
	if off >= len(data) {
		return 0, errors.New("cut short")
	}
	major, ai := data[off]>>5, data[off]&0x1f
	off++
	var arg uint64
	switch {
	case ai < 24:
		arg = uint64(ai)
	case ai <= 27:
		n := 1 << (ai - 24)
		if len(data)-off < n {
			return 0, errors.New("cut short")
		}
		for _, b := range data[off : off+n] {
			arg = arg<<8 | uint64(b)
		}
		off += n
		if major == 7 {
			if ai == 24 && arg < 32 {
				return 0, errors.New("a simple value in two bytes that fits in one")
			}
			if ai > 24 {
				return 0, errors.New("a floating-point value: none is allowed")
			}
			return off, nil
		}
		// The shortest head: a 1-byte argument only from 24, 2 bytes
		// only above 0xff, and so on.
		if min := [...]uint64{24, 1 << 8, 1 << 16, 1 << 32}[ai-24]; arg < min {
			return 0, errors.New("not the shortest encoding of a number or length")
		}
	default:
		return 0, errors.New("an indefinite length or reserved value")
	}
	switch major {
	case 0, 1, 7:
		return off, nil
	case 2, 3:
		if uint64(len(data)-off) < arg {
			return 0, errors.New("cut short")
		}
		return off + int(arg), nil
	case 4:
		for range arg {
			var err error
			if off, err = walkItem(data, off, depth+1); err != nil {
				return 0, err
			}
		}
		return off, nil
	case 5:
		var prev []byte
		for i := uint64(0); i < arg; i++ {
			start := off
			var err error
			if off, err = walkItem(data, off, depth+1); err != nil {
				return 0, err
			}
			key := data[start:off]
			if prev != nil && bytes.Compare(prev, key) >= 0 {
				return 0, errors.New("map keys out of order or repeated")
			}
			prev = key
			if off, err = walkItem(data, off, depth+1); err != nil {
				return 0, err
			}
		}
		return off, nil
	}
	return 0, errors.New("a tag: none is allowed")
}

// head reads the head of the item at data[off:]: its major type, argument
// and the offset of its content. data has passed checkDeterministic.
func head(data []byte, off int) (major byte, arg uint64, next int) {
	major, ai := data[off]>>5, data[off]&0x1f
	off++
	if ai < 24 {
		return major, uint64(ai), off
	}
	n := 1 << (ai - 24)
	for _, b := range data[off : off+n] {
		arg = arg<<8 | uint64(b)
	}
	return major, arg, off + n
}

// appendHead appends the shortest head of a major type and argument.
func appendHead(out []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(out, m|byte(arg))
	case arg <= 0xff:
		return append(out, m|24, byte(arg))
	case arg <= 0xffff:
		return append(out, m|25, byte(arg>>8), byte(arg))
	case arg <= 0xffffffff:
		return append(out, m|26, byte(arg>>24), byte(arg>>16), byte(arg>>8), byte(arg))
	}
	return append(out, m|27, byte(arg>>56), byte(arg>>48), byte(arg>>40), byte(arg>>32), byte(arg>>24), byte(arg>>16), byte(arg>>8), byte(arg))
}

// keepKnown returns the map at data[off:] without the pairs whose key is
// not an unsigned integer in known; inner, when set, rewrites the value of
// a kept key. data has passed checkDeterministic, so the kept pairs stay in
// order and the result is the deterministic encoding of what remains.
func keepKnown(data []byte, off int, known map[uint64]bool, inner func(key uint64, val []byte) ([]byte, error)) ([]byte, int, error) {
	major, n, p := head(data, off)
	if major != 5 {
		return nil, 0, errors.New("not a map")
	}
	var body []byte
	kept := uint64(0)
	for range n {
		ks := p
		kmajor, key, _ := head(data, p)
		var err error
		if p, err = walkItem(data, p, 0); err != nil {
			return nil, 0, err
		}
		vs := p
		if p, err = walkItem(data, p, 0); err != nil {
			return nil, 0, err
		}
		if kmajor != 0 || !known[key] {
			continue
		}
		val := data[vs:p]
		if inner != nil {
			if val, err = inner(key, val); err != nil {
				return nil, 0, err
			}
		}
		body = append(append(body, data[ks:vs]...), val...)
		kept++
	}
	return append(appendHead(nil, 5, kept), body...), p, nil
}

// knownBundlePart is the bundle payload with every key this version does
// not know left out, at the top level and in each issuer entry: what the
// typed decoding must re-encode to exactly.
func knownBundlePart(payload []byte) ([]byte, error) {
	out, _, err := keepKnown(payload, 0, knownBundleKeys, func(key uint64, val []byte) ([]byte, error) {
		if key != 4 {
			return val, nil
		}
		major, n, p := head(val, 0)
		if major != 4 {
			return val, nil // not an array: the typed decoding refuses it
		}
		arr := appendHead(nil, 4, n)
		for range n {
			if val[p]>>5 != 5 {
				return val, nil
			}
			entry, next, err := keepKnown(val, p, knownIssuerKeys, nil)
			if err != nil {
				return nil, err
			}
			arr = append(arr, entry...)
			p = next
		}
		return arr, nil
	})
	return out, err
}
