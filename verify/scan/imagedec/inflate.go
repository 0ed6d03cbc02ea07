package imagedec

// A DEFLATE (RFC 1951) decoder for a stream held in memory whose decompressed
// size is known: the IDAT data of an 8-bit grey PNG. Knowing both ends lets it
// load input 8 bytes at a time into a 64-bit bit buffer and write output straight
// into the caller's buffer, where compress/flate and klauspost/compress read a
// byte at a time through an interface and copy out of a 32 KiB window. It rejects
// exactly the streams compress/flate rejects (FuzzInflate holds it to that).

import (
	"encoding/binary"
	"errors"
	"io"
	"sync"
)

var errInflateCorrupt = errors.New("flate: corrupt input")

// errInflateFull is returned when the stream holds more data than the buffer.
var errInflateFull = errors.New("too much pixel data")

const (
	litBits  = 10 // primary table bits of the literal/length code
	distBits = 8  // of the distance code
	clenBits = 7  // of the code length code (its codes are at most 7 bits)
)

// A huffTable decodes one Huffman code: entries hold symbol<<4 | code length, or
// for codes longer than the primary table, linkFlag | subtable offset<<4 | the
// subtable's index bits. A zero entry is a bit pattern no code uses.
type huffTable struct {
	bits int
	tab  []uint32
}

const linkFlag = 1 << 31

// init builds the table for code lengths lens, with compress/flate's rules: the
// code must be complete, except for a single code of length one; an empty code
// is accepted, and fails if it is ever used.
func (h *huffTable) init(lens []uint8, primary int) bool {
	var count [16]int
	maxLen := 0
	for _, n := range lens {
		if n != 0 {
			count[n]++
			maxLen = max(maxLen, int(n))
		}
	}
	h.bits = primary
	size := 1 << primary
	if cap(h.tab) < size {
		h.tab = make([]uint32, size, size*2)
	}
	h.tab = h.tab[:size]
	clear(h.tab)
	if maxLen == 0 {
		return true
	}
	var next [16]int
	code := 0
	for n := 1; n <= maxLen; n++ {
		code = (code + count[n-1]) << 1
		next[n] = code
	}
	if total := next[maxLen] + count[maxLen]; total != 1<<maxLen && !(total == 1 && maxLen == 1) {
		return false
	}
	sub := max(maxLen-primary, 0)
	for sym, n := range lens {
		if n == 0 {
			continue
		}
		rev := reverseBits(next[n], int(n))
		next[n]++
		e := uint32(sym)<<4 | uint32(n)
		if int(n) <= primary {
			for i := rev; i < size; i += 1 << n {
				h.tab[i] = e
			}
			continue
		}
		// A long code: its first primary bits select a subtable of 2^sub entries.
		p := rev & (size - 1)
		link := h.tab[p]
		if link == 0 {
			link = linkFlag | uint32(len(h.tab))<<4 | uint32(sub)
			h.tab[p] = link
			h.tab = append(h.tab, make([]uint32, 1<<sub)...)
		}
		base := int(link>>4) & 0x7ffffff
		for i := rev >> primary; i < 1<<sub; i += 1 << (int(n) - primary) {
			h.tab[base+i] = e
		}
	}
	return true
}

func reverseBits(code, n int) int {
	r := 0
	for range n {
		r = r<<1 | code&1
		code >>= 1
	}
	return r
}

// inflater holds the bit buffer over in: bits holds nb unread bits, loaded from
// in up to pos (bytes past the end of in read as zeros and counted in over).
type inflater struct {
	in   []byte
	pos  int
	bits uint64
	nb   uint
	out  []byte
	op   int
	lit  huffTable
	dist huffTable
	clen huffTable
	lens [286 + 30]uint8
	// progress, when set, is called with op after each block, so a consumer can
	// work on the output that back-references can no longer reach.
	progress func(op int)
}

