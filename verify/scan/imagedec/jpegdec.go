package imagedec

// A baseline JPEG decoder that writes the luminance of a scan straight into the
// reader's grey plane. Flatbed scanners, phones and scan-to-PDF devices save
// baseline JPEG, and image/jpeg was 80% of the reader's time on a 150-dpi
// JPEG page: it dequantizes all 64 coefficients of every block, runs the whole
// inverse DCT even where a column is empty, decodes each coefficient's Huffman
// code and its magnitude bits in two calls, and for a colour file transforms
// the two chroma planes the reader never looks at. This decoder dequantizes
// as it decodes, reads short codes and their magnitude bits with one table
// lookup, skips empty columns and rows in the IDCT (jpegidct.go), and for a
// colour file decodes the chroma blocks' bits without transforming them.
//
// It takes the common subset and nothing else: 8-bit baseline or extended
// Huffman frames (SOF0, SOF1) of one grey component, or of three YCbCr
// components in one interleaved scan with chroma at one block an MCU (4:4:4,
// 4:2:2, 4:2:0, 4:4:0). Anything else — progressive, arithmetic-coded,
// 12-bit, CMYK, RGB, several scans, a restart marker out of place, a
// coefficient outside what an 8-bit encoder can write, any damage — returns
// errJPEGFallback and the file goes to image/jpeg, which reads it or names
// what is wrong. So this decoder reads a file only when image/jpeg would, to
// the same size; its pixels differ from image/jpeg's by at most one level
// where the two inverse DCTs round differently (FuzzJPEGDecode holds it to
// that, and to never reading a file image/jpeg refuses).

import (
	"errors"
)

// errJPEGFallback says the input is not a JPEG this decoder handles; the
// caller uses image/jpeg.
var errJPEGFallback = errors.New("jpeg: left to image/jpeg")

// JPEG markers (ITU T.81 table B.1) this decoder reads.
const (
	jpegSOF0  = 0xC0 // baseline DCT, Huffman
	jpegSOF1  = 0xC1 // extended sequential DCT, Huffman
	jpegDHT   = 0xC4
	jpegRST0  = 0xD0
	jpegRST7  = 0xD7
	jpegSOI   = 0xD8
	jpegEOI   = 0xD9
	jpegSOS   = 0xDA
	jpegDQT   = 0xDB
	jpegDRI   = 0xDD
	jpegAPP0  = 0xE0
	jpegAPP14 = 0xEE
	jpegAPP15 = 0xEF
	jpegCOM   = 0xFE
)

// jpegMaxCoef bounds a dequantized coefficient. An 8-bit encoder's DC is within
// ±1024 and its AC within about ±850, plus half a quantization step; beyond
// ±4095 the file is not an 8-bit encoder's output, and image/jpeg's 32-bit
// inverse DCT would overflow where this one's does not, so such a file is
// left to image/jpeg rather than read differently.
const jpegMaxCoef = 4095

// unzigzag maps a coefficient's zig-zag index (the order of the file) to its
// row-major index in the block.
var unzigzag = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// jpegComponent is one component of the frame and its tables in the scan.
type jpegComponent struct {
	id     byte
	h, v   int // sampling factors
	tq     int // quantization table
	dc, ac int // Huffman tables, from the scan header
}

type jpegDecoder struct {
	data []byte
	pos  int

	frame     bool // an SOF was read
	baseline  bool // SOF0: Huffman table selectors are 0 or 1
	scanned   bool // the one scan was decoded
	width     int
	height    int
	nComp     int
	comp      [3]jpegComponent
	jfif      bool
	adobe     bool // an Adobe APP14 segment gave a colour transform
	transform byte

	quant    [4][64]int32 // in zig-zag order
	quantSet [4]bool
	dcTab    [4]jpegHuff
	acTab    [4]jpegHuff
	restart  int // MCUs between restart markers; 0 for none

	br bitReader
}

// decodeJPEG decodes a baseline JPEG's luminance to grey, or returns
// errJPEGFallback (ErrTooLarge is image/jpeg's to report, from the same
// header, as for every other format).
func decodeJPEG(data []byte) (*Gray, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != jpegSOI {
		return nil, errJPEGFallback
	}
	d := &jpegDecoder{data: data, pos: 2}
	return d.decode()
}

