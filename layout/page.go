package layout

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"passport/credential"
)

// VerifyInstruction is the line printed under the details telling the reader
// how to check the page. It is plain words: no markup, no command syntax.
const VerifyInstruction = "To verify: scan this code with the site's verifier station or the passport verify program. " +
	"Do not accept this page if its details differ from what the verifier shows."

// Type sizes in points at full scale. Body text is at least 11 pt; labels
// and table cells 10 pt. A page whose record is too long for these sizes
// is laid out again at a smaller scale (fitScales), never below minPt.
const (
	sizeName     = 24.0
	sizeNameMin  = 16.0 // below this a long name wraps onto a third line rather than shrinking
	sizeOrg      = 15.0
	sizeOrgMin   = 11.0
	sizeHeading  = 12.0
	sizeRole     = 13.0
	sizeRoleMin  = 10.0
	sizeBody     = 11.0
	sizeBodyMin  = 9.0
	sizeTable    = 10.0
	sizeLabel    = 10.0
	sizeValidity = 13.0

	// minPt is the smallest type printed: 7 pt stays legible on an office
	// laser printer and is what passports use for their smallest print.
	minPt = 7.0
)

// fitScales are the type scales tried in turn until a page fits. Nearly
// every record fits at the first; a long name, role and organisation
// together need the second or third; a record that does not fit at the
// last is refused (errDoesNotFit) rather than printed with text left out.
var fitScales = []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5}

// page draws one passport page (or one side of a card) at one scale.
type page struct {
	r     *Renderer
	pdf   *canvas
	c     *credential.Claims
	scale float64
	err   error     // the first reason the page does not fit
	memo  *pageMemo // what does not depend on the scale, shared by its tries; may be nil
}

// pageMemo keeps, across the type scales a page is tried at, what does not
// depend on the scale.
type pageMemo struct {
	rowsDone         bool
	checks, training [][]cell
}

// errDoesNotFit says which part of the record did not fit.
type errDoesNotFit struct{ what string }

func (e *errDoesNotFit) Error() string {
	return fmt.Sprintf("layout: the page cannot hold the whole record even in %g pt type: %s; "+
		"a printed page never shortens signed details, so shorten the longest fields of the HR record", minPt, e.what)
}

// fail records that part of the page did not fit; the renderer then tries
// a smaller scale.
func (p *page) fail(what string) {
	if p.err == nil {
		p.err = &errDoesNotFit{what}
	}
}

// sz is a type size at the page's scale, never below minPt.
func (p *page) sz(base float64) float64 { return max(minPt, base*p.scale) }

func (p *page) txt(s string) string { return clean(s, p.r.cov) }

func (p *page) font(style string, size float64, col [3]int) {
	p.pdf.SetFont(fontFamily, style, size)
	p.pdf.SetTextColor(col[0], col[1], col[2])
}

// lineH is a comfortable line height in mm for a type size in points.
func lineH(size float64) float64 { return size * ptToMM * 1.3 }

