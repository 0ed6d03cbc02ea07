// Package raster is the reader's grey plane (Gray, a gozxing.LuminanceSource
// over its bytes) and the filters the strategies apply to it before binarizing:
// rotation, inversion, scaling, median, minimum and maximum, box blur, unsharp
// mask, lighting flattening, cropping, and a Wiener deconvolution (with its own
// fast Fourier transform). Each filter returns a new plane and leaves its input
// alone. It knows nothing of QR codes or budgets: the caller charges the work.
package raster

import (
	"image"

	"github.com/makiuchi-d/gozxing"
)

// Gray is an 8-bit luminance plane, row-major with no padding. It implements
// gozxing.LuminanceSource directly over its bytes, so the binarizers read the pixels
// without an At() call per pixel (measured: 50 ms instead of 560 ms on a 12 MP photo).
type Gray struct {
	gozxing.LuminanceSourceBase
	// Pix holds the pixels, Width a row, Height rows.
	Pix []byte
}

var _ gozxing.LuminanceSource = (*Gray)(nil)

// Wrap makes a plane of w×h pixels over pix (row-major, no padding), without a
// copy.
func Wrap(pix []byte, w, h int) *Gray {
	return &Gray{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: w, Height: h}, Pix: pix}
}

// New returns a black plane of w×h pixels.
func New(w, h int) *Gray { return Wrap(make([]byte, w*h), w, h) }

// GetRow implements gozxing.LuminanceSource.
func (g *Gray) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= g.Height {
		return nil, gozxing.NewFormatException("row %d outside the image", y)
	}
	if cap(row) < g.Width {
		row = make([]byte, g.Width)
	}
	row = row[:g.Width]
	copy(row, g.Pix[y*g.Width:(y+1)*g.Width])
	return row, nil
}

// GetMatrix implements gozxing.LuminanceSource. Callers must not modify the result.
func (g *Gray) GetMatrix() []byte { return g.Pix }

// Invert implements gozxing.LuminanceSource.
func (g *Gray) Invert() gozxing.LuminanceSource { return g.Inverted() }

// String implements gozxing.LuminanceSource.
func (g *Gray) String() string { return gozxing.LuminanceSourceString(g) }

// Inverted returns the image with every pixel's brightness reversed (255 - v).
func (g *Gray) Inverted() *Gray {
	o := New(g.Width, g.Height)
	for i, v := range g.Pix {
		o.Pix[i] = 255 - v
	}
	return o
}

// Rotated90 returns the image turned a quarter turn clockwise.
func (g *Gray) Rotated90() *Gray {
	w, h := g.Width, g.Height
	o := New(h, w)
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		nx := h - 1 - y
		for x, v := range row {
			o.Pix[x*h+nx] = v
		}
	}
	return o
}

// Upscaled returns the image enlarged by an integer factor. Bilinear interpolation
// keeps module edges soft so the binarizer places them between samples; nearest
// neighbour is used for clean synthetic images (nearest=true), where it is exact.
func (g *Gray) Upscaled(f int, nearest bool) *Gray {
	w, h := g.Width, g.Height
	o := New(w*f, h*f)
	ow := w * f
	if nearest {
		for y := 0; y < h; y++ {
			src := g.Pix[y*w : (y+1)*w]
			dst := o.Pix[y*f*ow : (y*f+1)*ow]
			for x, v := range src {
				for k := 0; k < f; k++ {
					dst[x*f+k] = v
				}
			}
			for k := 1; k < f; k++ {
				copy(o.Pix[(y*f+k)*ow:(y*f+k+1)*ow], dst)
			}
		}
		return o
	}
	// Bilinear, sampling source pixel centres: source coordinate (ox+0.5)/f-0.5.
	// Fixed point with 8 fractional bits.
	for oy := 0; oy < h*f; oy++ {
		sy := ((2*oy+1)*256)/(2*f) - 128
		if sy < 0 {
			sy = 0
		}
		y0 := sy >> 8
		fy := uint32(sy & 255)
		y1 := y0 + 1
		if y1 >= h {
			y1 = h - 1
		}
		r0 := g.Pix[y0*w : (y0+1)*w]
		r1 := g.Pix[y1*w : (y1+1)*w]
		dst := o.Pix[oy*ow : (oy+1)*ow]
		for ox := range dst {
			sx := ((2*ox+1)*256)/(2*f) - 128
			if sx < 0 {
				sx = 0
			}
			x0 := sx >> 8
			fx := uint32(sx & 255)
			x1 := x0 + 1
			if x1 >= w {
				x1 = w - 1
			}
			top := uint32(r0[x0])*(256-fx) + uint32(r0[x1])*fx
			bot := uint32(r1[x0])*(256-fx) + uint32(r1[x1])*fx
			dst[ox] = byte((top*(256-fy) + bot*fy + 1<<15) >> 16)
		}
	}
	return o
}

