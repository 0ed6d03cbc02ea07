package credential

import (
	"errors"
	"fmt"
)

// base45 as specified in RFC 9285.

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var base45Value [256]int8

func init() {
	for i := range base45Value {
		base45Value[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		base45Value[base45Alphabet[i]] = int8(i)
	}
}

// Base45Encode encodes b as base45 (RFC 9285 §4).
func Base45Encode(b []byte) string {
	out := make([]byte, 0, (len(b)/2)*3+2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[(n/45)%45], base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[n/45])
	}
	return string(out)
}

var errBase45Length = errors.New("length leaves a single dangling character")

// errBase45Final: the last two characters encode more than a byte, which is
// what a text cut inside a group of three leaves.
var errBase45Final = errors.New("the final two characters encode more than 255")

// Base45Decode decodes a base45 string strictly (RFC 9285 §4.2): characters
// outside the alphabet, a dangling character, and triplets or pairs whose
// value overflows are errors, so every byte string has exactly one encoding.
func Base45Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errBase45Length
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		end := min(i+3, len(s))
		n, f := 0, 1
		for j := i; j < end; j++ {
			v := base45Value[s[j]]
			if v < 0 {
				return nil, fmt.Errorf("character %q at position %d is not in the base45 alphabet", s[j], j)
			}
			n += int(v) * f
			f *= 45
		}
		if end-i == 3 {
			if n > 0xFFFF {
				return nil, fmt.Errorf("characters %d-%d encode %d, over 65535", i, end-1, n)
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xFF {
				return nil, fmt.Errorf("%w (%d)", errBase45Final, n)
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}