// wrap splits s into lines no wider than w in the current font. It breaks
// at spaces and after hyphens (double-barrelled names), and inside a word
// only when the word alone is wider than the line. Every character of s
// except the spaces at line breaks is kept.
func (p *page) wrap(s string, w float64) []string {
	if singleSpaced(s) && p.pdf.GetStringWidth(s) <= w {
		return []string{s} // the common case: one line, as given
	}
	type token struct {
		s     string
		space bool // a space follows it
	}
	var tokens []token
	for _, word := range strings.Fields(s) {
		for word != "" {
			i := strings.IndexRune(word, '-')
			if i <= 0 || i == len(word)-1 {
				tokens = append(tokens, token{s: word})
				break
			}
			tokens = append(tokens, token{s: word[:i+1]})
			word = word[i+1:]
		}
		tokens[len(tokens)-1].space = true
	}
	// Widths add up (the canvas does not kern), so a line is measured
	// as it grows rather than re-measured whole for every token.
	width := p.pdf.GetStringWidth
	spaceW := width(" ")
	var lines []string
	var line strings.Builder
	lineW, space := 0.0, false
	for _, t := range tokens {
		tw, gap := width(t.s), 0.0
		if line.Len() > 0 && space {
			gap = spaceW
		}
		if lineW+gap+tw <= w {
			if gap > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(t.s)
			lineW, space = lineW+gap+tw, t.space
			continue
		}
		if line.Len() > 0 {
			lines = append(lines, line.String())
			line.Reset()
		}
		// A token wider than the whole line is broken by characters.
		rest := t.s
		for utf8.RuneCountInString(rest) > 1 && width(rest) > w {
			cut, cw := 0, 0.0
			for i, r := range rest {
				rw := width(string(r))
				if i > 0 && cw+rw > w {
					break
				}
				cut, cw = i+utf8.RuneLen(r), cw+rw
			}
			if cut >= len(rest) {
				break
			}
			lines = append(lines, rest[:cut])
			rest = rest[cut:]
		}
		line.WriteString(rest)
		lineW, space = width(rest), t.space
	}
	if line.Len() > 0 || len(lines) == 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// singleSpaced reports whether s is non-empty words separated by single
// ASCII spaces, which wrap would give back unchanged on one line.
func singleSpaced(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prev := rune(0)
	for _, r := range s {
		if (r == ' ' && prev == ' ') || (r != ' ' && unicode.IsSpace(r)) {
			return false
		}
		prev = r
	}
	return true
}

// fitBlock chooses the type size for s in a block w mm wide: the largest
// size from size down to minSize (in half points) at which s takes at most
// maxLines lines without breaking inside a word. If none does, s is set at
// minSize on as many lines as it needs: the block grows, the text is never
// shortened. It leaves the font set to the chosen size.
func (p *page) fitBlock(s, style string, col [3]int, w, size, minSize float64, maxLines int) ([]string, float64) {
	minSize = min(max(minSize, minPt), size)
	for sz := size; ; sz -= 0.5 {
		sz = max(sz, minSize)
		p.font(style, sz, col)
		lines := p.wrap(s, w)
		if (len(lines) <= maxLines && !brokenWord(s, lines)) || sz <= minSize {
			return lines, sz
		}
	}
}

// brokenWord reports whether wrap had to break a word of s between
// characters (the lines then hold more words than s).
func brokenWord(s string, lines []string) bool {
	n := 0
	for _, l := range lines {
		n += len(strings.Fields(strings.ReplaceAll(l, "-", "- ")))
	}
	return n > len(strings.Fields(strings.ReplaceAll(s, "-", "- ")))
}

// text writes lines starting at (x, y) and returns the y below them.
func (p *page) text(x, y, w float64, lines []string, size float64, align string) float64 {
	h := lineH(size)
	for _, l := range lines {
		p.pdf.SetXY(x, y)
		p.pdf.CellFormat(w, h, l, "", 0, align, false, 0, "")
		y += h
	}
	return y
}

// issuerName is who issued the passport, by name with its code: the
// organisation named in the body when its code is the issuer's, else the
// issuer's code alone (a verifier refuses such a passport anyway).
func (p *page) issuerName() string {
	iss, emp := p.txt(p.c.Issuer), p.c.Body.Employment
	name := p.txt(emp.OrgName)
	switch {
	case iss == "":
		return name
	case name != "" && strings.EqualFold(p.txt(emp.OrgCode), iss):
		return name + " (" + iss + ")"
	}
	return iss
}

func (p *page) render(qr imageData, modules int, photo *Photo) {
	pdf, c := p.pdf, p.c
	emp := c.Body.Employment

	// Header: what this is and who issued it.
	y := marginTop
	// The header keeps its size at every scale, so that the code's
	// position on the page does not depend on how long the record is.
	label := sizeLabel
	p.font("B", label, colAccent)
	p.text(marginX, y, contentW, []string{"STAFF PASSPORT"}, label, "L")
	if code := p.txt(emp.OrgCode); code != "" {
		p.font("", label, colLabel)
		p.text(marginX, y, contentW, []string{"Organisation code " + code}, label, "R")
	}
	y += lineH(label) + 0.5
	org := p.txt(emp.OrgName)
	if org == "" {
		org = "(organisation name missing)"
	}
	lines, size := p.fitBlock(org, "B", colText, contentW, sizeOrg, sizeOrgMin, 2)
	y = p.text(marginX, y, contentW, lines, size, "L")
	y += 1.5
	pdf.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	pdf.SetLineWidth(0.6)
	pdf.Line(marginX, y, pageW-marginX, y)
	y += 6

	// Right column: the QR code, with its quiet zone inside the image.
	code := p.r.opts.CodeWidthMM
	imgW := code * float64(modules+2*QuietZoneModules) / float64(modules)
	qx, qy := pageW-marginX-imgW, y-QuietZoneModules*code/float64(modules)
	if qy < marginTop {
		qy = marginTop
	}
	pdf.image(qr, qx, qy, imgW, imgW)
	qrBottom := qy + imgW
	p.font("", label, colLabel)
	qrBottom = p.text(qx, qrBottom-1, imgW, []string{"Scan to verify"}, label, "C")

	// Left column: the photo, if any, and the holder.
	colW := qx - marginX - 6
	px, pw := marginX, colW
	left := y
	if photo != nil {
		ph := photoW * float64(photo.H) / float64(photo.W)
		pdf.image(photo.image(), marginX, y, photoW, ph)
		px, pw = marginX+photoW+4, colW-photoW-4
		left = y + ph + 3
	}
	left = max(left, p.person(px, y, pw))

	// Validity band, full width, then the tables down to the footer.
	y = p.validity(max(left, qrBottom) + 4)
	footer := p.footerHeight()
	p.tables(y+6, pageH-marginBottom-footer-4)
	p.footer(pageH - marginBottom - footer)
}

// person draws the name, role and identifiers in the left column and
// returns the y below them.
func (p *page) person(x, y, w float64) float64 {
	pdf, c := p.pdf, p.c
	per, emp := c.Body.Person, c.Body.Employment

	name, note := p.printedName()
	lines, size := p.fitBlock(name, "B", colText, w, p.sz(sizeName), p.sz(sizeNameMin), 2)
	y = p.text(x, y, w, lines, size, "L")
	if note != "" {
		lines, size = p.fitBlock(p.txt(note), "", colLabel, w, p.sz(sizeLabel), minPt, 2)
		y = p.text(x, y, w, lines, size, "L")
	}
	y += 2.5

	if role := p.txt(emp.Role); role != "" {
		lines, size = p.fitBlock(role, "B", colText, w, p.sz(sizeRole), p.sz(sizeRoleMin), 2)
		y = p.text(x, y, w, lines, size, "L")
	}
	if group := p.txt(emp.StaffGroup); group != "" {
		lines, size = p.fitBlock(group, "", colText, w, p.sz(sizeBody), p.sz(sizeBodyMin), 2)
		y = p.text(x, y, w, lines, size, "L")
	}
	y += 3

	reg := p.txt(per.Registration)
	if reg == "" {
		reg = "none recorded"
	}
	staff := p.txt(per.StaffNumber)
	if staff == "" {
		staff = "—"
	}
	rows := [][2]string{
		{"Staff number", staff},
		{"Professional registration", reg},
		{"Date of birth", per.DateOfBirth.Human()},
		{"In post since", emp.Start.Human()},
	}
	label, body := p.sz(sizeLabel), p.sz(sizeBody)
	p.font("", label, colLabel)
	labelW := 0.0
	for _, r := range rows {
		labelW = max(labelW, pdf.GetStringWidth(r[0])+3)
	}
	for _, r := range rows {
		p.font("", label, colLabel)
		pdf.SetXY(x, y)
		pdf.CellFormat(labelW, lineH(body), r[0], "", 0, "L", false, 0, "")
		vl, vs := p.fitBlock(r[1], "B", colText, w-labelW, body, p.sz(sizeBodyMin), 2)
		y = p.text(x+labelW, y, w-labelW, vl, vs, "L") + 0.6
	}
	return y + 3
}

// validity draws the full-width band with the passport's validity period
// and returns the y below it.
func (p *page) validity(y float64) float64 {
	pdf, c := p.pdf, p.c
	const padX, padY = 4.0, 2.5
	w := contentW - 2*padX
	vs, ls := p.sz(sizeValidity), p.sz(sizeLabel)
	p.font("B", vs, colText)
	vlines := p.wrap("Valid from "+humanTime(c.NotBefore)+" to "+humanTime(c.Expires), w)
	issued := "Issued " + humanTime(c.IssuedAt)
	if iss := p.issuerName(); iss != "" {
		issued += " by " + iss
	}
	p.font("", ls, colText)
	ilines := p.wrap(issued, w)
	boxH := 2*padY + float64(len(vlines))*lineH(vs) + float64(len(ilines))*lineH(ls)
	pdf.SetFillColor(colBoxBG[0], colBoxBG[1], colBoxBG[2])
	pdf.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	pdf.SetLineWidth(0.4)
	pdf.Rect(marginX, y, contentW, boxH, "FD")
	ty := y + padY
	p.font("B", vs, colText)
	ty = p.text(marginX+padX, ty, w, vlines, vs, "L")
	p.font("", ls, colText)
	p.text(marginX+padX, ty, w, ilines, ls, "L")
	return y + boxH
}

// printedName is the name as printed, and the line under it. A name the
// fonts can draw is printed as written, with its Latin-script form under
// it when that differs. A name they cannot draw (Render has checked it has
// a Latin-script form) is printed in Latin script, and the line under it
// says so: never question marks in place of letters.
func (p *page) printedName() (name, note string) {
	per := p.c.Body.Person
	latin := latinName(per.LatinName)
	if len(unprintable(per.Name, p.r.cov)) > 0 && latin != "" {
		return p.txt(latin), "Name in Latin script; the barcode holds it as written"
	}
	name = p.txt(per.Name)
	if name == "" {
		name = "(name missing)"
	}
	if latin != "" && latin != strings.ToUpper(name) {
		note = "Latin-script name: " + latin
	}
	return name, note
}

// latinName turns an ICAO 9303 name ("NGUYEN<THI<LAN", "SMITH<<JOHN") into
// spaced words for reading, with a comma after the primary identifier
// (surname) when the name has one: "SMITH, JOHN".
func latinName(s string) string {
	words := func(s string) string {
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' || unicode.IsSpace(r) }), " ")
	}
	primary, secondary, ok := strings.Cut(s, "<<")
	if p, sec := words(primary), words(secondary); ok && p != "" && sec != "" {
		return p + ", " + sec
	}
	return words(s)
}

// humanTime prints a time as the unambiguous date "02 Jan 2006" (its UTC
// calendar date, as credential.DateOf), or "—" when unset.
func humanTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return credential.DateOf(t).Human()
}