// decode reads marker segments up to EOI, as image/jpeg does: bytes between
// segments that are not a marker are skipped, and fill bytes (0xFF) before a
// marker are allowed.
func (d *jpegDecoder) decode() (*Gray, error) {
	var g *Gray
	for {
		marker, ok := d.nextMarker()
		if !ok {
			return nil, errJPEGFallback
		}
		if marker == jpegEOI {
			break
		}
		if marker >= jpegRST0 && marker <= jpegRST7 {
			continue // image/jpeg ignores a restart marker between segments
		}
		if d.pos+2 > len(d.data) {
			return nil, errJPEGFallback
		}
		n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1]) - 2
		d.pos += 2
		if n < 0 || d.pos+n > len(d.data) {
			return nil, errJPEGFallback
		}
		seg := d.data[d.pos : d.pos+n]
		d.pos += n
		var err error
		switch {
		case marker == jpegSOF0 || marker == jpegSOF1:
			err = d.readSOF(seg, marker == jpegSOF0)
		case marker == jpegDHT:
			err = d.readDHT(seg)
		case marker == jpegDQT:
			err = d.readDQT(seg)
		case marker == jpegDRI:
			if len(seg) != 2 {
				return nil, errJPEGFallback
			}
			d.restart = int(seg[0])<<8 | int(seg[1])
		case marker == jpegAPP0:
			if len(seg) >= 5 && string(seg[:5]) == "JFIF\x00" {
				d.jfif = true
			}
		case marker == jpegAPP14:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe, d.transform = true, seg[11]
			}
		case marker > jpegAPP0 && marker <= jpegAPP15 || marker == jpegCOM:
		case marker == jpegSOS:
			if d.scanned {
				return nil, errJPEGFallback // a second scan: progressive-like or non-interleaved
			}
			g, err = d.readScan(seg)
			d.scanned = true
		default:
			return nil, errJPEGFallback // SOF2 and beyond, DNL, unknown markers
		}
		if err != nil {
			return nil, err
		}
	}
	if g == nil || d.isRGB() {
		return nil, errJPEGFallback
	}
	return g, nil
}

// isRGB reports whether three components are R, G and B rather than Y, Cb and
// Cr, decided as image/jpeg decides it once the whole file is read (its
// segments may come in any order): a JFIF segment means YCbCr; otherwise an
// Adobe segment with no colour transform, or components named R, G and B,
// mean RGB, which image/jpeg converts and this decoder leaves to it.
func (d *jpegDecoder) isRGB() bool {
	if d.nComp != 3 || d.jfif {
		return false
	}
	return d.adobe && d.transform == 0 || d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
}

// nextMarker skips to the next marker as image/jpeg does between segments and
// returns its code.
func (d *jpegDecoder) nextMarker() (byte, bool) {
	for {
		if d.pos+2 > len(d.data) {
			return 0, false
		}
		if d.data[d.pos] != 0xFF {
			d.pos++
			continue
		}
		m := d.data[d.pos+1]
		d.pos += 2
		if m == 0 {
			continue // a stuffed byte outside a scan
		}
		for m == 0xFF {
			if d.pos >= len(d.data) {
				return 0, false
			}
			m = d.data[d.pos]
			d.pos++
		}
		return m, true
	}
}

