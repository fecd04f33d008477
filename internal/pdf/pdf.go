// Package pdf renders the API's printable documents (schemes of work, records
// of work, lesson plans) in pure Go, so the API stays one static binary.
//
// It draws with codeberg.org/go-pdf/fpdf and embeds the Liberation Sans
// TrueType fonts (metric-compatible with Arial/Helvetica, SIL Open Font
// Licence) so any Unicode text a teacher types prints as typed. Text is only
// ever drawn as text: nothing a user writes is interpreted as markup.
package pdf

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
)

// Orientation of a document's pages.
type Orientation string

// Page orientations.
const (
	Portrait  Orientation = "P"
	Landscape Orientation = "L"
)

const (
	family     = "Sans"
	margin     = 8.0 // mm
	cellPad    = 1.2 // mm inside a table cell
	footerSize = 7.0
)

// Options describe a new document.
type Options struct {
	Orientation Orientation
	Title       string    // the PDF's metadata title and the footer's left text
	Created     time.Time // the PDF's creation date (fixed, so output is reproducible)
}

// Document is one PDF being drawn, A4. Its methods draw top to bottom and
// start new pages as needed; Bytes finishes it.
type Document struct {
	f     *fpdf.Fpdf
	title string
}

// New starts an A4 document.
func New(o Options) *Document {
	if o.Orientation == "" {
		o.Orientation = Portrait
	}
	f := fpdf.New(string(o.Orientation), "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", liberationsansregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", liberationsansbold.TTF)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, margin)
	f.SetTitle(clean(o.Title), true)
	f.SetCreator("TeachTrack", true)
	f.SetProducer("TeachTrack", true)
	if !o.Created.IsZero() {
		f.SetCreationDate(o.Created)
		f.SetModificationDate(o.Created)
	}
	f.SetCatalogSort(true)
	d := &Document{f: f, title: clean(o.Title)}
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		_, h := f.GetPageSize()
		w := d.width()
		f.SetFont(family, "", footerSize)
		f.SetTextColor(110, 110, 110)
		f.SetXY(margin, h-margin+1)
		f.CellFormat(w/2, 4, d.title, "", 0, "L", false, 0, "")
		f.CellFormat(w/2, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	return d
}

// width is the printable width of a page.
func (d *Document) width() float64 {
	w, _ := d.f.GetPageSize()
	return w - 2*margin
}

// bottom is the lowest y a line may reach (the footer lives below it).
func (d *Document) bottom() float64 {
	_, h := d.f.GetPageSize()
	return h - margin - 2
}

// Heading draws a centred bold line of text at size points.
func (d *Document) Heading(text string, size float64) {
	d.f.SetFont(family, "B", size)
	lh := size * 0.5
	d.ensure(lh)
	d.f.SetX(margin)
	d.f.MultiCell(d.width(), lh, clean(text), "", "C", false)
}

// Text draws a paragraph at size points.
func (d *Document) Text(text string, size float64) {
	d.f.SetFont(family, "", size)
	lh := size * 0.45
	for _, line := range d.f.SplitText(clean(text), d.width()) {
		d.ensure(lh)
		d.f.SetX(margin)
		d.f.CellFormat(d.width(), lh, line, "", 1, "L", false, 0, "")
	}
}

// Space moves down by mm.
func (d *Document) Space(mm float64) { d.f.Ln(mm) }

// Rule draws a horizontal line across the page in the accent colour.
func (d *Document) Rule() {
	y := d.f.GetY()
	d.f.SetDrawColor(79, 70, 229)
	d.f.SetLineWidth(0.6)
	d.f.Line(margin, y, margin+d.width(), y)
	d.f.SetLineWidth(0.2)
	d.f.SetDrawColor(0, 0, 0)
	d.f.Ln(2)
}

// Field is a label and its value, for InfoGrid.
type Field struct{ Label, Value string }

// InfoGrid draws fields in a grid of cols columns: a small grey label above
// each bold value.
func (d *Document) InfoGrid(fields []Field, cols int) {
	if cols < 1 {
		cols = 1
	}
	w := d.width() / float64(cols)
	for i := 0; i < len(fields); i += cols {
		row := fields[i:min(i+cols, len(fields))]
		height := 0.0
		d.f.SetFont(family, "B", 10)
		for _, fl := range row {
			height = max(height, float64(len(d.f.SplitText(clean(fl.Value), w-2)))*4.5)
		}
		height += 5
		d.ensure(height + 2)
		y := d.f.GetY()
		for j, fl := range row {
			x := margin + float64(j)*w
			d.f.SetXY(x, y)
			d.f.SetFont(family, "", 7)
			d.f.SetTextColor(100, 100, 100)
			d.f.CellFormat(w, 4, strings.ToUpper(clean(fl.Label)), "", 2, "L", false, 0, "")
			d.f.SetTextColor(0, 0, 0)
			d.f.SetFont(family, "B", 10)
			d.f.SetX(x)
			d.f.MultiCell(w-2, 4.5, orDash(clean(fl.Value)), "", "L", false)
		}
		d.f.SetY(y + height + 2)
	}
}

// Section draws a titled, bordered box holding body, split across pages
// when it is long (lesson plans are made of these).
func (d *Document) Section(title, body string) {
	d.Table(Table{Columns: []Column{{Header: title, Width: 1}}, Rows: [][]string{{orDash(clean(body))}}, FontSize: 9})
}

// Column is one column of a table: its header and its share of the width.
type Column struct {
	Header string
	Width  float64 // relative to the other columns' widths
}

// Table is a grid of text. A row taller than what is left of a page
// continues on the next one; every page the table reaches starts with its
// header row again.
type Table struct {
	Columns  []Column
	Rows     [][]string
	FontSize float64 // points; 0 means 8
	// Shade, when set, says which rows to draw on a light grey background
	// (e.g. breaks and assessment weeks).
	Shade func(row int) bool
}

// Table draws t below what is already on the page.
func (d *Document) Table(t Table) {
	size := t.FontSize
	if size == 0 {
		size = 8
	}
	lh := size * 0.42
	total := 0.0
	for _, c := range t.Columns {
		total += c.Width
	}
	widths := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = d.width() * c.Width / total
	}
	header := func() {
		d.f.SetFont(family, "B", size)
		cells := make([][]string, len(t.Columns))
		for i, c := range t.Columns {
			cells[i] = d.f.SplitText(clean(c.Header), widths[i]-2*cellPad)
		}
		d.band(cells, widths, lh, true, false, 0)
		d.f.SetFont(family, "", size)
	}
	d.ensure(3 * lh)
	header()
	for r, row := range t.Rows {
		d.f.SetFont(family, "", size)
		cells := make([][]string, len(t.Columns))
		for i := range t.Columns {
			text := ""
			if i < len(row) {
				text = clean(row[i])
			}
			cells[i] = d.f.SplitText(text, widths[i]-2*cellPad)
		}
		shade := t.Shade != nil && t.Shade(r)
		// Draw the row in as many bands as pages it needs.
		for first := true; first || anyLeft(cells); first = false {
			room := int(math.Floor((d.bottom() - d.f.GetY() - 2*cellPad) / lh))
			need := longest(cells)
			if room < min(need, 3) || room < 1 {
				d.f.AddPage()
				header()
				room = int(math.Floor((d.bottom() - d.f.GetY() - 2*cellPad) / lh))
			}
			n := max(min(need, room), 1)
			band := make([][]string, len(cells))
			for i, c := range cells {
				k := min(n, len(c))
				band[i], cells[i] = c[:k], c[k:]
			}
			d.band(band, widths, lh, false, shade, n)
		}
	}
	d.f.Ln(2)
}

// band draws one horizontal band of cells with borders: lines lines high
// (0: as high as its longest cell).
func (d *Document) band(cells [][]string, widths []float64, lh float64, head, shade bool, lines int) {
	if lines == 0 {
		lines = max(longest(cells), 1)
	}
	h := float64(lines)*lh + 2*cellPad
	y := d.f.GetY()
	x := margin
	for i, c := range cells {
		style := "D"
		switch {
		case head:
			d.f.SetFillColor(224, 231, 255)
			style = "FD"
		case shade:
			d.f.SetFillColor(241, 241, 241)
			style = "FD"
		}
		d.f.Rect(x, y, widths[i], h, style)
		for j, line := range c {
			d.f.SetXY(x+cellPad, y+cellPad+float64(j)*lh)
			d.f.CellFormat(widths[i]-2*cellPad, lh, line, "", 0, "L", false, 0, "")
		}
		x += widths[i]
	}
	d.f.SetXY(margin, y+h)
}

func longest(cells [][]string) int {
	n := 0
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

func anyLeft(cells [][]string) bool { return longest(cells) > 0 }

// ensure starts a new page unless h mm fit below the current position.
func (d *Document) ensure(h float64) {
	if d.f.GetY()+h > d.bottom() {
		d.f.AddPage()
	}
}

// PageBreak starts a new page.
func (d *Document) PageBreak() { d.f.AddPage() }

// Bytes finishes the document and returns it.
func (d *Document) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.f.Output(&b); err != nil {
		return nil, fmt.Errorf("rendering PDF: %w", err)
	}
	return b.Bytes(), nil
}

// clean makes user text safe to draw: valid UTF-8, tabs as spaces, line
// breaks kept, every other control character dropped.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
