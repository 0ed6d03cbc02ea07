package layout

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // photos may be PNG
	"io"
	"os"

	"golang.org/x/image/draw"

	"passport/credential"
)

// Card geometry in millimetres: ID-1 (ISO/IEC 7810), the size of a bank card.
const (
	cardW, cardH = 85.6, 53.98
	// cardCodeMM is the printed width of the card's QR image, quiet zone
	// included: the card's full height less a 1.5 mm margin each side.
	cardCodeMM = cardH - 2*1.5
	cardMargin = 3.5
	cardPhotoW = 21.0
	photoW     = 30.0 // photo width on the A4 page
)

// Photo limits: HR photos are passport-style portraits; anything larger is
// a mistake (a raw camera file) that would slow the whole batch.
const (
	// MaxPhotoBytes is the largest photo file read (a 12-megapixel JPEG is
	// about 5 MB).
	MaxPhotoBytes = 20 << 20
	// MaxPhotoPixels caps the decoded size (50 megapixels, 200 MB as RGBA).
	MaxPhotoPixels = 50_000_000
	// photoMaxW, photoMaxH: photos are scaled down to fit, about 300 dpi at
	// the printed size, then stored as JPEG (quality photoQuality).
	photoMaxW, photoMaxH = 360, 450
	photoQuality         = 85
)

// Photo is a holder's photo prepared for printing: scaled to print
// resolution and JPEG-compressed. Prepare it once per person.
type Photo struct {
	W, H int
	data []byte
}

// LoadPhoto reads a JPEG or PNG photo file and prepares it.
func LoadPhoto(path string) (*Photo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the photo: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the photo: %v", err)
	}
	if len(b) > MaxPhotoBytes {
		return nil, fmt.Errorf("the photo is over %d MB; export a smaller JPEG", MaxPhotoBytes>>20)
	}
	return PreparePhoto(b)
}

// PreparePhoto decodes a JPEG or PNG photo, scales it to fit
// photoMaxW×photoMaxH and compresses it as JPEG.
func PreparePhoto(b []byte) (*Photo, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, errors.New("the photo is not a readable JPEG or PNG image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return nil, fmt.Errorf("the photo is %d×%d pixels, over the %d-megapixel limit", cfg.Width, cfg.Height, MaxPhotoPixels/1_000_000)
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("the photo cannot be decoded: %v", err)
	}
	w, h := cfg.Width, cfg.Height
	if w > photoMaxW || h > photoMaxH {
		s := min(float64(photoMaxW)/float64(w), float64(photoMaxH)/float64(h))
		w, h = max(1, int(float64(w)*s+0.5)), max(1, int(float64(h)*s+0.5))
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: photoQuality}); err != nil {
		return nil, fmt.Errorf("cannot compress the photo: %v", err)
	}
	return &Photo{W: w, H: h, data: out.Bytes()}, nil
}

func (p *Photo) image() imageData {
	return imageData{
		dict: fmt.Sprintf("/Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", p.W, p.H),
		data: p.data,
	}
}

// Card type sizes in points. The name and role are the largest text on
// the card; the body stays at 11 pt as on the A4 page.
const (
	cardSizeName  = 14.0
	cardSizeBody  = 11.0
	cardSizeSmall = 8.0
)

// card lays out the front and back of a wallet card.
func (r *Renderer) card(c *credential.Claims, qr imageData, photo *Photo) []*canvas {
	front := newCanvas(r.faces, cardW, cardH)
	p := &page{r: r, pdf: front, c: c}
	per, emp := c.Body.Person, c.Body.Employment

	// Header band: organisation, on the accent colour.
	const band = 8.0
	front.SetFillColor(colAccent[0], colAccent[1], colAccent[2])
	front.Rect(0, 0, cardW, band, "F")
	org := p.txt(emp.OrgName)
	if org == "" {
		org = "(organisation name missing)"
	}
	p.font("B", cardSizeSmall, [3]int{255, 255, 255})
	p.text(cardMargin, 0.6, cardW-2*cardMargin, []string{p.fit(org, cardW-2*cardMargin)}, cardSizeSmall, "L")
	p.font("", cardSizeSmall-1, [3]int{255, 255, 255})
	p.text(cardMargin, 4.2, cardW-2*cardMargin, []string{"STAFF PASSPORT"}, cardSizeSmall-1, "L")

	x, w := cardMargin, cardW-2*cardMargin
	y := band + 2.5
	if photo != nil {
		ph := min(cardPhotoW*float64(photo.H)/float64(photo.W), cardH-band-4-9)
		front.image(photo.image(), cardMargin, y, cardPhotoW, ph)
		x, w = cardMargin+cardPhotoW+3, w-cardPhotoW-3
	}
	name := p.txt(per.Name)
	if name == "" {
		name = "(name missing)"
	}
	size := cardSizeName
	p.font("B", size, colText)
	for size > 12 && p.pdf.GetStringWidth(name) > w {
		size -= 0.5
		p.font("B", size, colText)
	}
	y = p.text(x, y, w, p.wrapAtMost(name, w, 2), size, "L")
	if role := p.txt(emp.Role); role != "" {
		p.font("", cardSizeBody, colText)
		y = p.text(x, y, w, p.wrapAtMost(role, w, 2), cardSizeBody, "L")
	}
	staff := p.txt(per.StaffNumber)
	p.font("", cardSizeSmall, colLabel)
	p.text(x, y+0.5, w, []string{p.fit("Staff no. "+staff, w)}, cardSizeSmall, "L")

	// Validity band at the bottom, full width.
	const vb = 7.5
	front.SetFillColor(colBoxBG[0], colBoxBG[1], colBoxBG[2])
	front.Rect(0, cardH-vb, cardW, vb, "F")
	p.font("B", cardSizeBody, colText)
	p.text(cardMargin, cardH-vb+0.6, cardW-2*cardMargin, []string{p.fit("Valid to "+humanTime(c.Expires), cardW-2*cardMargin)}, cardSizeBody, "L")

	// Back: the code at the full card height, details beside it.
	back := newCanvas(r.faces, cardW, cardH)
	b := &page{r: r, pdf: back, c: c}
	img := cardCodeMM
	back.image(qr, 1.5, 1.5, img, img)
	bx := 1.5 + img + 1.5
	bw := cardW - bx - 2
	b.font("B", cardSizeBody, colText)
	by := b.text(bx, 3, bw, b.wrap("Scan to verify", bw), cardSizeBody, "L")
	b.font("", cardSizeSmall, colText)
	by = b.text(bx, by+1, bw, b.wrapAtMost(name, bw, 3), cardSizeSmall, "L")
	by = b.text(bx, by, bw, []string{"Issued " + humanTime(c.IssuedAt)}, cardSizeSmall, "L")
	by = b.text(bx, by, bw, []string{"Expires " + humanTime(c.Expires)}, cardSizeSmall, "L")
	b.font("", 6.5, colLabel)
	cid := c.IDString()
	b.text(bx, by+1, bw, []string{"Credential id", cid[:min(len(cid), 16)], cid[min(len(cid), 16):]}, 6.5, "L")
	b.font("", 6.5, colLabel)
	b.text(bx, cardH-9, bw, b.wrapAtMost("If found, return to "+org, bw, 3), 6.5, "L")
	return []*canvas{front, back}
}