func (d *jpegDecoder) readSOF(seg []byte, baseline bool) error {
	if d.frame {
		return errJPEGFallback
	}
	d.frame, d.baseline = true, baseline
	if len(seg) != 6+3*1 && len(seg) != 6+3*3 {
		return errJPEGFallback // four components (CMYK) or malformed
	}
	if seg[0] != 8 {
		return errJPEGFallback // 12-bit
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	d.nComp = int(seg[5])
	if 6+3*d.nComp != len(seg) {
		return errJPEGFallback
	}
	for i := range d.nComp {
		c := &d.comp[i]
		c.id = seg[6+3*i]
		for j := range i {
			if d.comp[j].id == c.id {
				return errJPEGFallback
			}
		}
		c.h, c.v = int(seg[7+3*i]>>4), int(seg[7+3*i]&15)
		c.tq = int(seg[8+3*i])
		if c.tq > 3 || c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.h == 3 || c.v == 3 {
			return errJPEGFallback
		}
	}
	switch d.nComp {
	case 1:
		// One component is not interleaved: a block an MCU whatever its factors.
		d.comp[0].h, d.comp[0].v = 1, 1
	case 3:
		y, cb, cr := d.comp[0], d.comp[1], d.comp[2]
		if y.h > 2 || y.v > 2 || cb.h != 1 || cb.v != 1 || cr.h != 1 || cr.v != 1 {
			return errJPEGFallback
		}
	}
	// The plane is one byte a pixel, but image/jpeg's limit is what it would
	// allocate, so a file is refused (there) exactly as any other JPEG is.
	bpp := 1
	if d.nComp == 3 {
		bpp = 3
	}
	if CheckDecodedBytes(d.width, d.height, bpp) != nil {
		return errJPEGFallback
	}
	return nil
}

func (d *jpegDecoder) readDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, int(seg[0]&15)
		seg = seg[1:]
		if tq > 3 {
			return errJPEGFallback
		}
		q := &d.quant[tq]
		switch pq {
		case 0:
			if len(seg) < 64 {
				return errJPEGFallback
			}
			for i := range q {
				q[i] = int32(seg[i])
			}
			seg = seg[64:]
		case 1:
			if len(seg) < 128 {
				return errJPEGFallback
			}
			for i := range q {
				q[i] = int32(seg[2*i])<<8 | int32(seg[2*i+1])
			}
			seg = seg[128:]
		default:
			return errJPEGFallback
		}
		d.quantSet[tq] = true
	}
	return nil
}

func (d *jpegDecoder) readDHT(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return errJPEGFallback
		}
		tc, th := seg[0]>>4, int(seg[0]&15)
		if tc > 1 || th > 3 || d.baseline && th > 1 {
			return errJPEGFallback
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(seg[l])
			total += counts[l]
		}
		if total == 0 || total > 256 || len(seg) < 17+total {
			return errJPEGFallback
		}
		t := &d.dcTab[th]
		if tc == 1 {
			t = &d.acTab[th]
		}
		if !t.build(&counts, seg[17:17+total], tc == 1) {
			return errJPEGFallback
		}
		seg = seg[17+total:]
	}
	return nil
}

// readScan reads the scan header and decodes the scan into a new grey plane.
func (d *jpegDecoder) readScan(seg []byte) (*Gray, error) {
	if !d.frame || len(seg) < 1 {
		return nil, errJPEGFallback
	}
	n := int(seg[0])
	if n != d.nComp || len(seg) != 4+2*n {
		return nil, errJPEGFallback // a scan of some components only
	}
	for i := range n {
		c := &d.comp[i]
		if seg[1+2*i] != c.id {
			return nil, errJPEGFallback // components out of frame order
		}
		c.dc, c.ac = int(seg[2+2*i]>>4), int(seg[2+2*i]&15)
		if c.dc > 3 || c.ac > 3 || d.baseline && (c.dc > 1 || c.ac > 1) {
			return nil, errJPEGFallback
		}
		if !d.dcTab[c.dc].ok || !d.acTab[c.ac].ok {
			return nil, errJPEGFallback
		}
		// image/jpeg reads a missing table as zeros; a grey page then.
		if !d.quantSet[c.tq] {
			return nil, errJPEGFallback
		}
	}
	// Spectral selection and approximation are meaningless in a sequential
	// scan, and image/jpeg ignores them, so they are not checked.
	g := newGray(d.width, d.height)
	d.br = bitReader{data: d.data, pos: d.pos}
	if err := d.decodeScan(g); err != nil {
		return nil, err
	}
	d.pos = d.br.pos
	return g, nil
}