// Table geometry in mm at full scale.
const (
	rowHMax    = 6.6
	rowHMin    = 5.2
	headRowH   = 7.0
	titleH     = 8.0
	tablesGap  = 5.0
	cellPad    = 2.0
	expiredTag = " (expired)"
)

type column struct {
	title string
	w     float64
}

// cell is one table cell: its paragraphs (each wrapped to the column) and
// how it is coloured.
type cell struct {
	text    []string
	expired bool // printed in the warning colour with expiredTag
	missing bool // printed in the warning colour, as given
}

func textCell(s ...string) cell { return cell{text: s} }

// known is the first cell of an item's row: its name, and under it, in the
// warning colour, notKnownNote when this version does not understand it all.
func known(ok bool, name string) cell {
	if ok {
		return textCell(name)
	}
	return cell{text: []string{name, notKnownNote}, missing: true}
}

// rows builds the two tables' rows with every code turned into words.
// Required training subjects the record lacks get a "not recorded" row.
func (p *page) rows() (checks, training [][]cell) {
	if m := p.memo; m != nil {
		if !m.rowsDone {
			m.checks, m.training = p.buildRows()
			m.rowsDone = true
		}
		return m.checks, m.training
	}
	return p.buildRows()
}

// buildRows is rows without the memo.
func (p *page) buildRows() (checks, training [][]cell) {
	c := p.c
	issued := credential.DateOf(c.IssuedAt)
	expired := func(d credential.Date) bool { return !d.IsZero() && !c.IssuedAt.IsZero() && d.Before(issued) }
	done := func(d credential.Date) cell { return textCell(d.Human()) }
	expires := func(d credential.Date) cell { return cell{text: []string{d.Human()}, expired: expired(d)} }

	for _, ch := range c.Body.Checks {
		outcome := textCell(outcomeLabel(ch.Outcome))
		if lvl := p.txt(checkLevelLabel(ch)); lvl != "" {
			outcome.text = append(outcome.text, lvl)
		}
		checks = append(checks, []cell{known(ch.Known(), checkTypeLabel(ch.Type)), outcome, done(ch.Done), expires(ch.Expires)})
	}
	row := func(t credential.Training) []cell {
		return []cell{known(t.Known(), p.txt(trainingLabel(t))), done(t.Completed), expires(t.Expires)}
	}
	seen := map[credential.Subject]bool{}
	for _, s := range requiredSubjects() {
		seen[s] = true
		found := false
		for _, t := range c.Body.Training {
			if t.Subject == s {
				training = append(training, row(t))
				found = true
			}
		}
		if !found {
			training = append(training, []cell{textCell(subjectLabel(s)), {text: []string{notRecorded}, missing: true}, textCell("")})
		}
	}
	for _, t := range c.Body.Training {
		if !seen[t.Subject] {
			training = append(training, row(t))
		}
	}
	return checks, training
}

