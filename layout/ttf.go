package layout

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/image/font/sfnt"
)

// face is one embedded TrueType font, parsed once per process: what the
// page writer needs to measure text (advance widths), encode it (glyph ids)
// and embed a subset of it in a PDF.
type face struct {
	name       string // PostScript name used as /BaseFont
	upem       int
	numGlyphs  int
	ascent     int16
	descent    int16
	capHeight  int16
	bbox       [4]int16
	longLoca   bool
	tables     map[string][]byte
	loca       []uint32 // numGlyphs+1 glyph offsets into glyf
	adv        []uint16 // advance width of each glyph, in font units
	lsb        []int16  // left side bearing of each glyph
	gid        []uint16 // rune (BMP) → glyph id; 0: none
	runeOf     []rune   // glyph id → the smallest rune drawn with it (for ToUnicode)
	widthCache [128]float64
}

var faces struct {
	once sync.Once
	f    [2]*face // regular, bold
	err  error
}

// loadFaces parses both embedded fonts once per process.
func loadFaces() ([2]*face, error) {
	faces.once.Do(func() {
		for i, src := range []struct {
			name string
			data []byte
		}{{"DejaVuSans", fontRegular}, {"DejaVuSans-Bold", fontBold}} {
			f, err := parseFace(src.name, src.data)
			if err != nil {
				faces.err = fmt.Errorf("layout: embedded font %s is unreadable: %v", src.name, err)
				return
			}
			faces.f[i] = f
		}
	})
	return faces.f, faces.err
}

func parseFace(name string, data []byte) (*face, error) {
	if len(data) < 12 {
		return nil, errors.New("too short")
	}
	f := &face{name: name, tables: map[string][]byte{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		if len(rec) < 16 {
			return nil, errors.New("truncated table directory")
		}
		tag := string(rec[:4])
		off, ln := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(ln) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q is out of bounds", tag)
		}
		f.tables[tag] = data[off : off+ln]
	}
	for _, t := range []string{"head", "hhea", "hmtx", "maxp", "loca", "glyf"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("no %q table", t)
		}
	}
	be := binary.BigEndian
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, errors.New("short head, hhea or maxp table")
	}
	f.upem = int(be.Uint16(head[18:]))
	for i := range f.bbox {
		f.bbox[i] = int16(be.Uint16(head[36+2*i:]))
	}
	f.longLoca = be.Uint16(head[50:]) == 1
	f.ascent, f.descent = int16(be.Uint16(hhea[4:])), int16(be.Uint16(hhea[6:]))
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 {
		f.capHeight = int16(be.Uint16(os2[88:]))
	}
	f.numGlyphs = int(be.Uint16(maxp[4:]))
	nh := int(be.Uint16(hhea[34:]))
	hmtx, loca := f.tables["hmtx"], f.tables["loca"]
	if nh == 0 || nh > f.numGlyphs || len(hmtx) < 4*nh+2*(f.numGlyphs-nh) {
		return nil, errors.New("bad hmtx table")
	}
	f.adv, f.lsb = make([]uint16, f.numGlyphs), make([]int16, f.numGlyphs)
	for g := 0; g < f.numGlyphs; g++ {
		if g < nh {
			f.adv[g], f.lsb[g] = be.Uint16(hmtx[4*g:]), int16(be.Uint16(hmtx[4*g+2:]))
		} else {
			f.adv[g], f.lsb[g] = f.adv[nh-1], int16(be.Uint16(hmtx[4*nh+2*(g-nh):]))
		}
	}
	f.loca = make([]uint32, f.numGlyphs+1)
	for g := range f.loca {
		if f.longLoca {
			if len(loca) < 4*(g+1) {
				return nil, errors.New("short loca table")
			}
			f.loca[g] = be.Uint32(loca[4*g:])
		} else {
			if len(loca) < 2*(g+1) {
				return nil, errors.New("short loca table")
			}
			f.loca[g] = 2 * uint32(be.Uint16(loca[2*g:]))
		}
		if f.loca[g] > uint32(len(f.tables["glyf"])) {
			return nil, errors.New("loca points outside glyf")
		}
	}
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, err
	}
	var b sfnt.Buffer
	f.gid = make([]uint16, 0x10000)
	f.runeOf = make([]rune, f.numGlyphs)
	for r := rune(0x20); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		if g, err := sf.GlyphIndex(&b, r); err == nil && g != 0 && int(g) < f.numGlyphs {
			f.gid[r] = uint16(g)
			if f.runeOf[g] == 0 {
				f.runeOf[g] = r
			}
		}
	}
	for r := range f.widthCache {
		f.widthCache[r] = float64(f.adv[f.gid[r]]) / float64(f.upem)
	}
	return f, nil
}

// width is the advance of s in ems; runes without a glyph use glyph 0.
func (f *face) width(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 128 {
			w += f.widthCache[r]
			continue
		}
		g := uint16(0)
		if r < 0x10000 {
			g = f.gid[r]
		}
		w += float64(f.adv[g]) / float64(f.upem)
	}
	return w
}

func (f *face) glyph(r rune) uint16 {
	if r >= 0 && r < 0x10000 {
		return f.gid[r]
	}
	return 0
}