// decodeScan decodes every MCU of the scan, writing the luminance blocks into
// g; chroma blocks are decoded but not transformed.
func (d *jpegDecoder) decodeScan(g *Gray) error {
	y := &d.comp[0]
	mcuW, mcuH := 8*y.h, 8*y.v
	mx := (d.width + mcuW - 1) / mcuW
	my := (d.height + mcuH - 1) / mcuH
	var (
		blk     [64]int32
		pred    int32 // the luminance DC predictor
		mcus    = mx * my
		mcu     int
		nextRST byte = jpegRST0
		// Chroma blocks are decoded to move past their bits, dequantized by
		// zeros into a scratch block with a predictor nothing reads.
		chroma     [64]int32
		chromaPred int32
		zeroQuant  [64]int32
	)
	br := &d.br
	yq, ydc, yac := &d.quant[y.tq], &d.dcTab[y.dc], &d.acTab[y.ac]
	for row := 0; row < my; row++ {
		for col := 0; col < mx; col++ {
			for j := range y.v {
				for i := range y.h {
					last, err := br.decodeBlock(&blk, ydc, yac, yq, &pred)
					if err != nil {
						return err
					}
					x0, y0 := col*mcuW+8*i, row*mcuH+8*j
					if x0 < d.width && y0 < d.height {
						storeBlock(g, &blk, last, x0, y0)
					}
					clear(blk[:])
				}
			}
			for c := 1; c < d.nComp; c++ {
				cc := &d.comp[c]
				if _, err := br.decodeBlock(&chroma, &d.dcTab[cc.dc], &d.acTab[cc.ac], &zeroQuant, &chromaPred); err != nil {
					return err
				}
			}
			if br.n < br.pad {
				return errJPEGFallback // read past the scan's data: image/jpeg refuses it
			}
			mcu++
			if d.restart > 0 && mcu%d.restart == 0 && mcu < mcus {
				if !br.restartAt(nextRST) {
					return errJPEGFallback
				}
				nextRST = jpegRST0 + (nextRST-jpegRST0+1)&7
				pred = 0
			}
		}
	}
	return nil
}

// jpegHuff is one Huffman table in the forms decoding needs.
type jpegHuff struct {
	ok bool
	// fast maps the next fastBits bits to length<<8 | symbol for codes of at
	// most fastBits bits, 0 for longer ones.
	fast [1 << fastBits]uint16
	// fastAC (AC tables only) maps the next fastBits bits to a coefficient
	// whose code and magnitude bits both fit in them: value<<16 | run<<8 |
	// bits used; 0 when they do not.
	fastAC [1 << fastBits]int32
	// maxCode[l] is the largest code of l bits (-1 for none) and valOff[l]
	// what to add to such a code to index symbols.
	maxCode [17]int32
	valOff  [17]int32
	symbols [256]byte
}

const fastBits = 9

// build fills the table from a DHT segment's counts and symbols, refusing a
// table with more codes of some length than the length allows.
func (t *jpegHuff) build(counts *[17]int, symbols []byte, ac bool) bool {
	*t = jpegHuff{}
	copy(t.symbols[:], symbols)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		t.valOff[l] = k - code
		for range counts[l] {
			if code >= 1<<l {
				return false // over-subscribed
			}
			if l <= fastBits {
				sym := t.symbols[k]
				base := int(code) << (fastBits - l)
				for f := range 1 << (fastBits - l) {
					t.fast[base+f] = uint16(l)<<8 | uint16(sym)
					if ac {
						t.fastAC[base+f] = fastCoef(sym, l, f, fastBits-l)
					}
				}
			}
			code++
			k++
		}
		t.maxCode[l] = code - 1
		if counts[l] == 0 {
			t.maxCode[l] = -1
		}
		code <<= 1
	}
	t.ok = true
	return true
}

// fastCoef is fastAC's entry for AC symbol sym with an l-bit code, where f
// holds the rest bits that follow the code: the coefficient, if its
// magnitude bits are among them.
func fastCoef(sym byte, l, f, rest int) int32 {
	run, s := int32(sym>>4), int(sym&15)
	if s == 0 || s > rest {
		return 0
	}
	v := int32(f>>(rest-s)) & (1<<s - 1)
	if v < 1<<(s-1) {
		v += 1 - 1<<s
	}
	return v<<16 | run<<8 | int32(l+s)
}

// bitReader reads a scan's entropy-coded bits: after 0xFF a stuffed 0x00 is
// dropped, and at a marker (or the end of the data) zero bits are supplied,
// counted in pad, so that reading on past the data is found after the fact
// (n < pad) instead of being checked at every code.
type bitReader struct {
	data []byte
	pos  int
	acc  uint64 // the next n bits, from the top
	n    uint
	pad  uint
}

