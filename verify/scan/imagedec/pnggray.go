package imagedec

import "image/color"

// Row converters of the PNG decoder: each turns one unfiltered row of samples into
// grey exactly as image/png's image followed by FromImage would (transparent pixels
// composited onto white, 16-bit samples by their high byte, colour by luma).

// converter returns the function that turns an unfiltered row into grey.
func (d *pngDecoder) converter() func(dst, src []byte) {
	switch {
	case d.ctype == pngGrey && d.depth == 16:
		return d.grey16
	case d.ctype == pngGrey, d.ctype == pngPalette:
		lut := d.sampleLuma()
		depth := d.depth
		return func(dst, src []byte) { unpackLUT(dst, src, depth, lut) }
	case d.ctype == pngGreyAlpha && d.depth == 8:
		return func(dst, src []byte) { alphaRows(dst, src, 2, 0, 0, 0, 1) }
	case d.ctype == pngGreyAlpha:
		return func(dst, src []byte) { alphaRows(dst, src, 4, 0, 0, 0, 2) }
	case d.ctype == pngRGBA && d.depth == 8:
		return func(dst, src []byte) { alphaRows(dst, src, 4, 0, 1, 2, 3) }
	case d.ctype == pngRGBA:
		return func(dst, src []byte) { alphaRows(dst, src, 8, 0, 2, 4, 6) }
	case d.depth == 8:
		return d.rgb8
	}
	return d.rgb16
}

// sampleLuma maps each sample value of a grey or paletted image of depth 8 or less
// to its grey level. A grey image's samples are scaled to 0–255, and the one the
// tRNS chunk names is transparent, so white; a palette's entries past the PLTE chunk
// are opaque black, as image/png makes them, and take their alpha from tRNS.
func (d *pngDecoder) sampleLuma() *[256]byte {
	var lut [256]byte
	if d.ctype == pngGrey {
		scale := byte(255 / (1<<d.depth - 1))
		for v := range 1 << d.depth {
			lut[v] = byte(v) * scale
			if d.trns != nil && lut[v] == d.trns[1]*scale {
				lut[v] = 255
			}
		}
		return &lut
	}
	for i := range lut {
		c := color.NRGBA{A: 0xff}
		if 3*i < len(d.plte) {
			c.R, c.G, c.B = d.plte[3*i], d.plte[3*i+1], d.plte[3*i+2]
		}
		if i < len(d.trns) {
			c.A = d.trns[i]
		}
		lut[i] = colorLuma(c)
	}
	return &lut
}

// unpackLUT looks up each depth-bit sample of src, most significant bits first.
func unpackLUT(dst, src []byte, depth int, lut *[256]byte) {
	if depth == 8 {
		src = src[:len(dst)]
		for x, v := range src {
			dst[x] = lut[v]
		}
		return
	}
	per, mask := 8/depth, byte(1<<depth-1)
	for x := range dst {
		shift := 8 - depth*(x%per+1)
		dst[x] = lut[src[x/per]>>shift&mask]
	}
}

// alphaRows converts pixels of size bytes with an alpha channel, reading the
// (high bytes of the) red, green, blue and alpha samples at offsets r, g, b, a, and
// composites them onto white.
func alphaRows(dst, src []byte, size, r, g, b, a int) {
	src = src[:size*len(dst)]
	for x := range dst {
		p := src[size*x : size*x+size]
		l := luma(uint32(p[r]), uint32(p[g]), uint32(p[b]))
		al := uint32(p[a])
		dst[x] = byte((l*al + 255*(255-al)) / 255)
	}
}

func (d *pngDecoder) grey16(dst, src []byte) {
	src = src[:2*len(dst)]
	for x := range dst {
		dst[x] = src[2*x]
		if d.trns != nil && src[2*x] == d.trns[0] && src[2*x+1] == d.trns[1] {
			dst[x] = 255
		}
	}
}

func (d *pngDecoder) rgb8(dst, src []byte) {
	src = src[:3*len(dst)]
	for x := range dst {
		p := src[3*x : 3*x+3]
		dst[x] = byte(luma(uint32(p[0]), uint32(p[1]), uint32(p[2])))
		// tRNS names an 8-bit colour by the low bytes of three 16-bit fields.
		if d.trns != nil && p[0] == d.trns[1] && p[1] == d.trns[3] && p[2] == d.trns[5] {
			dst[x] = 255
		}
	}
}

func (d *pngDecoder) rgb16(dst, src []byte) {
	src = src[:6*len(dst)]
	for x := range dst {
		p := src[6*x : 6*x+6]
		dst[x] = byte(luma(uint32(p[0]), uint32(p[2]), uint32(p[4])))
		if d.trns != nil && string(p) == string(d.trns) {
			dst[x] = 255
		}
	}
}