// Downscaled2 returns the image halved in each direction by averaging 2×2 blocks.
func (g *Gray) Downscaled2() *Gray {
	w, h := g.Width/2, g.Height/2
	o := New(w, h)
	sw := g.Width
	for y := 0; y < h; y++ {
		r0 := g.Pix[2*y*sw : (2*y+1)*sw]
		r1 := g.Pix[(2*y+1)*sw : (2*y+2)*sw]
		dst := o.Pix[y*w : (y+1)*w]
		for x := range dst {
			s := uint32(r0[2*x]) + uint32(r0[2*x+1]) + uint32(r1[2*x]) + uint32(r1[2*x+1])
			dst[x] = byte((s + 2) / 4)
		}
	}
	return o
}

// Median3 returns the image passed through a 3×3 median filter, which removes isolated
// specks (salt-and-pepper noise) while keeping module edges. Border pixels are copied.
func (g *Gray) Median3() *Gray {
	w, h := g.Width, g.Height
	o := New(w, h)
	copy(o.Pix, g.Pix)
	if w < 3 || h < 3 {
		return o
	}
	// Each column of three is sorted once and shared by the three windows that
	// contain it; the window's median is then the median of the columns' largest
	// low, median middle and smallest high (the classic 3×3 decomposition).
	// lo8/hi8 avoid branches, which on noisy images mispredict half the time
	// (Go compiles min and max on bytes to jumps): 19 conditional exchanges a
	// pixel took 600 ms on a large crop, a step too long for the time budget to
	// interrupt.
	lo := make([]byte, w)
	mid := make([]byte, w)
	hi := make([]byte, w)
	for y := 1; y < h-1; y++ {
		a := g.Pix[(y-1)*w : y*w]
		b := g.Pix[y*w : (y+1)*w]
		c := g.Pix[(y+1)*w : (y+2)*w]
		for x := range lo {
			p, q, r := a[x], b[x], c[x]
			l, m := lo8(p, q), hi8(p, q)
			m, hh := lo8(m, r), hi8(m, r)
			lo[x], mid[x], hi[x] = lo8(l, m), hi8(l, m), hh
		}
		dst := o.Pix[y*w : (y+1)*w]
		for x := 1; x < w-1; x++ {
			maxLo := hi8(hi8(lo[x-1], lo[x]), lo[x+1])
			minHi := lo8(lo8(hi[x-1], hi[x]), hi[x+1])
			dst[x] = median3of(maxLo, median3of(mid[x-1], mid[x], mid[x+1]), minHi)
		}
	}
	return o
}

// median3of returns the median of three values.
func median3of(a, b, c byte) byte {
	return hi8(lo8(a, b), lo8(hi8(a, b), c))
}

// lo8 and hi8 are min and max without a branch: d>>63 is all ones when a < b.
func lo8(a, b byte) byte {
	d := int(a) - int(b)
	return byte(int(b) + d&(d>>63))
}

func hi8(a, b byte) byte {
	d := int(a) - int(b)
	return byte(int(a) - d&(d>>63))
}

// Morph3 returns the image passed through a 3×3 minimum (dark=true: dark areas grow
// by a pixel) or maximum filter (light areas grow). The first and last rows are
// copied; the first and last columns take the 3×1 window above and below.
func (g *Gray) Morph3(dark bool) *Gray {
	w, h := g.Width, g.Height
	o := New(w, h)
	copy(o.Pix, g.Pix)
	if w < 3 || h < 3 {
		return o
	}
	// Separable: horizontal pass into tmp, then vertical. lo8 and hi8 rather than
	// min and max, each loop written out for one of them so they inline: without
	// branches, twice as fast on noisy images (see Median3).
	tmp := make([]byte, len(g.Pix))
	copy(tmp, g.Pix)
	for y := 0; y < h; y++ {
		src := g.Pix[y*w : (y+1)*w]
		dst := tmp[y*w : (y+1)*w]
		if dark {
			for x := 1; x < w-1; x++ {
				dst[x] = lo8(lo8(src[x-1], src[x]), src[x+1])
			}
		} else {
			for x := 1; x < w-1; x++ {
				dst[x] = hi8(hi8(src[x-1], src[x]), src[x+1])
			}
		}
	}
	for y := 1; y < h-1; y++ {
		a, b, c := tmp[(y-1)*w:y*w], tmp[y*w:(y+1)*w], tmp[(y+1)*w:(y+2)*w]
		dst := o.Pix[y*w : (y+1)*w]
		if dark {
			for x := range dst {
				dst[x] = lo8(lo8(a[x], b[x]), c[x])
			}
		} else {
			for x := range dst {
				dst[x] = hi8(hi8(a[x], b[x]), c[x])
			}
		}
	}
	return o
}

