package layout

import (
	"math/bits"
	"sync"

	"rsc.io/qr/coding"
)

// The mask search works on bit-packed module rows: a row of up to 177
// modules (version 40) fits three 64-bit words, with module x at bit x%64
// of word x/64. Each ISO/IEC 18004 penalty rule then becomes a handful of
// word operations per row instead of a branch per module, which is what
// makes trying all eight masks cheap.
const packWords = 3

type prow [packWords]uint64

// shr moves module x+k to position x (0 < k < 64).
func (r prow) shr(k uint) prow {
	return prow{r[0]>>k | r[1]<<(64-k), r[1]>>k | r[2]<<(64-k), r[2] >> k}
}

func (r prow) and(s prow) prow    { return prow{r[0] & s[0], r[1] & s[1], r[2] & s[2]} }
func (r prow) andNot(s prow) prow { return prow{r[0] &^ s[0], r[1] &^ s[1], r[2] &^ s[2]} }
func (r prow) xor(s prow) prow    { return prow{r[0] ^ s[0], r[1] ^ s[1], r[2] ^ s[2]} }
func (r prow) not() prow          { return prow{^r[0], ^r[1], ^r[2]} }

func (r prow) count() int {
	return bits.OnesCount64(r[0]) + bits.OnesCount64(r[1]) + bits.OnesCount64(r[2])
}

func (r *prow) set(x int) { r[x>>6] |= 1 << uint(x&63) }

// first returns a row with modules 0..k-1 set.
func first(k int) prow {
	var o prow
	for x := 0; x < k; x++ {
		o.set(x)
	}
	return o
}

// packed is a QR matrix as packed rows and packed columns (the transpose).
type packed struct {
	n          int
	rows, cols []prow
}

func newPacked(n int) *packed {
	return &packed{n: n, rows: make([]prow, n), cols: make([]prow, n)}
}

func (p *packed) setDark(x, y int) {
	p.rows[y].set(x)
	p.cols[x].set(y)
}

// maskPlan is a plan's function patterns with the mask already applied to
// the data area (rsc.io/qr's Plan.Pixel Black bits), packed.
type maskPlan struct {
	base *packed
}

// dataPlan lists, for a version and level, the module of each data and
// error-correction bit, in codeword bit order: identical for every mask.
type dataPlan struct {
	n   int
	pos []uint32 // y<<16 | x, indexed by bit offset
}

type vlKey struct {
	v coding.Version
	l coding.Level
}

var (
	maskPlans sync.Map // planKey → *maskPlan
	dataPlans sync.Map // vlKey → *dataPlan
)

func packedPlan(v coding.Version, l coding.Level, m coding.Mask) (*maskPlan, *dataPlan, error) {
	k := planKey{v, l, m}
	mp, ok1 := maskPlans.Load(k)
	dp, ok2 := dataPlans.Load(vlKey{v, l})
	if ok1 && ok2 {
		return mp.(*maskPlan), dp.(*dataPlan), nil
	}
	p, err := plan(v, l, m)
	if err != nil {
		return nil, nil, err
	}
	n := len(p.Pixel)
	base := newPacked(n)
	d := &dataPlan{n: n}
	for y, row := range p.Pixel {
		for x, pix := range row {
			if pix&coding.Black != 0 {
				base.setDark(x, y)
			}
			switch pix.Role() {
			case coding.Data, coding.Check:
				o := int(pix.Offset())
				for len(d.pos) <= o {
					d.pos = append(d.pos, 0)
				}
				d.pos[o] = uint32(y)<<16 | uint32(x)
			}
		}
	}
	mp2 := &maskPlan{base: base}
	maskPlans.Store(k, mp2)
	dataPlans.LoadOrStore(vlKey{v, l}, d)
	dp, _ = dataPlans.Load(vlKey{v, l})
	return mp2, dp.(*dataPlan), nil
}

// placeData packs the codeword bits that are 1 at their modules.
func (d *dataPlan) placeData(data []byte) *packed {
	p := newPacked(d.n)
	for o, yx := range d.pos {
		if o/8 < len(data) && data[o/8]&(1<<uint(7-o&7)) != 0 {
			p.setDark(int(yx&0xffff), int(yx>>16))
		}
	}
	return p
}

// linePenalty scores rules N1 (runs of five or more) and N3 (finder-like
// windows) on packed lines of n modules.
func linePenalty(lines []prow, n int, base, limit int) int {
	if n <= 128 {
		return linePenalty2(lines, n, base, limit)
	}
	return linePenalty3(lines, n, base, limit)
}

// linePenalty3 is linePenalty on all three words of a line.
func linePenalty3(lines []prow, n int, base, limit int) int {
	eqValid := first(n - 1)
	var winValid prow
	if n >= 11 {
		winValid = first(n - 10)
	}
	score := base
	for _, r := range lines {
		if limit >= 0 && score >= limit {
			return score
		}
		// eq[x]: module x has the colour of module x+1.
		eq := r.xor(r.shr(1)).not().and(eqValid)
		// four equal pairs in a row: a run of five starts at or covers x.
		f4 := eq.and(eq.shr(1)).and(eq.shr(2)).and(eq.shr(3))
		// a run of length L ≥ 5 has L-4 such positions and one start (x
		// with no equal pair before it); it scores L-2 = (L-4) + 2.
		var prev prow // eq shifted the other way: eq[x-1] at x
		for i := 0; i < packWords; i++ {
			prev[i] = eq[i] << 1
			if i > 0 {
				prev[i] |= eq[i-1] >> 63
			}
		}
		score += f4.count() + 2*f4.andNot(prev).count()
		if n < 11 {
			continue
		}
		// N3: the finder core dark-light-dark-dark-dark-light-dark starting
		// at x, and four light modules starting at x.
		nr := r.not()
		core := r.and(nr.shr(1)).and(r.shr(2)).and(r.shr(3)).and(r.shr(4)).and(nr.shr(5)).and(r.shr(6))
		light := nr.and(nr.shr(1)).and(nr.shr(2)).and(nr.shr(3))
		score += 40 * core.and(light.shr(7)).and(winValid).count() // core, then four light
		score += 40 * light.and(core.shr(4)).and(winValid).count() // four light, then core
	}
	return score
}

