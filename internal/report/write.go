package report

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/probity-dev/probity"
)

// Names of the summary files under the root folder.
const (
	SummaryPDF  = "AssessmentReportSummary.pdf"
	SummaryHTML = "AssessmentReportSummary.html"
	ReadmeFile  = "README.txt"
)

// evidenceFile is the JSON file written for one evidence item: the Audit Manager Evidence
// members, and the ledger's, so the report can be checked against the ledger.
type evidenceFile struct {
	ID                   string              `json:"id"`
	AssessmentID         string              `json:"assessmentId"`
	ControlSetID         string              `json:"controlSetId"`
	ControlID            string              `json:"controlId"`
	ControlName          string              `json:"controlName,omitempty"`
	EvidenceFolderID     string              `json:"evidenceFolderId"`
	DataSource           string              `json:"dataSource"`
	EvidenceAWSAccountID string              `json:"evidenceAwsAccountId,omitempty"`
	Time                 string              `json:"time"`
	EventSource          string              `json:"eventSource,omitempty"`
	EventName            string              `json:"eventName,omitempty"`
	EvidenceByType       string              `json:"evidenceByType,omitempty"`
	ResourcesIncluded    []resourceJSON      `json:"resourcesIncluded,omitempty"`
	Attributes           map[string]string   `json:"attributes,omitempty"`
	IAMID                string              `json:"iamId,omitempty"`
	ComplianceCheck      string              `json:"complianceCheck,omitempty"`
	AWSOrganization      string              `json:"awsOrganization,omitempty"`
	AWSAccountID         string              `json:"awsAccountId,omitempty"`
	Files                []evidenceFileBlob  `json:"files,omitempty"`
	Ledger               evidenceLedgerEntry `json:"ledger"`
}

type resourceJSON struct {
	ARN             string `json:"arn,omitempty"`
	Value           string `json:"value,omitempty"`
	ComplianceCheck string `json:"complianceCheck,omitempty"`
}

type evidenceFileBlob struct {
	Path   string `json:"path"` // in the zip
	SHA256 string `json:"sha256"`
}

type evidenceLedgerEntry struct {
	Sequence int64  `json:"sequence"` // the evidence's place in the assessment's chain
	Hash     string `json:"hash"`     // the chain hash of its record, "sha256:" and hex
}

