package imagedec

import "encoding/binary"

// The inverse DCT of jpegdec.go: the Loeffler–Ligtenberg–Moschytz
// factorisation in fixed point (12 multiplications a row or column), as the
// IJG's accurate integer IDCT computes it, with 13-bit constants and two extra
// bits of precision between the passes. It is within one level of the exact
// transform (TestJPEGIDCTAccuracy) and of image/jpeg's.
//
// Columns go first. A column whose AC coefficients are all zero (most of them
// on a scanned page: quantization empties the high frequencies) is its DC
// copied down, and a row of the intermediate result that is zero past its
// first entry is one value; a block with only a DC coefficient is one grey
// level. Arithmetic is in int, 64 bits on every platform the reader ships
// for, so nothing overflows for coefficients within jpegMaxCoef.

const (
	idctConstBits = 13
	idctPass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

// clampLevel level-shifts an IDCT output to a pixel.
func clampLevel(v int) byte {
	return byte(min(max(v+128, 0), 255))
}

// storeBlock writes the inverse DCT of blk (row-major, dequantized; last is
// the zig-zag index of its last coded coefficient) into g at (x0, y0),
// clipped to g.
func storeBlock(g *Gray, blk *[64]int32, last int, x0, y0 int) {
	var out [64]byte
	if last == 0 {
		v := clampLevel((int(blk[0])<<idctPass1Bits + 1<<(idctPass1Bits+2)) >> (idctPass1Bits + 3))
		for i := range out {
			out[i] = v
		}
	} else {
		idct(blk, &out, last)
	}
	w, h := min(8, g.Width-x0), min(8, g.Height-y0)
	if w == 8 {
		for r := range h {
			off := (y0+r)*g.Width + x0
			binary.LittleEndian.PutUint64(g.Pix[off:off+8], binary.LittleEndian.Uint64(out[8*r:]))
		}
		return
	}
	for r := range h {
		off := (y0+r)*g.Width + x0
		copy(g.Pix[off:off+w], out[8*r:8*r+w])
	}
}

// idct transforms a block of dequantized coefficients to level-shifted,
// clamped pixels. The zig-zag index of the last coded coefficient bounds the
// columns and rows that can be non-zero (idctExtent): columns past them are
// not transformed, and where only the first four rows or columns can be
// non-zero the 1-D transform is idct4, which drops the terms of the four zero
// inputs for the same result. On a 150-dpi scan half the blocks end within the
// first ten coefficients, the top-left 4×4.
func idct(blk *[64]int32, out *[64]byte, last int) {
	var ws [64]int32
	ext := idctExtent[last&63]
	cols := int(ext >> 4)
	idctColumns(blk, &ws, cols, int(ext&15))
	idctRows(&ws, out, cols)
}

// idctColumns is the first pass: the first cols columns of blk, whose
// coefficients past the first rows rows are zero, into ws (zero beyond them),
// keeping idctPass1Bits of fraction.
func idctColumns(blk *[64]int32, ws *[64]int32, cols, rows int) {
	const sh, rnd = idctConstBits - idctPass1Bits, 1 << (idctConstBits - idctPass1Bits - 1)
	for c := range cols {
		c &= 7
		ac := blk[c+8] | blk[c+16] | blk[c+24]
		if rows > 4 {
			ac |= blk[c+32] | blk[c+40] | blk[c+48] | blk[c+56]
		}
		if ac == 0 {
			dc := blk[c] << idctPass1Bits
			for r := range 8 {
				ws[8*r+c] = dc
			}
			continue
		}
		var y0, y1, y2, y3, y4, y5, y6, y7 int
		if rows <= 4 {
			y0, y1, y2, y3, y4, y5, y6, y7 = idct4(int(blk[c]), int(blk[c+8]), int(blk[c+16]), int(blk[c+24]))
		} else {
			y0, y1, y2, y3, y4, y5, y6, y7 = idct8(int(blk[c]), int(blk[c+8]), int(blk[c+16]), int(blk[c+24]),
				int(blk[c+32]), int(blk[c+40]), int(blk[c+48]), int(blk[c+56]))
		}
		ws[c] = int32((y0 + rnd) >> sh)
		ws[8+c] = int32((y1 + rnd) >> sh)
		ws[16+c] = int32((y2 + rnd) >> sh)
		ws[24+c] = int32((y3 + rnd) >> sh)
		ws[32+c] = int32((y4 + rnd) >> sh)
		ws[40+c] = int32((y5 + rnd) >> sh)
		ws[48+c] = int32((y6 + rnd) >> sh)
		ws[56+c] = int32((y7 + rnd) >> sh)
	}
}

// idctRows is the second pass: each row of ws, whose entries past the first
// cols are zero, to level-shifted, clamped pixels.
func idctRows(ws *[64]int32, out *[64]byte, cols int) {
	const sh, rnd = idctConstBits + idctPass1Bits + 3, 1 << (idctConstBits + idctPass1Bits + 2)
	for r := range 8 {
		in := ws[8*r : 8*r+8 : 8*r+8]
		o := out[8*r : 8*r+8 : 8*r+8]
		ac := in[1] | in[2] | in[3]
		if cols > 4 {
			ac |= in[4] | in[5] | in[6] | in[7]
		}
		if ac == 0 {
			idctFlatRow(o, in[0])
			continue
		}
		var y0, y1, y2, y3, y4, y5, y6, y7 int
		if cols <= 4 {
			y0, y1, y2, y3, y4, y5, y6, y7 = idct4(int(in[0]), int(in[1]), int(in[2]), int(in[3]))
		} else {
			y0, y1, y2, y3, y4, y5, y6, y7 = idct8(int(in[0]), int(in[1]), int(in[2]), int(in[3]),
				int(in[4]), int(in[5]), int(in[6]), int(in[7]))
		}
		o[0] = clampLevel((y0 + rnd) >> sh)
		o[1] = clampLevel((y1 + rnd) >> sh)
		o[2] = clampLevel((y2 + rnd) >> sh)
		o[3] = clampLevel((y3 + rnd) >> sh)
		o[4] = clampLevel((y4 + rnd) >> sh)
		o[5] = clampLevel((y5 + rnd) >> sh)
		o[6] = clampLevel((y6 + rnd) >> sh)
		o[7] = clampLevel((y7 + rnd) >> sh)
	}
}

// idctExtent[k] is, for a block whose last coded coefficient has zig-zag
// index k, how many leading columns (high nibble) and rows (low nibble) can
// hold a non-zero coefficient.
var idctExtent = func() (e [64]uint8) {
	cols, rows := 0, 0
	for k, i := range unzigzag {
		cols, rows = max(cols, int(i&7)+1), max(rows, int(i>>3)+1)
		e[k] = uint8(cols<<4 | rows)
	}
	return e
}()

// idctFlatRow writes a row whose only input is its first: one level.
func idctFlatRow(o []byte, dc int32) {
	v := clampLevel((int(dc) + 1<<(idctPass1Bits+2)) >> (idctPass1Bits + 3))
	o = o[:8:8]
	for i := range o {
		o[i] = v
	}
}

// idct8 is the 1-D inverse transform of x0..x7, its outputs scaled by
// 2^idctConstBits: an even half from inputs 0, 2, 4, 6 and an odd half from 1,
// 3, 5, 7, joined by butterflies.
func idct8(x0, x1, x2, x3, x4, x5, x6, x7 int) (y0, y1, y2, y3, y4, y5, y6, y7 int) {
	z1 := (x2 + x6) * fix0_541196100
	e2 := z1 - x6*fix1_847759065
	e3 := z1 + x2*fix0_765366865
	e0 := (x0 + x4) << idctConstBits
	e1 := (x0 - x4) << idctConstBits
	t10, t11, t12, t13 := e0+e3, e1+e2, e1-e2, e0-e3

	o1, o2, o3, o4 := x7+x1, x5+x3, x7+x3, x5+x1
	z5 := (o3 + o4) * fix1_175875602
	o1 *= -fix0_899976223
	o2 *= -fix2_562915447
	o3 = o3*-fix1_961570560 + z5
	o4 = o4*-fix0_390180644 + z5
	t0 := x7*fix0_298631336 + o1 + o3
	t1 := x5*fix2_053119869 + o2 + o4
	t2 := x3*fix3_072711026 + o2 + o3
	t3 := x1*fix1_501321110 + o1 + o4
	return t10 + t3, t11 + t2, t12 + t1, t13 + t0, t13 - t0, t12 - t1, t11 - t2, t10 - t3
}

// idct4 is idct8 with x4..x7 zero, their terms dropped.
func idct4(x0, x1, x2, x3 int) (y0, y1, y2, y3, y4, y5, y6, y7 int) {
	z1 := x2 * fix0_541196100
	e3 := z1 + x2*fix0_765366865
	e0 := x0 << idctConstBits
	t10, t11, t12, t13 := e0+e3, e0+z1, e0-z1, e0-e3

	z5 := (x3 + x1) * fix1_175875602
	o1 := x1 * -fix0_899976223
	o2 := x3 * -fix2_562915447
	o3 := x3*-fix1_961570560 + z5
	o4 := x1*-fix0_390180644 + z5
	t0 := o1 + o3
	t1 := o2 + o4
	t2 := x3*fix3_072711026 + o2 + o3
	t3 := x1*fix1_501321110 + o1 + o4
	return t10 + t3, t11 + t2, t12 + t1, t13 + t0, t13 - t0, t12 - t1, t11 - t2, t10 - t3
}
