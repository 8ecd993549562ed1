package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"
)

// renderPDF writes the summary as a PDF (pure Go, go-pdf/fpdf, core fonts in cp1252:
// characters outside it print as "?").
func renderPDF(w io.Writer, sd *summaryData) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreator("Probity", true)
	pdf.SetTitle("Assessment report: "+sd.Name, true)
	pdf.SetCreationDate(sd.At)
	pdf.SetModificationDate(sd.At)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(sd.Name)+" - page "+strconv.Itoa(pdf.PageNo())+" of {nb}", "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	usable := width - 30

	// fit cuts s to the width at the current font.
	fit := func(s string, wd float64) string {
		s = tr(s)
		if pdf.GetStringWidth(s) <= wd-2 {
			return s
		}
		for len(s) > 0 && pdf.GetStringWidth(s+"...") > wd-2 {
			s = s[:len(s)-1]
		}
		return s + "..."
	}
	heading := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.CellFormat(0, 8, tr(s), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
	}
	field := func(k, v string) {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(40, 5, tr(k), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(usable-40, 5, tr(v), "", "L", false)
	}

	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr("Assessment report: "+sd.Name), "", "L", false)
	pdf.SetFont("Helvetica", "", 9)
	if sd.Description != "" {
		pdf.MultiCell(0, 5, tr(sd.Description), "", "L", false)
	}
	pdf.Ln(2)
	a := sd.Assessment
	field("Assessment", a.Name+" ("+a.ID+")")
	field("Status", string(a.Status))
	fw := a.Framework.Name
	if a.Framework.ComplianceType != "" {
		fw += " (" + a.Framework.ComplianceType + ")"
	}
	field("Framework", fw)
	accounts := ""
	for i, acc := range a.Scope.Accounts {
		if i > 0 {
			accounts += ", "
		}
		accounts += acc.ID
		if acc.Name != "" {
			accounts += " (" + acc.Name + ")"
		}
	}
	field("Scope: accounts", accounts)
	services := ""
	for i, s := range a.Scope.Services {
		if i > 0 {
			services += ", "
		}
		services += s
	}
	field("Scope: services", services)
	field("Report by", sd.Author)
	field("Generated", sd.At.Format("2006-01-02 15:04:05 UTC"))
	field("Evidence", fmt.Sprintf("%d items: %d compliant, %d non-compliant, %d inconclusive",
		sd.Total, sd.Compliant, sd.NonCompliant, sd.Inconclusive))

	heading("Controls")
	cols := []struct {
		title string
		w     float64
	}{{"Control", 52}, {"Status", 28}, {"Reviewer", 40}, {"Compliant", 20}, {"Non-compl.", 20}, {"Inconcl.", 20}}
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(230, 230, 230)
		for _, c := range cols {
			pdf.CellFormat(c.w, 6, c.title, "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
	}
	header()
	for _, c := range sd.Controls {
		if pdf.GetY() > 270 {
			pdf.AddPage()
			header()
		}
		cells := []string{c.Name, c.Status, c.Reviewer, strconv.Itoa(c.Compliant), strconv.Itoa(c.NonCompliant), strconv.Itoa(c.Inconclusive)}
		for i, col := range cols {
			align := "L"
			if i >= 3 {
				align = "R"
			}
			pdf.CellFormat(col.w, 5, fit(cells[i], col.w), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
		for _, cm := range c.Comments {
			pdf.SetX(20)
			pdf.MultiCell(usable-5, 4, tr(cm.AuthorName+" ("+cm.PostedAt.UTC().Format("2006-01-02")+"): "+cm.Body), "", "L", false)
		}
	}

	heading("Compliance by day")
	drawChart(pdf, tr, sd.Days, usable)

	heading("Selected evidence")
	note := fmt.Sprintf("%d evidence items", sd.Total)
	if sd.Total > len(sd.Listed) {
		note += fmt.Sprintf("; the first %d are listed (every item is in the evidence folder and digest.txt)", len(sd.Listed))
	}
	pdf.MultiCell(0, 5, note+".", "", "L", false)
	ecols := []struct {
		title string
		w     float64
	}{{"#", 12}, {"Evidence", 54}, {"Control", 36}, {"Data source", 26}, {"Time (UTC)", 26}, {"Compliance", usable - 154}}
	eheader := func() {
		pdf.SetFont("Helvetica", "B", 7)
		for _, c := range ecols {
			pdf.CellFormat(c.w, 5, c.title, "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 7)
	}
	eheader()
	for _, e := range sd.Listed {
		if pdf.GetY() > 275 {
			pdf.AddPage()
			eheader()
		}
		cells := []string{strconv.FormatInt(e.Seq, 10), e.ID, e.Control, e.DataSource, e.Time, e.Check}
		for i, c := range ecols {
			pdf.CellFormat(c.w, 4.5, fit(cells[i], c.w), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}

	heading("Integrity")
	field("Evidence digest", sd.EvidenceDigest+" (SHA-256 of the evidence lines of digest.txt)")
	field("Signing key", sd.KeyID+" (Ed25519; digest.txt.sig signs the SHA-256 of digest.txt)")
	field("Verify", "probity report verify REPORT.zip --public-key KEY.pem")
	return pdf.Output(w)
}

// drawChart draws the daily compliance counts as stacked bars, green compliant, red
// non-compliant, grey inconclusive.
func drawChart(pdf *fpdf.Fpdf, tr func(string) string, days []dayRow, usable float64) {
	if len(days) == 0 {
		pdf.CellFormat(0, 5, "No evidence was collected.", "", 1, "L", false, 0, "")
		return
	}
	const h = 50.0
	if pdf.GetY()+h+15 > 280 {
		pdf.AddPage()
	}
	peak := 1
	for _, d := range days {
		peak = max(peak, d.Compliant+d.NonCompliant+d.Inconclusive)
	}
	x0, y0 := 25.0, pdf.GetY()+h
	bw := min(8.0, (usable-15)/float64(len(days)))
	pdf.SetDrawColor(0, 0, 0)
	pdf.Line(x0, y0, x0+usable-15, y0)
	pdf.Line(x0, y0, x0, y0-h)
	pdf.SetFont("Helvetica", "", 7)
	pdf.Text(15, y0-h+2, strconv.Itoa(peak))
	pdf.Text(15, y0, "0")
	for i, d := range days {
		x, y := x0+float64(i)*bw, y0
		for _, part := range []struct {
			n       int
			r, g, b int
		}{{d.Compliant, 46, 125, 50}, {d.NonCompliant, 198, 40, 40}, {d.Inconclusive, 158, 158, 158}} {
			ph := float64(part.n) * h / float64(peak)
			if ph <= 0 {
				continue
			}
			pdf.SetFillColor(part.r, part.g, part.b)
			pdf.Rect(x+0.1, y-ph, max(bw-0.2, 0.1), ph, "F")
			y -= ph
		}
	}
	pdf.SetY(y0 + 2)
	pdf.SetFillColor(230, 230, 230)
	pdf.MultiCell(0, 4, tr(fmt.Sprintf("%s to %s (%d days); green compliant, red non-compliant, grey inconclusive.",
		days[0].Date.Format("2006-01-02"), days[len(days)-1].Date.Format("2006-01-02"), len(days))), "", "L", false)
	pdf.SetFont("Helvetica", "", 9)
}