func write(ctx context.Context, w io.Writer, in Input, s *Signer) (*Summary, error) {
	if s == nil || len(s.Private) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("report: no signing key")
	}
	if in.At.IsZero() {
		in.At = time.Now()
	}
	in.At = in.At.UTC()
	if in.ListLimit <= 0 {
		in.ListLimit = DefaultListLimit
	}
	root := pathComponent(in.Name, "AssessmentReport")
	z, err := newZipWriter(w, in.TempDir, in.At)
	if err != nil {
		return nil, err
	}
	defer z.cdFile.Close()
	lines, err := os.CreateTemp(in.TempDir, "probity-digest-*")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	os.Remove(lines.Name())
	defer lines.Close()
	lw := bufio.NewWriterSize(lines, 64<<10)
	evidenceDigest := sha256.New() // over the evidence files' digest lines, for the summary
	sum := &Summary{Root: root, KeyID: s.ID}

	// put writes one file whole and records its digest line.
	record := func(name, sha string, evidence bool) {
		line := sha + "  " + name + "\n"
		lw.WriteString(line)
		if evidence {
			evidenceDigest.Write([]byte(line))
		}
		sum.Files++
	}
	put := func(name string, deflate bool, body func(io.Writer) error) (string, error) {
		e, err := z.create(name, deflate)
		if err != nil {
			return "", err
		}
		if err := body(e); err != nil {
			return "", err
		}
		return e.close()
	}

	sd := newSummaryData(&in, s.ID)
	buf := new(bytes.Buffer)
	err = in.Evidence(ctx, func(ev probity.Evidence) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := path.Join(root, "evidence", pathComponent(controlLabel(&ev), "control"),
			pathComponent(ev.DataSource, "source"), probity.Day(ev.Time).Format(time.DateOnly))
		f := toFile(&ev)
		used := map[string]bool{}
		for i, digest := range ev.Blobs {
			if in.Blob == nil {
				return fmt.Errorf("report: evidence %s has a file, and there is no blob store to read it from", ev.ID)
			}
			name := pathComponent(fileName(&ev, i, digest), digest)
			if used[name] {
				name = strconv.Itoa(i+1) + "-" + name
			}
			used[name] = true
			p := path.Join(dir, pathComponent(ev.ID, "evidence"), name)
			sha, err := put(p, true, func(w io.Writer) error {
				rc, err := in.Blob(ctx, digest)
				if err != nil {
					return fmt.Errorf("report: evidence %s: file %s: %w", ev.ID, digest, err)
				}
				defer rc.Close()
				if _, err := io.Copy(w, rc); err != nil {
					return fmt.Errorf("report: evidence %s: file %s: %w", ev.ID, digest, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if sha != digest {
				return fmt.Errorf("report: evidence %s: the blob store's file %s has SHA-256 %s", ev.ID, digest, sha)
			}
			record(p, sha, true)
			f.Files = append(f.Files, evidenceFileBlob{Path: p, SHA256: sha})
		}
		buf.Reset()
		if err := json.NewEncoder(buf).Encode(f); err != nil {
			return fmt.Errorf("report: evidence %s: %w", ev.ID, err)
		}
		// Stored, not deflated: deflating a file of a few hundred bytes costs more time
		// than it saves space, and a million of them must be written in seconds.
		p := path.Join(dir, pathComponent(ev.ID, "evidence")+".json")
		sha, err := put(p, false, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err })
		if err != nil {
			return err
		}
		record(p, sha, true)
		sd.add(&ev)
		sum.Evidence++
		return nil
	})
	if err != nil {
		return nil, err
	}
	sd.EvidenceDigest = hex.EncodeToString(evidenceDigest.Sum(nil))
	for _, f := range []struct {
		name   string
		render func(io.Writer, *summaryData) error
	}{
		{SummaryPDF, renderPDF}, {SummaryHTML, renderHTML}, {ReadmeFile, renderReadme},
	} {
		p := root + "/" + f.name
		sha, err := put(p, true, func(w io.Writer) error { return f.render(w, sd) })
		if err != nil {
			return nil, fmt.Errorf("report: %s: %w", f.name, err)
		}
		record(p, sha, false)
	}

	// digest.txt: the header, then every line recorded.
	if err := lw.Flush(); err != nil {
		return nil, fmt.Errorf("report: digest: %w", err)
	}
	if _, err := lines.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("report: digest: %w", err)
	}
	header := digestFormat + "\n" +
		"# algorithm: " + Algorithm + " over the SHA-256 of this file\n" +
		"# key-id: " + s.ID + "\n" +
		"# public-key: " + base64.StdEncoding.EncodeToString(s.Public()) + "\n" +
		"# signed-at: " + in.At.Format(time.RFC3339Nano) + "\n" +
		"# assessment: " + in.Assessment.ID + "\n"
	digestSHA, err := put(root+"/"+DigestFile, true, func(w io.Writer) error {
		if _, err := io.WriteString(w, header); err != nil {
			return err
		}
		_, err := io.Copy(w, lines)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("report: digest: %w", err)
	}
	sum.Files++
	sum.Digest = digestSHA
	raw, _ := hex.DecodeString(digestSHA)
	sig := ed25519.Sign(s.Private, raw)
	if _, err := put(root+"/"+SignatureFile, false, func(w io.Writer) error { _, err := w.Write(sig); return err }); err != nil {
		return nil, fmt.Errorf("report: signature: %w", err)
	}
	sum.Files++
	if err := z.close(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	sum.Size = z.w.n
	return sum, nil
}

func toFile(e *probity.Evidence) *evidenceFile {
	f := &evidenceFile{ID: e.ID, AssessmentID: e.AssessmentID, ControlSetID: e.ControlSetID, ControlID: e.ControlID,
		ControlName: e.ControlName, EvidenceFolderID: e.EvidenceFolderID, DataSource: e.DataSource,
		EvidenceAWSAccountID: e.EvidenceAWSAccountID, Time: e.Time.UTC().Format(time.RFC3339Nano), EventSource: e.EventSource,
		EventName: e.EventName, EvidenceByType: e.EvidenceByType, Attributes: e.Attributes, IAMID: e.IAMID,
		ComplianceCheck: e.ComplianceCheck, AWSOrganization: e.AWSOrganization, AWSAccountID: e.AWSAccountID,
		Ledger: evidenceLedgerEntry{Sequence: e.Sequence, Hash: e.Hash}}
	for _, r := range e.ResourcesIncluded {
		f.ResourcesIncluded = append(f.ResourcesIncluded, resourceJSON(r))
	}
	return f
}

// controlLabel names an evidence's control folder: its name, else its id.
func controlLabel(e *probity.Evidence) string {
	if e.ControlName != "" {
		return e.ControlName
	}
	return e.ControlID
}

// fileName returns the name a manual evidence file was uploaded with: the upload's file
// name, else the last part of its S3 path, else its digest.
func fileName(e *probity.Evidence, i int, digest string) string {
	if len(e.Blobs) == 1 {
		if n := e.Attributes["fileName"]; n != "" {
			return n
		}
		if p := e.Attributes["s3ResourcePath"]; p != "" {
			return path.Base(p)
		}
	}
	return digest
}

// pathComponent makes s one safe path component of at most 120 bytes: separators, control
// and reserved characters become "_", leading and trailing dots and spaces go; empty
// becomes def.
func pathComponent(s, def string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) || r == utf8.RuneError:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), " .")
	for len(out) > 120 {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	if out == "" {
		return def
	}
	return out
}