// tables draws the employment checks and training tables between top and
// bottom, shrinking row height to fit. Every row is printed whole: if the
// rows cannot fit, the page fails and is laid out at a smaller scale.
func (p *page) tables(top, bottom float64) {
	checks, training := p.rows()
	k := p.scale
	checkCols := []column{{"Check", 40}, {"Outcome / level", 66}, {"Done", 28}, {"Expires", 40}}
	trainCols := []column{{"Subject", 106}, {"Completed", 28}, {"Expires", 40}}
	cr, tr := p.layRows(checkCols, checks), p.layRows(trainCols, training)
	ch, cl := p.measure(cr)
	th, tl := p.measure(tr)
	fixed := 2*(titleH+headRowH)*k + tablesGap*k
	// Rows of one line share what is left; rows of several lines take
	// the height their lines need.
	avail := bottom - top - fixed - ch - th
	ones := max(cl, 1) + max(tl, 1)
	// A row is never lower than its line of type, whatever the scale.
	rowMin := max(rowHMin*k, lineH(p.sz(sizeTable))+0.8)
	rowH := min(max(rowHMax*k, rowMin), avail/float64(ones))
	if rowH < rowMin {
		need := fixed + ch + th + float64(ones)*rowMin
		p.fail(fmt.Sprintf("its %d check and %d training rows need %.0f mm, and the details above them leave %.0f mm",
			len(checks), len(training), need, bottom-top))
		rowH = rowMin
	}
	y := p.table(top, "Employment checks", checkCols, cr, rowH, "No employment checks recorded.")
	y += tablesGap * k
	p.table(y, "Core Skills training", trainCols, tr, rowH, "No training recorded.")
}

