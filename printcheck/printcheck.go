// Package printcheck is the issuer's print-quality gate: before a passport
// is released it renders the code as a worn office printer and a 150-dpi
// scanner would, degrades it, and reads it back with the verifier's own
// reader. A page whose code does not survive is not released.
package printcheck

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"passport/layout"
	"passport/verify/scan"
)

// Scan describes the poor scan the gate simulates.
type Scan struct {
	DPI         float64 // scanner resolution
	RotateDeg   float64 // page placed slightly askew
	Blur        int     // box-blur passes (ink spread + scanner optics)
	Low, High   uint8   // contrast: black prints as Low, white as High (faded toner, grey paper)
	Noise       int     // ± uniform noise per pixel (sensor noise, paper texture)
	JPEGQuality int     // the scanner's "small file" setting
	Fold        bool    // a crease across the code: a band of washed-out, shifted modules
	Stains      int     // round marks (coffee, ink, worn patches) about 3 modules across
}

// PoorScan is the default gate: a 150-dpi scan, askew, faded and noisy,
// saved as a small JPEG — worse than a desk scanner's defaults, so a code
// that passes has margin left. It is set so that no well-printed passport
// fails (0 of 100 A4 codes in TestGateAcceptsNormalPassports' sweep; a
// harsher setting with noise ±24 refused 5% of good pages), while a code
// printed too small or too dense for the paper does.
var PoorScan = Scan{DPI: 150, RotateDeg: 2, Blur: 1, Low: 60, High: 215, Noise: 16, JPEGQuality: 50}

// Check simulates printing text as a QR code codeWidthMM wide at level ecc,
// scanning it as s describes, and reading it back. It returns nil only when
// the reader recovers exactly text.
func Check(text, ecc string, codeWidthMM float64, s Scan) error {
	img, err := Render(text, ecc, codeWidthMM, s)
	if err != nil {
		return err
	}
	return readBack(img, text, s)
}

// CheckPassport is the gate for a rendered passport: it takes the QR symbol
// exactly as the page prints it, at its printed size, through the scan s
// and reads it back.
func CheckPassport(p *layout.Passport, text string, s Scan) error {
	sym, moduleMM := p.Code()
	if sym == nil || moduleMM <= 0 {
		return fmt.Errorf("the passport has no printed code")
	}
	img, err := RenderSymbol(sym, moduleMM, s, text)
	if err != nil {
		return err
	}
	return readBack(img, text, s)
}

func readBack(img *image.Gray, text string, s Scan) error {
	codes, err := scan.Decode(img)
	if err != nil {
		return fmt.Errorf("the code did not read back from a simulated poor scan (%g dpi, %g° askew, faded, JPEG q%d)", s.DPI, s.RotateDeg, s.JPEGQuality)
	}
	for _, c := range codes {
		if c.Text == text {
			return nil
		}
	}
	return fmt.Errorf("the code read back as different text from a simulated poor scan")
}

// Render produces the degraded scan image that Check reads.
func Render(text, ecc string, codeWidthMM float64, s Scan) (*image.Gray, error) {
	sym, err := layout.QR(text, ecc, 1)
	if err != nil {
		return nil, err
	}
	modules := float64(sym.Bounds().Dx() - 2*layout.QuietZoneModules)
	return RenderSymbol(sym, codeWidthMM/modules, s, text)
}

// RenderSymbol degrades a QR symbol (one pixel per module, quiet zone
// included) printed with modules moduleMM wide; seed makes the noise
// repeatable.
func RenderSymbol(sym *image.Gray, moduleMM float64, s Scan, seed string) (*image.Gray, error) {
	n := sym.Bounds().Dx() // modules, quiet zone included
	pxPerModule := moduleMM / 25.4 * s.DPI
	margin := 24
	size := int(math.Ceil(float64(n)*pxPerModule)) + 2*margin
	out := image.NewGray(image.Rect(0, 0, size, size))
	sin, cos := math.Sincos(s.RotateDeg * math.Pi / 180)
	c := float64(size) / 2
	const ss = 3 // supersamples per axis: area-averaging like a scanner's CCD
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			sum := 0
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					fx := float64(x) + (float64(sx)+0.5)/ss - c
					fy := float64(y) + (float64(sy)+0.5)/ss - c
					// rotate back into the symbol's frame, in modules
					mx := (fx*cos+fy*sin)/pxPerModule + float64(n)/2
					my := (-fx*sin+fy*cos)/pxPerModule + float64(n)/2
					v := 255
					if mx >= 0 && my >= 0 && int(mx) < n && int(my) < n {
						v = int(sym.Pix[int(my)*sym.Stride+int(mx)])
					}
					sum += v
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / (ss * ss))
		}
	}
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 1))
	damage(out, s, pxPerModule, margin, rng)
	for i := 0; i < s.Blur; i++ {
		out = boxBlur(out)
	}
	span := int(s.High) - int(s.Low)
	for i, v := range out.Pix {
		p := int(s.Low) + int(v)*span/255
		if s.Noise > 0 {
			p += rng.IntN(2*s.Noise+1) - s.Noise
		}
		out.Pix[i] = uint8(min(255, max(0, p)))
	}
	if s.JPEGQuality > 0 {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, out, &jpeg.Options{Quality: s.JPEGQuality}); err != nil {
			return nil, fmt.Errorf("print check: JPEG encoding: %w", err)
		}
		dec, err := jpeg.Decode(&b)
		if err != nil {
			return nil, fmt.Errorf("print check: JPEG decoding: %w", err)
		}
		g, ok := dec.(*image.Gray)
		if !ok {
			return nil, fmt.Errorf("print check: JPEG decoded as %T, not gray", dec)
		}
		out = g
	}
	return out, nil
}

// damage applies localised physical damage: the kind that error correction
// exists for, as opposed to the global blur and noise that module size fights.
func damage(img *image.Gray, s Scan, pxPerModule float64, margin int, rng *rand.Rand) {
	size := img.Bounds().Dx()
	if s.Fold {
		// A crease at a random height, slightly slanted: 1.5 modules of
		// smeared grey where toner cracked off.
		y0 := float64(margin) + rng.Float64()*float64(size-2*margin)
		slope := (rng.Float64() - 0.5) * 0.2
		half := 0.75 * pxPerModule
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				if d := math.Abs(float64(y) - (y0 + slope*float64(x))); d < half {
					i := y*img.Stride + x
					img.Pix[i] = uint8((int(img.Pix[i]) + 3*170) / 4)
				}
			}
		}
	}
	for k := 0; k < s.Stains; k++ {
		cx := float64(margin) + rng.Float64()*float64(size-2*margin)
		cy := float64(margin) + rng.Float64()*float64(size-2*margin)
		r := 1.5 * pxPerModule
		shade := uint8(40)
		if rng.IntN(2) == 0 {
			shade = 230
		}
		for y := max(0, int(cy-r)); y < min(size, int(cy+r)+1); y++ {
			for x := max(0, int(cx-r)); x < min(size, int(cx+r)+1); x++ {
				if math.Hypot(float64(x)-cx, float64(y)-cy) <= r {
					img.Pix[y*img.Stride+x] = shade
				}
			}
		}
	}
}

func boxBlur(src *image.Gray) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(b)
	w, h := b.Dx(), b.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum, cnt := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx >= 0 && yy >= 0 && xx < w && yy < h {
						sum += int(src.Pix[yy*src.Stride+xx])
						cnt++
					}
				}
			}
			dst.Pix[y*dst.Stride+x] = uint8(sum / cnt)
		}
	}
	return dst
}