// refill tops acc up to at least 57 bits.
func (br *bitReader) refill() {
	for br.n <= 56 {
		var c byte
		if br.pos < len(br.data) {
			c = br.data[br.pos]
			if c != 0xFF {
				br.pos++
			} else if br.pos+1 < len(br.data) && br.data[br.pos+1] == 0 {
				br.pos += 2
			} else {
				c = 0
				br.pad += 8
			}
		} else {
			br.pad += 8
		}
		br.acc |= uint64(c) << (56 - br.n)
		br.n += 8
	}
}

// symbol decodes one Huffman symbol; acc must hold at least 16 bits.
func (br *bitReader) symbol(t *jpegHuff) (byte, bool) {
	if e := t.fast[br.acc>>(64-fastBits)]; e != 0 {
		l := uint(e >> 8)
		br.acc <<= l
		br.n -= l
		return byte(e), true
	}
	code := int32(br.acc >> (64 - 16))
	for l := fastBits + 1; l <= 16; l++ {
		c := code >> (16 - l)
		if c <= t.maxCode[l] {
			br.acc <<= uint(l)
			br.n -= uint(l)
			return t.symbols[(c+t.valOff[l])&255], true
		}
	}
	return 0, false
}

// extend reads s (1 to 16) magnitude bits as a signed value.
func (br *bitReader) extend(s uint) int32 {
	v := int32(br.acc >> (64 - s))
	br.acc <<= s
	br.n -= s
	if v < 1<<(s-1) {
		v += 1 - 1<<s
	}
	return v
}

// decodeBlock decodes one block's coefficients, dequantized, into blk (which
// must be zero) in row-major order and returns the zig-zag index of the last
// one coded.
func (br *bitReader) decodeBlock(blk *[64]int32, dc, ac *jpegHuff, q *[64]int32, pred *int32) (int, error) {
	if br.n < 32 {
		br.refill()
	}
	s, ok := br.symbol(dc)
	if !ok || s > 16 {
		return 0, errJPEGFallback
	}
	if s != 0 {
		*pred += br.extend(uint(s))
	}
	v := *pred * q[0]
	if v < -jpegMaxCoef || v > jpegMaxCoef {
		return 0, errJPEGFallback
	}
	blk[0] = v
	last := 0
	for k := 1; k < 64; {
		if br.n < 32 {
			br.refill()
		}
		if e := ac.fastAC[br.acc>>(64-fastBits)]; e != 0 {
			k += int(e >> 8 & 15)
			if k > 63 {
				return 0, errJPEGFallback
			}
			br.acc <<= uint(e & 0xFF)
			br.n -= uint(e & 0xFF)
			v := (e >> 16) * q[k]
			if v < -jpegMaxCoef || v > jpegMaxCoef {
				return 0, errJPEGFallback
			}
			blk[unzigzag[k]] = v
			last = k
			k++
			continue
		}
		rs, ok := br.symbol(ac)
		if !ok {
			return 0, errJPEGFallback
		}
		run, s := int(rs>>4), uint(rs&15)
		if s == 0 {
			if run == 15 {
				k += 16 // sixteen zeros
				continue
			}
			if run != 0 {
				return 0, errJPEGFallback // an end-of-band run: progressive only
			}
			break // end of block
		}
		k += run
		if k > 63 {
			return 0, errJPEGFallback
		}
		v := br.extend(s) * q[k]
		if v < -jpegMaxCoef || v > jpegMaxCoef {
			return 0, errJPEGFallback
		}
		blk[unzigzag[k]] = v
		last = k
		k++
	}
	return last, nil
}

// restartAt moves past the restart marker that must end the current interval
// (0xD0 + the interval's number mod 8) and resets the bit reader. Bytes before
// it that are not a marker are skipped, as image/jpeg skips them.
func (br *bitReader) restartAt(marker byte) bool {
	if br.n < br.pad {
		return false
	}
	for p := br.pos; p+1 < len(br.data); p++ {
		if br.data[p] != 0xFF {
			continue
		}
		switch br.data[p+1] {
		case marker:
			br.pos, br.acc, br.n, br.pad = p+2, 0, 0, 0
			return true
		case 0x00, 0xFF:
		default:
			return false
		}
	}
	return false
}