// laidRow is a table row wrapped to its columns: each cell's lines, and
// the most lines of any cell.
type laidRow struct {
	cells []cell
	lines [][]string
	n     int
}

// layRows wraps every cell of rows to its column in the table font.
func (p *page) layRows(cols []column, rows [][]cell) []laidRow {
	p.font("", p.sz(sizeTable), colText)
	out := make([]laidRow, len(rows))
	for i, r := range rows {
		lr := laidRow{cells: r, lines: make([][]string, min(len(r), len(cols))), n: 1}
		for j := range lr.lines {
			lr.lines[j] = p.cellLines(r[j], cols[j].w-2*cellPad)
			lr.n = max(lr.n, len(lr.lines[j]))
		}
		out[i] = lr
	}
	return out
}

// measure gives the total height of the rows that wrap onto more than one
// line, and how many rows take one line.
func (p *page) measure(rows []laidRow) (multi float64, ones int) {
	for _, r := range rows {
		if r.n > 1 {
			multi += float64(r.n)*lineH(p.sz(sizeTable)) + 1
		} else {
			ones++
		}
	}
	return multi, ones
}

// cellLines wraps a cell's paragraphs to width w in the current font.
func (p *page) cellLines(cl cell, w float64) []string {
	var lines []string
	for i, s := range cl.text {
		if cl.expired && i == len(cl.text)-1 {
			s += expiredTag
		}
		if s != "" {
			lines = append(lines, p.wrap(s, w)...)
		}
	}
	return lines
}