// summaryData is what the PDF and HTML summaries show.
type summaryData struct {
	Name, Description, Author string
	At                        time.Time
	Assessment                *probity.Assessment
	KeyID                     string
	EvidenceDigest            string
	Controls                  []*controlRow
	byControl                 map[[2]string]*controlRow
	Days                      []dayRow
	Listed                    []listedRow
	Total                     int
	ListLimit                 int
	Compliant, NonCompliant   int
	Inconclusive              int
}

type controlRow struct {
	Set, Name, Status, Reviewer string
	Comments                    []probity.ControlComment
	Compliant, NonCompliant     int
	Inconclusive                int
}

type dayRow struct {
	Date                    time.Time
	Compliant, NonCompliant int
	Inconclusive            int
}

type listedRow struct {
	Seq                                  int64
	ID, Control, DataSource, Time, Check string
}

func newSummaryData(in *Input, keyID string) *summaryData {
	sd := &summaryData{Name: in.Name, Description: in.Description, Author: in.Author, At: in.At, Assessment: &in.Assessment,
		KeyID: keyID, ListLimit: in.ListLimit, byControl: map[[2]string]*controlRow{}}
	reviewers := map[string]string{}
	for _, d := range in.Assessment.Delegations {
		reviewers[d.ControlSetID] = d.RoleARN
	}
	for _, cs := range in.Assessment.ControlSets {
		for _, c := range cs.Controls {
			r := &controlRow{Set: cs.Name, Name: c.Name, Status: string(c.Status), Comments: c.Comments, Reviewer: reviewers[cs.ID]}
			if n := len(c.Comments); n > 0 {
				r.Reviewer = c.Comments[n-1].AuthorName
			}
			sd.Controls = append(sd.Controls, r)
			sd.byControl[[2]string{cs.ID, c.ID}] = r
		}
	}
	days := map[time.Time]*dayRow{}
	for _, d := range in.Days {
		day := probity.Day(d.Date)
		r := days[day]
		if r == nil {
			r = &dayRow{Date: day}
			days[day] = r
		}
		r.Compliant += d.Compliant
		r.NonCompliant += d.NonCompliant
		r.Inconclusive += d.Inconclusive
	}
	for _, r := range days {
		sd.Days = append(sd.Days, *r)
	}
	sort.Slice(sd.Days, func(i, j int) bool { return sd.Days[i].Date.Before(sd.Days[j].Date) })
	return sd
}

// add counts one evidence item and lists it while the list has room.
func (sd *summaryData) add(e *probity.Evidence) {
	sd.Total++
	r := sd.byControl[[2]string{e.ControlSetID, e.ControlID}]
	if r == nil { // evidence of a control the assessment no longer holds
		r = &controlRow{Set: e.ControlSetID, Name: controlLabel(e), Status: "-"}
		sd.Controls = append(sd.Controls, r)
		sd.byControl[[2]string{e.ControlSetID, e.ControlID}] = r
	}
	switch e.Compliance() {
	case 1:
		r.Compliant++
		sd.Compliant++
	case -1:
		r.NonCompliant++
		sd.NonCompliant++
	default:
		r.Inconclusive++
		sd.Inconclusive++
	}
	if len(sd.Listed) < sd.ListLimit {
		check := e.ComplianceCheck
		if check == "" {
			check = "-"
		}
		sd.Listed = append(sd.Listed, listedRow{Seq: e.Sequence, ID: e.ID, Control: controlLabel(e), DataSource: e.DataSource,
			Time: e.Time.UTC().Format(time.DateTime), Check: check})
	}
}
