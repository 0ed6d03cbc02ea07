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

// Card type sizes in points at full scale. The name and role are the
// largest text on the card; the body stays at 11 pt as on the A4 page.
const (
	cardSizeName    = 14.0
	cardSizeNameMin = 10.0
	cardSizeBody    = 11.0
	cardSizeSmall   = 8.0
)

var white = [3]int{255, 255, 255}

// card lays out the front and back of a wallet card at scale k, or says
// what did not fit.
func (r *Renderer) card(c *credential.Claims, qr imageData, photo *Photo, k float64) ([]*canvas, error) {
	front := newCanvas(r.faces, cardW, cardH)
	p := &page{r: r, pdf: front, c: c, scale: k}
	per, emp := c.Body.Person, c.Body.Employment
	org := p.txt(emp.OrgName)
	if org == "" {
		org = "(organisation name missing)"
	}
	name, _ := p.printedName()
	x, w := cardMargin, cardW-2*cardMargin

	// Header band: organisation, on the accent colour, as tall as its
	// name needs.
	orgLines, orgSize := p.fitBlock(org, "B", white, w, p.sz(cardSizeSmall), minPt, 2)
	band := 0.6 + float64(len(orgLines))*lineH(orgSize) + lineH(p.sz(cardSizeSmall-1)) + 0.4
	front.SetFillColor(colAccent[0], colAccent[1], colAccent[2])
	front.Rect(0, 0, cardW, band, "F")
	by := p.text(x, 0.6, w, orgLines, orgSize, "L")
	p.font("", p.sz(cardSizeSmall-1), white)
	p.text(x, by, w, []string{"STAFF PASSPORT"}, p.sz(cardSizeSmall-1), "L")

	// Validity band at the bottom, full width.
	vs := p.sz(cardSizeBody)
	vb := lineH(vs) + 2.5
	front.SetFillColor(colBoxBG[0], colBoxBG[1], colBoxBG[2])
	front.Rect(0, cardH-vb, cardW, vb, "F")
	vlines, vsize := p.fitBlock("Valid to "+humanTime(c.Expires), "B", colText, w, vs, minPt, 1)
	p.text(x, cardH-vb+1.2, w, vlines, vsize, "L")

	y := band + 2.5
	if photo != nil {
		ph := min(cardPhotoW*float64(photo.H)/float64(photo.W), cardH-vb-y-1)
		front.image(photo.image(), cardMargin, y, cardPhotoW, ph)
		x, w = cardMargin+cardPhotoW+3, w-cardPhotoW-3
	}
	lines, size := p.fitBlock(name, "B", colText, w, p.sz(cardSizeName), p.sz(cardSizeNameMin), 2)
	y = p.text(x, y, w, lines, size, "L")
	if role := p.txt(emp.Role); role != "" {
		lines, size = p.fitBlock(role, "", colText, w, p.sz(cardSizeBody), minPt, 2)
		y = p.text(x, y, w, lines, size, "L")
	}
	lines, size = p.fitBlock("Staff no. "+p.txt(per.StaffNumber), "", colLabel, w, p.sz(cardSizeSmall), minPt, 1)
	y = p.text(x, y+0.5, w, lines, size, "L")
	// The site's ACCEPT asks for photo ID with the name and date of birth:
	// the card carries the date to compare.
	lines, size = p.fitBlock("Born "+per.DateOfBirth.Human(), "", colLabel, w, p.sz(cardSizeSmall), minPt, 1)
	y = p.text(x, y, w, lines, size, "L")
	if y > cardH-vb {
		p.fail("the name, role, staff number and date of birth do not fit on the front of the card")
	}

	if p.err != nil {
		return nil, p.err
	}
	back, err := r.cardBack(c, qr, name, org)
	if err != nil {
		return nil, err
	}
	return []*canvas{front, back}, nil
}

// cardBack lays out the back of a card: the code at the full card height,
// the details beside it. It is fitted on its own, so that a long name on
// the back does not shrink the front: first with the organisation named
// at each scale, then, for a name too long for the narrow column, with a
// reference to the front, where the organisation is printed whole.
func (r *Renderer) cardBack(c *credential.Claims, qr imageData, name, org string) (*canvas, error) {
	var err error
	// Three tries at the return line, each at every scale: the organisation
	// named; a reference to the front; and, for the longest names beside a
	// contact, the contact line alone, which also says where to return it.
	for try := 0; try < 3; try++ {
		if try == 2 && r.opts.Contact == "" {
			break
		}
		for _, k := range fitScales {
			back := newCanvas(r.faces, cardW, cardH)
			b := &page{r: r, pdf: back, c: c, scale: k}
			img := cardCodeMM
			back.image(qr, 1.5, 1.5, img, img)
			bx := 1.5 + img + 1.5
			bw := cardW - bx - 2
			small, tiny := b.sz(cardSizeSmall), minPt
			lines, size := b.fitBlock("Scan to verify", "B", colText, bw, b.sz(cardSizeBody), minPt, 1)
			y := b.text(bx, 3, bw, lines, size, "L")
			b.font("", small, colText)
			y = b.text(bx, y+1, bw, b.wrap(name, bw), small, "L")
			y = b.text(bx, y, bw, b.wrap("Issued "+humanTime(c.IssuedAt), bw), small, "L")
			y = b.text(bx, y, bw, b.wrap("Expires "+humanTime(c.Expires), bw), small, "L")
			b.font("", tiny, colLabel)
			cid := c.IDString()
			y = b.text(bx, y+1, bw, []string{"Credential id", cid[:min(len(cid), 16)], cid[min(len(cid), 16):]}, tiny, "L")
			var rl []string
			if c := r.opts.Contact; c != "" {
				rl = b.wrap(ConfirmPrefix+b.txt(c), bw)
			}
			switch try {
			case 0:
				rl = append(rl, b.wrap("If found, return to "+org, bw)...)
			case 1:
				rl = append(rl, b.wrap("If found, return to the organisation named on the front", bw)...)
			case 2:
				rl = append(rl, b.wrap("If found, send it there", bw)...)
			}
			rt := cardH - 1.5 - float64(len(rl))*lineH(tiny)
			b.text(bx, rt, bw, rl, tiny, "L")
			if y > rt {
				b.fail("the name does not fit beside the code on the back of the card")
			}
			if err = b.err; err == nil {
				return back, nil
			}
		}
	}
	return nil, err
}