// table draws a titled table and returns the y below it.
func (p *page) table(y float64, title string, cols []column, rows []laidRow, rowH float64, empty string) float64 {
	pdf, k := p.pdf, p.scale
	hs, ts := p.sz(sizeHeading), p.sz(sizeTable)
	p.font("B", hs, colAccent)
	p.text(marginX, y, contentW, []string{title}, hs, "L")
	y += titleH * k

	pdf.SetFillColor(colHeadBG[0], colHeadBG[1], colHeadBG[2])
	pdf.Rect(marginX, y, contentW, headRowH*k, "F")
	p.font("B", p.sz(sizeLabel), colText)
	x := marginX
	for _, col := range cols {
		pdf.SetXY(x+cellPad, y)
		pdf.CellFormat(col.w-2*cellPad, headRowH*k, col.title, "", 0, "LM", false, 0, "")
		x += col.w
	}
	y += headRowH * k

	pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	pdf.SetLineWidth(0.2)
	if len(rows) == 0 {
		p.font("", ts, colLabel)
		pdf.SetXY(marginX+cellPad, y)
		pdf.CellFormat(contentW-2*cellPad, rowH, empty, "", 0, "LM", false, 0, "")
		y += rowH
		pdf.Line(marginX, y, marginX+contentW, y)
		return y
	}
	lh := lineH(ts)
	for i, r := range rows {
		h := rowH
		if r.n > 1 {
			h = max(rowH, float64(r.n)*lh+1)
		}
		if i%2 == 1 {
			pdf.SetFillColor(colZebraBG[0], colZebraBG[1], colZebraBG[2])
			pdf.Rect(marginX, y, contentW, h, "F")
		}
		x := marginX
		for j, lines := range r.lines {
			col := colText
			if r.cells[j].expired || r.cells[j].missing {
				col = colExpired
			}
			p.font("", ts, col)
			ty := y + (h-float64(len(lines))*lh)/2
			p.text(x+cellPad, ty, cols[j].w-2*cellPad, lines, ts, "L")
			x += cols[j].w
		}
		y += h
		pdf.Line(marginX, y, marginX+contentW, y)
	}
	return y
}

// footer lines, measured by footerHeight and drawn by footer.
func (p *page) footerLines() (verify, contact, id []string) {
	// The instruction and the contact are the same on every page of a
	// renderer: wrapped once per type scale.
	type fixed struct{ verify, contact []string }
	if f, ok := p.r.footers.Load(p.scale); ok {
		verify, contact = f.(fixed).verify, f.(fixed).contact
	} else {
		p.font("B", p.sz(sizeBody), colText)
		verify = p.wrap(VerifyInstruction, contentW)
		if c := p.r.opts.Contact; c != "" {
			p.font("", p.sz(sizeBody), colText)
			contact = p.wrap(ConfirmPrefix+p.txt(c), contentW)
		}
		p.r.footers.Store(p.scale, fixed{verify, contact})
	}
	p.font("", p.sz(sizeLabel), colLabel)
	cid := p.c.IDString()
	if cid == "" {
		cid = "— (missing)"
	}
	id = p.wrap("Credential id "+cid, contentW)
	return verify, contact, id
}

func (p *page) footerHeight() float64 {
	v, c, id := p.footerLines()
	return 3 + float64(len(v)+len(c))*lineH(p.sz(sizeBody)) + 1 + float64(len(id))*lineH(p.sz(sizeLabel))
}

// footer draws the verification instruction, the issuer's contact and the
// credential id at y.
func (p *page) footer(y float64) {
	pdf := p.pdf
	pdf.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	pdf.SetLineWidth(0.4)
	pdf.Line(marginX, y, pageW-marginX, y)
	y += 3
	v, c, id := p.footerLines()
	p.font("B", p.sz(sizeBody), colText)
	y = p.text(marginX, y, contentW, v, p.sz(sizeBody), "L")
	p.font("", p.sz(sizeBody), colText)
	y = p.text(marginX, y, contentW, c, p.sz(sizeBody), "L") + 1
	p.font("", p.sz(sizeLabel), colLabel)
	p.text(marginX, y, contentW, id, p.sz(sizeLabel), "L")
}
