package layout

import (
	"fmt"
	"image"
	"strings"
	"sync"

	"rsc.io/qr/coding"
)

// Limits on what QR and QRVersion accept. They are checked before any work is
// done so that a bad caller gets an error, never a panic or a huge allocation.
const (
	// MaxQRText is the longest text QR accepts, in bytes: 4296 is the capacity
	// of the largest symbol (version 40, level L) in alphanumeric mode, so no
	// longer text can be encoded in any mode.
	MaxQRText = 4296

	// MaxPixelsPerModule caps the px argument of QR: a version 40 code with
	// its quiet zone is 185 modules wide, so 16 px per module gives a
	// 2960×2960 image (8.8 MB), already far beyond print resolution.
	MaxPixelsPerModule = 16

	// QuietZoneModules is the white border around every symbol, in modules,
	// as ISO/IEC 18004 requires.
	QuietZoneModules = 4
)

// parseECC maps "L", "M", "Q", "H" (any case; "" means "M") to a level.
func parseECC(ecc string) (coding.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(ecc)) {
	case "L":
		return coding.L, nil
	case "", "M":
		return coding.M, nil
	case "Q":
		return coding.Q, nil
	case "H":
		return coding.H, nil
	}
	return 0, fmt.Errorf("layout: unknown QR error-correction level %q (use L, M, Q or H)", ecc)
}

// qrEncoding picks the most compact single QR mode for text.
func qrEncoding(text string) coding.Encoding {
	switch {
	case coding.Num(text).Check() == nil:
		return coding.Num(text)
	case coding.Alpha(text).Check() == nil:
		return coding.Alpha(text)
	default:
		return coding.String(text)
	}
}

// chooseVersion returns the smallest version whose data capacity at level l
// holds enc.
func chooseVersion(text string, enc coding.Encoding, l coding.Level) (coding.Version, error) {
	if len(text) > MaxQRText {
		return 0, fmt.Errorf("layout: QR text is %d bytes, more than the %d a QR code can hold; shorten the payload", len(text), MaxQRText)
	}
	for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion; v++ {
		if enc.Bits(v) <= v.DataBytes(l)*8 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("layout: QR text of %d bytes does not fit a version 40 code at level %v; use a lower error-correction level or shorten the payload", len(text), l)
}

// QRVersion reports the QR version (1..40) the text needs at the ECC level
// ("L", "M", "Q" or "H"; "" means "M"). It uses the same mode choice as QR
// (numeric, then alphanumeric, then bytes), so it predicts the printed size.
func QRVersion(text string, ecc string) (int, error) {
	l, err := parseECC(ecc)
	if err != nil {
		return 0, err
	}
	v, err := chooseVersion(text, qrEncoding(text), l)
	return int(v), err
}

type planKey struct {
	v coding.Version
	l coding.Level
	m coding.Mask
}

// plans caches coding plans: building one lays out the whole module grid,
// which costs more than encoding, and a batch prints thousands of codes of the
// same few versions. Plans are read-only once built.
var plans sync.Map // planKey → *coding.Plan

func plan(v coding.Version, l coding.Level, m coding.Mask) (*coding.Plan, error) {
	k := planKey{v, l, m}
	if p, ok := plans.Load(k); ok {
		return p.(*coding.Plan), nil
	}
	p, err := coding.NewPlan(v, l, m)
	if err != nil {
		return nil, err
	}
	plans.Store(k, p)
	return p, nil
}

// matrix is a square QR module grid without quiet zone; true is dark.
type matrix struct {
	n    int
	dark []bool
}

func (m *matrix) at(x, y int) bool { return m.dark[y*m.n+x] }

// encodeMatrix encodes text at level ecc and returns the module matrix with
// the lowest ISO/IEC 18004 mask penalty (rsc.io/qr always uses mask 0, which
// is legal but can leave finder-like patterns that slow readers down).
//
// The data and error-correction codewords are computed once; each of the
// eight candidate masks then only re-places them using a cached plan, and
// a mask's scoring stops as soon as it can no longer beat the best so far
// (the choice is the same as scoring every mask in full).
func encodeMatrix(text string, ecc string) (m *matrix, err error) {
	l, err := parseECC(ecc)
	if err != nil {
		return nil, err
	}
	enc := qrEncoding(text)
	v, err := chooseVersion(text, enc, l)
	if err != nil {
		return nil, err
	}
	// rsc.io/qr panics on internal inconsistencies; we have checked the
	// capacity above, but never let a panic escape to the caller.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("layout: QR encoder failed on a %d-byte text: %v", len(text), r)
		}
	}()
	if err := enc.Check(); err != nil {
		return nil, fmt.Errorf("layout: QR encoding: %v", err)
	}
	var bits coding.Bits
	enc.Encode(&bits, v)
	bits.AddCheckBytes(v, l)
	data := bits.Bytes()

	m, err = fastBest(v, l, data)
	if err != nil {
		return nil, fmt.Errorf("layout: QR plan for version %d: %v", v, err)
	}
	return m, nil
}