// BoxBlur returns the image averaged over a (2r+1)² box, which suppresses sensor
// noise that breaks the finder patterns' run-length checks. r must be under 128, so
// the row sums fit 16 bits (half the memory of 32-bit sums on a 16 MP plane).
func (g *Gray) BoxBlur(r int) *Gray {
	w, h := g.Width, g.Height
	o := New(w, h)
	tmp := make([]uint16, len(g.Pix))
	n := uint32(2*r + 1)
	for y := 0; y < h; y++ {
		src := g.Pix[y*w : (y+1)*w]
		dst := tmp[y*w : (y+1)*w]
		var acc uint32
		for x := -r; x <= r; x++ {
			acc += uint32(src[min(max(x, 0), w-1)])
		}
		for x := 0; x < w; x++ {
			dst[x] = uint16(acc)
			acc += uint32(src[min(x+r+1, w-1)])
			acc -= uint32(src[max(x-r, 0)])
		}
	}
	// The vertical pass keeps one running sum a column and walks the rows in
	// order: walking each column top to bottom strides a whole row a pixel and
	// took 130 ms on an 8.6 MP page, uninterruptible by the time budget.
	acc := make([]uint32, w)
	for y := -r; y <= r; y++ {
		row := tmp[min(max(y, 0), h-1)*w:][:w]
		for x, v := range row {
			acc[x] += uint32(v)
		}
	}
	nn := n * n
	for y := 0; y < h; y++ {
		dst := o.Pix[y*w : (y+1)*w]
		add := tmp[min(y+r+1, h-1)*w:][:w]
		sub := tmp[max(y-r, 0)*w:][:w]
		for x := range dst {
			a := acc[x]
			dst[x] = byte((a + nn/2) / nn)
			acc[x] = a + uint32(add[x]) - uint32(sub[x])
		}
	}
	return o
}

// Unsharp returns the image sharpened by an unsharp mask: each pixel pushed away
// from the mean of its (2r+1)² box by amount times the difference. A defocused
// webcam frame spreads each module over its neighbours (a disc of up to a module's
// radius); the mask restores the contrast between a module and its neighbours when
// the box is about a module wide, so r is chosen from the module size.
func (g *Gray) Unsharp(r int, amount float64) *Gray {
	b := g.BoxBlur(r)
	o := New(g.Width, g.Height)
	k := int32(amount * 256)
	for i, v := range g.Pix {
		x := int32(v) + (k*(int32(v)-int32(b.Pix[i]))+128)>>8
		o.Pix[i] = byte(min(255, max(0, x)))
	}
	return o
}

// Flattened returns the image divided by its (2r+1)² box mean, which removes
// illumination that varies slowly across the frame: a glare spot on a phone screen
// or a shadow raises or lowers modules and background together, and the ratio of
// a module to its surroundings survives where the absolute level does not. A pixel
// as bright as its neighbourhood maps to flatLevel; the mean is floored so the
// unlit border of a photo does not turn its noise into full-range contrast.
func (g *Gray) Flattened(r int) *Gray {
	const flatLevel, minMean = 192, 16
	bg := g.BoxBlur(r)
	o := New(g.Width, g.Height)
	for i, v := range g.Pix {
		m := max(uint32(bg.Pix[i]), minMean)
		o.Pix[i] = byte(min(255, (uint32(v)*flatLevel+m/2)/m))
	}
	return o
}

// Cropped is a copy of the part r of g; r must lie within g.
func (g *Gray) Cropped(r image.Rectangle) *Gray {
	o := New(r.Dx(), r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(o.Pix[(y-r.Min.Y)*o.Width:(y-r.Min.Y+1)*o.Width], g.Pix[y*g.Width+r.Min.X:y*g.Width+r.Max.X])
	}
	return o
}