// glyphSet is a set of glyph ids of one face (a bitmap over 65536 ids).
type glyphSet [1024]uint64

func (s *glyphSet) add(g uint16)      { s[g>>6] |= 1 << (g & 63) }
func (s *glyphSet) has(g uint16) bool { return s[g>>6]&(1<<(g&63)) != 0 }
func (s *glyphSet) union(o *glyphSet) {
	for i := range s {
		s[i] |= o[i]
	}
}
func (s *glyphSet) list() []uint16 {
	var out []uint16
	for i, w := range s {
		for w != 0 {
			b := w & -w
			out = append(out, uint16(i*64+bitIndex(b)))
			w &^= b
		}
	}
	return out
}

func bitIndex(b uint64) int {
	n := 0
	for b > 1 {
		b >>= 1
		n++
	}
	return n
}

// Composite glyph flags (TrueType glyf table).
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	haveTwoByTwo    = 0x0080
	haveInstruction = 0x0100
)

// components returns the glyph ids a composite glyph refers to, and the
// byte offsets of those ids within the glyph data.
func components(g []byte) (ids []uint16, at []int) {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil, nil
	}
	p := 10
	for p+4 <= len(g) {
		flags := binary.BigEndian.Uint16(g[p:])
		ids = append(ids, binary.BigEndian.Uint16(g[p+2:]))
		at = append(at, p+2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			break
		}
	}
	return ids, at
}

func (f *face) glyphData(g uint16) []byte {
	if int(g) >= f.numGlyphs {
		return nil
	}
	a, b := f.loca[g], f.loca[g+1]
	if b < a {
		return nil
	}
	return f.tables["glyf"][a:b]
}

// subset builds a TrueType font holding glyph 0 and the glyphs of used
// (plus the components of composite glyphs), renumbered from 0 in
// ascending order of their original ids. It returns the font and, for
// each original id in the subset, its new id.
func (f *face) subset(used []uint16) ([]byte, map[uint16]uint16) {
	var set glyphSet
	set.add(0)
	queue := append([]uint16(nil), used...)
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if int(g) >= f.numGlyphs || set.has(g) && g != 0 {
			continue
		}
		set.add(g)
		ids, _ := components(f.glyphData(g))
		for _, c := range ids {
			if int(c) < f.numGlyphs && !set.has(c) {
				queue = append(queue, c)
			}
		}
	}
	old := set.list()
	newID := make(map[uint16]uint16, len(old))
	for i, g := range old {
		newID[g] = uint16(i)
	}
	be := binary.BigEndian
	var glyf []byte
	loca := make([]byte, 4*(len(old)+1))
	hmtx := make([]byte, 4*len(old))
	for i, g := range old {
		be.PutUint32(loca[4*i:], uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, f.glyphData(g)...)
		if _, at := components(glyf[start:]); at != nil {
			for _, p := range at {
				c := be.Uint16(glyf[start+p:])
				be.PutUint16(glyf[start+p:], newID[c])
			}
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		be.PutUint16(hmtx[4*i:], f.adv[g])
		be.PutUint16(hmtx[4*i+2:], uint16(f.lsb[g]))
	}
	be.PutUint32(loca[4*len(old):], uint32(len(glyf)))
	head := append([]byte(nil), f.tables["head"]...)
	be.PutUint32(head[8:], 0)  // checkSumAdjustment, not used by PDF readers
	be.PutUint16(head[50:], 1) // long loca
	hhea := append([]byte(nil), f.tables["hhea"]...)
	be.PutUint16(hhea[34:], uint16(len(old)))
	maxp := append([]byte(nil), f.tables["maxp"]...)
	be.PutUint16(maxp[4:], uint16(len(old)))
	tabs := map[string][]byte{"head": head, "hhea": hhea, "maxp": maxp, "loca": loca, "glyf": glyf, "hmtx": hmtx}
	for _, t := range []string{"cvt ", "fpgm", "prep"} {
		if d := f.tables[t]; d != nil {
			tabs[t] = d
		}
	}
	return sfntFile(tabs), newID
}

// sfntFile assembles tables into a TrueType file.
func sfntFile(tabs map[string][]byte) []byte {
	tags := make([]string, 0, len(tabs))
	for t := range tabs {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	be := binary.BigEndian
	n := len(tags)
	es, sr := 0, 1
	for sr*2 <= n {
		sr *= 2
		es++
	}
	out := make([]byte, 12+16*n)
	be.PutUint32(out, 0x00010000)
	be.PutUint16(out[4:], uint16(n))
	be.PutUint16(out[6:], uint16(sr*16))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(n*16-sr*16))
	for i, t := range tags {
		d := tabs[t]
		rec := out[12+16*i:]
		copy(rec, t)
		be.PutUint32(rec[4:], tableChecksum(d))
		be.PutUint32(rec[8:], uint32(len(out)))
		be.PutUint32(rec[12:], uint32(len(d)))
		out = append(out, d...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func tableChecksum(d []byte) uint32 {
	var sum uint32
	for i := 0; i < len(d); i += 4 {
		var w [4]byte
		copy(w[:], d[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
