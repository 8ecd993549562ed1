package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
)

// summaryHTML is the summary as one page with no external assets; the chart is inline SVG.
var summaryHTML = template.Must(template.New("summary").Funcs(template.FuncMap{
	"date": func(t any) string {
		type dater interface{ Format(string) string }
		return t.(dater).Format("2006-01-02")
	},
	"chart": chartSVG,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Assessment report: {{.Name}}</title>
<style>
body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#eee}
td.n{text-align:right}code{font-size:.9em;word-break:break-all}
</style></head><body>
<h1>Assessment report: {{.Name}}</h1>
{{with .Description}}<p>{{.}}</p>{{end}}
<table>
<tr><th>Assessment</th><td>{{.Assessment.Name}} ({{.Assessment.ID}})</td></tr>
<tr><th>Status</th><td>{{.Assessment.Status}}</td></tr>
<tr><th>Framework</th><td>{{.Assessment.Framework.Name}}{{with .Assessment.Framework.ComplianceType}} ({{.}}){{end}}</td></tr>
<tr><th>Scope: accounts</th><td>{{range $i, $a := .Assessment.Scope.Accounts}}{{if $i}}, {{end}}{{$a.ID}}{{with $a.Name}} ({{.}}){{end}}{{end}}</td></tr>
<tr><th>Scope: services</th><td>{{range $i, $s := .Assessment.Scope.Services}}{{if $i}}, {{end}}{{$s}}{{end}}</td></tr>
<tr><th>Report by</th><td>{{.Author}}</td></tr>
<tr><th>Generated</th><td>{{.At.Format "2006-01-02 15:04:05 UTC"}}</td></tr>
<tr><th>Evidence</th><td>{{.Total}} items: {{.Compliant}} compliant, {{.NonCompliant}} non-compliant, {{.Inconclusive}} inconclusive</td></tr>
</table>
<h2>Controls</h2>
<table><tr><th>Control set</th><th>Control</th><th>Status</th><th>Reviewer</th><th>Compliant</th><th>Non-compliant</th><th>Inconclusive</th><th>Comments</th></tr>
{{range .Controls}}<tr><td>{{.Set}}</td><td>{{.Name}}</td><td>{{.Status}}</td><td>{{.Reviewer}}</td>
<td class="n">{{.Compliant}}</td><td class="n">{{.NonCompliant}}</td><td class="n">{{.Inconclusive}}</td>
<td>{{range .Comments}}<p>{{.AuthorName}} ({{date .PostedAt}}): {{.Body}}</p>{{end}}</td></tr>
{{end}}</table>
<h2>Compliance by day</h2>
{{chart .Days}}
<h2>Selected evidence</h2>
<p>{{.Total}} evidence items{{if gt .Total (len .Listed)}}; the first {{len .Listed}} are listed{{end}}.</p>
<table><tr><th>#</th><th>Evidence</th><th>Control</th><th>Data source</th><th>Time (UTC)</th><th>Compliance</th></tr>
{{range .Listed}}<tr><td class="n">{{.Seq}}</td><td><code>{{.ID}}</code></td><td>{{.Control}}</td><td>{{.DataSource}}</td><td>{{.Time}}</td><td>{{.Check}}</td></tr>
{{end}}</table>
<h2>Integrity</h2>
<table>
<tr><th>Evidence digest</th><td><code>{{.EvidenceDigest}}</code> (SHA-256 of the evidence lines of digest.txt)</td></tr>
<tr><th>Signing key</th><td><code>{{.KeyID}}</code> (Ed25519; the signature of digest.txt is in digest.txt.sig)</td></tr>
</table>
</body></html>
`))

// chartSVG draws the daily compliance counts as stacked bars.
func chartSVG(days []dayRow) template.HTML {
	if len(days) == 0 {
		return "<p>No evidence was collected.</p>"
	}
	peak := 1
	for _, d := range days {
		peak = max(peak, d.Compliant+d.NonCompliant+d.Inconclusive)
	}
	const h, bw = 160, 12
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="compliance by day">`, len(days)*(bw+2)+20, h+40)
	for i, d := range days {
		x, y := 10+i*(bw+2), h+10
		for _, part := range []struct {
			n     int
			color string
		}{{d.Compliant, "#2e7d32"}, {d.NonCompliant, "#c62828"}, {d.Inconclusive, "#9e9e9e"}} {
			ph := part.n * h / peak
			y -= ph
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s: %d</title></rect>`, x, y, bw, ph, part.color, d.Date.Format("2006-01-02"), part.n)
		}
	}
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11">%s to %s; green compliant, red non-compliant, grey inconclusive; peak %d</text></svg>`,
		h+30, days[0].Date.Format("2006-01-02"), days[len(days)-1].Date.Format("2006-01-02"), peak)
	return template.HTML(b.String())
}

func renderHTML(w io.Writer, sd *summaryData) error { return summaryHTML.Execute(w, sd) }

// renderReadme writes README.txt: the layout, and how to check the report by hand.
func renderReadme(w io.Writer, sd *summaryData) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Assessment report %q of assessment %q (%s)\n", sd.Name, sd.Assessment.Name, sd.Assessment.ID)
	fmt.Fprintf(tw, "Generated %s by Probity; %d evidence items.\n\n", sd.At.Format("2006-01-02 15:04:05 UTC"), sd.Total)
	fmt.Fprint(tw, `Files
	AssessmentReportSummary.pdf	the summary: assessment, scope, framework, controls, compliance by day, evidence
	AssessmentReportSummary.html	the same summary as a web page
	evidence/CONTROL/DATA SOURCE/DAY/ID.json	one evidence item; "ledger" holds its chain position (sequence) and chain hash
	evidence/CONTROL/DATA SOURCE/DAY/ID/FILE	a manual evidence file, as uploaded
	digest.txt	the SHA-256 of every other file, then the signing key's id and public key
	digest.txt.sig	the Ed25519 signature (64 bytes) of the SHA-256 of digest.txt

Verify
	With Probity, on any machine:
	  probity report verify REPORT.zip --public-key signing-key.pem
	(the key from "probity keys signing export-public"). By hand, in the folder holding this file:
	  grep -v '^#' digest.txt | (cd .. && sha256sum -c)
	  openssl dgst -sha256 -binary digest.txt > digest.bin
	  openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in digest.bin -sigfile digest.txt.sig
	and check that no file other than digest.txt and digest.txt.sig is missing from digest.txt.
`)
	return tw.Flush()
}