// refill tops the bit buffer up to at least 56 bits.
func (f *inflater) refill() {
	if f.pos+8 <= len(f.in) {
		f.bits |= binary.LittleEndian.Uint64(f.in[f.pos:]) << f.nb
		f.pos += int(63-f.nb) >> 3
		f.nb |= 56
		return
	}
	for f.nb <= 56 {
		if f.pos < len(f.in) {
			f.bits |= uint64(f.in[f.pos]) << f.nb
		}
		f.pos++
		f.nb += 8
	}
}

// overrun reports whether the decoder has used bits past the end of its input.
func (f *inflater) overrun() bool { return f.pos*8-int(f.nb) > len(f.in)*8 }

// take removes and returns n bits (n ≤ the bits buffered).
func (f *inflater) take(n uint) int {
	v := int(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nb -= n
	return v
}

// inflate decodes the stream in into out, which it must fill exactly, and returns
// the bytes of in the stream used.
func inflate(in, out []byte, progress func(int)) (int, error) {
	f := &inflater{in: in, out: out, progress: progress}
	for final := false; !final; {
		f.refill()
		if f.overrun() {
			return 0, io.ErrUnexpectedEOF
		}
		final = f.take(1) == 1
		var err error
		switch f.take(2) {
		case 0:
			err = f.stored()
		case 1:
			fixedOnce.Do(initFixed)
			err = f.block(&fixedLit, &fixedDist)
		case 2:
			if err = f.dynamicTables(); err == nil {
				err = f.block(&f.lit, &f.dist)
			}
		default:
			err = errInflateCorrupt
		}
		if err != nil {
			return 0, err
		}
		if f.progress != nil {
			f.progress(f.op)
		}
	}
	if f.op != len(f.out) {
		return 0, errors.New("not enough pixel data")
	}
	return (f.pos*8 - int(f.nb) + 7) / 8, nil
}

func (f *inflater) stored() error {
	f.take(f.nb % 8)
	// Hand back the whole bytes still buffered and read the rest from in.
	f.pos -= int(f.nb / 8)
	f.bits, f.nb = 0, 0
	if f.pos+4 > len(f.in) {
		return io.ErrUnexpectedEOF
	}
	n := int(binary.LittleEndian.Uint16(f.in[f.pos:]))
	if uint16(n) != ^binary.LittleEndian.Uint16(f.in[f.pos+2:]) {
		return errInflateCorrupt
	}
	f.pos += 4
	if f.pos+n > len(f.in) {
		return io.ErrUnexpectedEOF
	}
	if f.op+n > len(f.out) {
		return errInflateFull
	}
	f.op += copy(f.out[f.op:], f.in[f.pos:f.pos+n])
	f.pos += n
	return nil
}

// clenOrder is the order code length code lengths are stored in (RFC 1951 3.2.7).
var clenOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicTables reads a dynamic block's code lengths and builds its tables.
func (f *inflater) dynamicTables() error {
	f.refill()
	nlit, ndist, nclen := f.take(5)+257, f.take(5)+1, f.take(4)+4
	if nlit > 286 || ndist > 30 {
		return errInflateCorrupt
	}
	var clens [19]uint8
	for i := range nclen {
		if f.nb < 3 {
			f.refill()
		}
		clens[clenOrder[i]] = uint8(f.take(3))
	}
	if !f.clen.init(clens[:], clenBits) {
		return errInflateCorrupt
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		f.refill()
		if f.overrun() {
			return io.ErrUnexpectedEOF
		}
		e := f.clen.tab[f.bits&(1<<clenBits-1)]
		if e&15 == 0 {
			return errInflateCorrupt
		}
		f.take(uint(e & 15))
		sym := int(e >> 4)
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return errInflateCorrupt
			}
			rep, v = 3+f.take(2), lens[i-1]
		case 17:
			rep = 3 + f.take(3)
		default:
			rep = 11 + f.take(7)
		}
		if i+rep > len(lens) {
			return errInflateCorrupt
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if !f.lit.init(lens[:nlit], litBits) || !f.dist.init(lens[nlit:], distBits) {
		return errInflateCorrupt
	}
	return nil
}

var (
	fixedOnce           sync.Once
	fixedLit, fixedDist huffTable
)

func initFixed() {
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	fixedLit.init(lens[:], litBits)
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	fixedDist.init(d[:], distBits)
}

// Lengths and distances of symbols 257–285 and 0–29: base and extra bits.
var (
	lenBase   = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra  = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// refillAt is refill for block's local copy of the bit buffer; it returns a
// negative position once the decoder has read well past the end of its input.
func (f *inflater) refillAt(pos int, bits uint64, nb uint) (int, uint64, uint) {
	f.pos, f.bits, f.nb = pos, bits, nb
	f.refill()
	if f.pos > len(f.in)+16 && f.overrun() {
		return -1, 0, 0
	}
	return f.pos, f.bits, f.nb
}

// block decodes a Huffman-coded block up to its end-of-block symbol. The bit
// buffer lives in locals, which the compiler keeps in registers (no closure or
// defer may capture them), and is refilled only when the next step could need
// more than it holds: 15 bits for a symbol, 33 for the rest of a match
// (5 + 15 + 13). The fast refill is written out twice for the same reason.
func (f *inflater) block(lit, dist *huffTable) error {
	out, op := f.out, f.op
	in, pos, bits, nb := f.in, f.pos, f.bits, f.nb
	ltab, lbits := lit.tab, uint(lit.bits)
	dtab, dbits := dist.tab, uint(dist.bits)
	for {
		if nb < 15 {
			if pos+8 <= len(in) {
				bits |= binary.LittleEndian.Uint64(in[pos:]) << nb
				pos += int(63-nb) >> 3
				nb |= 56
			} else if pos, bits, nb = f.refillAt(pos, bits, nb); pos < 0 {
				return io.ErrUnexpectedEOF
			}
		}
		e := ltab[int(bits)&(1<<lbits-1)]
		if e&linkFlag != 0 {
			e = ltab[int(e>>4&0x7ffffff)+int(bits>>lbits)&(1<<(e&15)-1)]
		}
		n := uint(e & 15)
		if n == 0 {
			return errInflateCorrupt
		}
		bits >>= n
		nb -= n
		sym := int(e >> 4)
		if sym < 256 {
			if op >= len(out) {
				return errInflateFull
			}
			out[op] = byte(sym)
			op++
			continue
		}
		if sym == 256 {
			f.op, f.pos, f.bits, f.nb = op, pos, bits, nb
			if f.overrun() {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if sym > 285 {
			return errInflateCorrupt
		}
		if nb < 33 {
			if pos+8 <= len(in) {
				bits |= binary.LittleEndian.Uint64(in[pos:]) << nb
				pos += int(63-nb) >> 3
				nb |= 56
			} else if pos, bits, nb = f.refillAt(pos, bits, nb); pos < 0 {
				return io.ErrUnexpectedEOF
			}
		}
		x := uint(lenExtra[sym-257])
		length := int(lenBase[sym-257]) + int(bits&(1<<x-1))
		bits >>= x
		nb -= x
		e = dtab[int(bits)&(1<<dbits-1)]
		if e&linkFlag != 0 {
			e = dtab[int(e>>4&0x7ffffff)+int(bits>>dbits)&(1<<(e&15)-1)]
		}
		n = uint(e & 15)
		d := int(e >> 4)
		if n == 0 || d >= 30 {
			return errInflateCorrupt
		}
		bits >>= n
		nb -= n
		x = uint(distExtra[d])
		distance := int(distBase[d]) + int(bits&(1<<x-1))
		bits >>= x
		nb -= x
		if distance > op {
			return errInflateCorrupt
		}
		if op+length > len(out) {
			return errInflateFull
		}
		// An overlapping match repeats its last distance bytes: copy them once,
		// then double the copied run (a run of white is distance 1, length 258).
		k := copy(out[op:op+length], out[op-distance:op])
		for k < length {
			k += copy(out[op+k:op+length], out[op:op+k])
		}
		op += length
	}
}