// linePenalty2 is linePenalty for symbols of up to 128 modules a side
// (version 23; a passport is about version 20), whose lines fit the first
// two words: the same word operations on two words instead of three. Every
// bit it reads is below 128 (N1 looks four modules on, N3 ten, and both are
// masked to the line), so the third word, always zero, never matters.
func linePenalty2(lines []prow, n int, base, limit int) int {
	ev := first(n - 1)
	e0, e1 := ev[0], ev[1]
	var w0, w1 uint64
	if n >= 11 {
		wv := first(n - 10)
		w0, w1 = wv[0], wv[1]
	}
	// sh moves module x+k of a two-word line to position x (0 < k < 64).
	sh := func(a, b uint64, k uint) (uint64, uint64) { return a>>k | b<<(64-k), b >> k }
	pop := bits.OnesCount64
	score := base
	for _, r := range lines {
		if limit >= 0 && score >= limit {
			return score
		}
		a, b := r[0], r[1]
		s0, s1 := sh(a, b, 1)
		q0, q1 := ^(a^s0)&e0, ^(b^s1)&e1 // eq: module x has the colour of x+1
		x0, x1 := sh(q0, q1, 1)
		y0, y1 := sh(q0, q1, 2)
		z0, z1 := sh(q0, q1, 3)
		f0, f1 := q0&x0&y0&z0, q1&x1&y1&z1
		p0, p1 := q0<<1, q1<<1|q0>>63
		score += pop(f0) + pop(f1) + 2*(pop(f0&^p0)+pop(f1&^p1))
		if n < 11 {
			continue
		}
		// Beyond module 127 the three-word form holds light modules (the
		// complement of a zero word); they are never read (see above).
		na, nb := ^a, ^b
		c0, c1 := a, b
		for k, dark := range [6]bool{false, true, true, true, false, true} {
			var u0, u1 uint64
			if dark {
				u0, u1 = sh(a, b, uint(k+1))
			} else {
				u0, u1 = sh(na, nb, uint(k+1))
			}
			c0, c1 = c0&u0, c1&u1
		}
		l0, l1 := na, nb
		for k := uint(1); k <= 3; k++ {
			u0, u1 := sh(na, nb, k)
			l0, l1 = l0&u0, l1&u1
		}
		ls0, ls1 := sh(l0, l1, 7)
		cs0, cs1 := sh(c0, c1, 4)
		score += 40 * (pop(c0&ls0&w0) + pop(c1&ls1&w1))
		score += 40 * (pop(l0&cs0&w0) + pop(l1&cs1&w1))
	}
	return score
}

// packedPenalty is penalty (N1 to N4) computed on a packed matrix; it
// stops early, returning a partial score, once the score reaches limit
// (limit < 0: no limit).
func packedPenalty(p *packed, limit int) int {
	n := p.n
	dark := 0
	for _, r := range p.rows {
		dark += r.count()
	}
	dev := dark*100/(n*n) - 50
	if dev < 0 {
		dev = -dev
	}
	score := 10 * (dev / 5)
	// N2: 2×2 blocks of one colour at (x, y): rows y and y+1 agree at x
	// and x+1, and row y agrees with itself from x to x+1.
	pairValid := first(n - 1)
	for y := 0; y+1 < n; y++ {
		r0, r1 := p.rows[y], p.rows[y+1]
		v := r0.xor(r1).not()
		h := r0.xor(r0.shr(1)).not()
		score += 3 * v.and(v.shr(1)).and(h).and(pairValid).count()
	}
	if limit >= 0 && score >= limit {
		return score
	}
	score = linePenalty(p.rows, n, score, limit)
	if limit >= 0 && score >= limit {
		return score
	}
	return linePenalty(p.cols, n, score, limit)
}

// fastBest places the codewords once and returns the lowest-penalty mask's
// matrix.
func fastBest(v coding.Version, l coding.Level, data []byte) (*matrix, error) {
	var (
		best      *packed
		bestScore = -1
	)
	var dataP *packed
	for mask := coding.Mask(0); mask < 8; mask++ {
		mp, dp, err := packedPlan(v, l, mask)
		if err != nil {
			return nil, err
		}
		if dataP == nil {
			dataP = dp.placeData(data)
		}
		n := dp.n
		cand := newPacked(n)
		for i := 0; i < n; i++ {
			cand.rows[i] = mp.base.rows[i].xor(dataP.rows[i])
			cand.cols[i] = mp.base.cols[i].xor(dataP.cols[i])
		}
		if s := packedPenalty(cand, bestScore); best == nil || s < bestScore {
			best, bestScore = cand, s
		}
	}
	n := best.n
	m := &matrix{n: n, dark: make([]bool, n*n)}
	for y, r := range best.rows {
		for x := 0; x < n; x++ {
			m.dark[y*n+x] = r[x>>6]>>(uint(x&63))&1 != 0
		}
	}
	return m, nil
}