// penalty is the mask evaluation score of ISO/IEC 18004:2015 §7.8.3
// (rules N1 to N4); lower is better.
func penalty(m *matrix) int { return penaltyBelow(m, -1) }

// penaltyBelow computes the penalty of m, but may stop early and return a
// partial score once it reaches limit (limit < 0: no limit). The cheap
// rules are scored first.
func penaltyBelow(m *matrix, limit int) int {
	n := m.n
	score := 0
	// N4: proportion of dark modules away from 50%.
	dark := 0
	for _, d := range m.dark {
		if d {
			dark++
		}
	}
	dev := dark*100/(n*n) - 50
	if dev < 0 {
		dev = -dev
	}
	score += 10 * (dev / 5)
	// N2: 2×2 blocks of one colour.
	for y := 0; y+1 < n; y++ {
		r0, r1 := m.dark[y*n:(y+1)*n], m.dark[(y+1)*n:(y+2)*n]
		for x := 0; x+1 < n; x++ {
			c := r0[x]
			if c == r0[x+1] && c == r1[x] && c == r1[x+1] {
				score += 3
			}
		}
	}
	// N1: runs of five or more same-coloured modules in a row or column.
	// N3: finder-like 1:1:3:1:1 patterns with four light modules on one
	// side, found with an 11-module sliding window.
	const (
		finderA = 0b10111010000 // dark-light-dark×3-light-dark, then four light
		finderB = 0b00001011101 // four light, then the pattern
		window  = 1<<11 - 1
	)
	for k := 0; k < n; k++ {
		row := m.dark[k*n : (k+1)*n]
		run, bits := 1, b2i(row[0])
		for j := 1; j < n; j++ {
			c := row[j]
			if c == row[j-1] {
				run++
			} else {
				if run >= 5 {
					score += run - 2
				}
				run = 1
			}
			bits = (bits<<1 | b2i(c)) & window
			if j >= 10 && (bits == finderA || bits == finderB) {
				score += 40
			}
		}
		if run >= 5 {
			score += run - 2
		}
		if limit >= 0 && score >= limit {
			return score
		}
	}
	// Columns: the same rules, scanning rows top to bottom with one state
	// per column so memory is read in order.
	var stack [2 * (17 + 4*40)]int
	runs, cbits := stack[:n], stack[n:2*n]
	for x := range runs {
		runs[x], cbits[x] = 1, b2i(m.dark[x])
	}
	for y := 1; y < n; y++ {
		row, above := m.dark[y*n:(y+1)*n], m.dark[(y-1)*n:y*n]
		for x, c := range row {
			if c == above[x] {
				runs[x]++
			} else {
				if runs[x] >= 5 {
					score += runs[x] - 2
				}
				runs[x] = 1
			}
			b := (cbits[x]<<1 | b2i(c)) & window
			cbits[x] = b
			if y >= 10 && (b == finderA || b == finderB) {
				score += 40
			}
		}
	}
	for _, r := range runs {
		if r >= 5 {
			score += r - 2
		}
	}
	return score
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// QR encodes text as a QR symbol and returns it as a gray image with px
// pixels per module and a 4-module quiet zone (black modules 0, white 255).
// ecc is "L", "M", "Q" or "H" ("" means "M"). The mode is numeric,
// alphanumeric or bytes, whichever is the smallest that holds all of text.
func QR(text string, ecc string, px int) (*image.Gray, error) {
	if px < 1 || px > MaxPixelsPerModule {
		return nil, fmt.Errorf("layout: %d pixels per QR module is out of range (use 1 to %d)", px, MaxPixelsPerModule)
	}
	m, err := encodeMatrix(text, ecc)
	if err != nil {
		return nil, err
	}
	return m.image(px), nil
}

// image draws the matrix with its quiet zone at px pixels per module.
func (m *matrix) image(px int) *image.Gray {
	side := (m.n + 2*QuietZoneModules) * px
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < m.n; y++ {
		for x := 0; x < m.n; x++ {
			if !m.at(x, y) {
				continue
			}
			x0, y0 := (x+QuietZoneModules)*px, (y+QuietZoneModules)*px
			for dy := 0; dy < px; dy++ {
				row := img.Pix[(y0+dy)*img.Stride+x0:]
				for dx := 0; dx < px; dx++ {
					row[dx] = 0
				}
			}
		}
	}
	return img
}
