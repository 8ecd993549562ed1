package amapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Assessment report operations (CreateAssessmentReport, ListAssessmentReports,
// DeleteAssessmentReport, GetAssessmentReportUrl, ValidateAssessmentReportIntegrity), and
// the download links of reports kept in a local directory (ReportPattern).

// ReportPattern is the ServeMux pattern of report download links for local destinations,
// which whoever serves the API mounts beside it with Handler.ReportLinks.
const ReportPattern = "GET /reports/{token}"

// ReportURLTTL is how long a report download link may be used.
const ReportURLTTL = 15 * time.Minute

const tokenReports = 'r'

type reportOut struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	AWSAccountID   string `json:"awsAccountId,omitempty"`
	AssessmentID   string `json:"assessmentId"`
	AssessmentName string `json:"assessmentName"`
	Author         string `json:"author"`
	Status         string `json:"status"`
	CreationTime   epoch  `json:"creationTime"`
}

func toReport(r *store.AssessmentReport, withAccount bool) reportOut {
	out := reportOut{ID: r.ID, Name: r.Name, Description: r.Description, AssessmentID: r.AssessmentID,
		AssessmentName: r.AssessmentName, Author: r.Author, Status: r.Status, CreationTime: epoch(r.CreatedAt)}
	if withAccount {
		out.AWSAccountID = r.AccountID
	}
	return out
}

// reports returns the report application, or an error saying the server has none.
func (h *Handler) reports() (*assess.Reports, error) {
	if h.cfg.Reports == nil {
		return nil, probity.Errorf(probity.EINVALID, "This Probity server makes no assessment reports: its operator must run it with the jobs enabled and a master key.")
	}
	return h.cfg.Reports, nil
}

func createAssessmentReport(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Name           string `json:"name"`
		Description    string `json:"description"`
		QueryStatement string `json:"queryStatement"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	rs, err := h.reports()
	if err != nil {
		return nil, err
	}
	rep, err := rs.Create(ctx, c.caller, id, assess.CreateInput{Name: in.Name, Description: in.Description, Query: in.QueryStatement})
	if err != nil {
		return nil, err
	}
	return struct {
		AssessmentReport reportOut `json:"assessmentReport"`
	}{toReport(rep, true)}, nil
}

func listAssessmentReports(ctx context.Context, h *Handler, c *call) (any, error) {
	limit, after, err := c.pageParams(tokenReports)
	if err != nil {
		return nil, err
	}
	rs, err := h.reports()
	if err != nil {
		return nil, err
	}
	page, err := rs.List(ctx, c.caller, after, limit+1)
	if err != nil {
		return nil, err
	}
	resp := struct {
		AssessmentReports []reportOut `json:"assessmentReports"`
		NextToken         string      `json:"nextToken,omitempty"`
	}{AssessmentReports: make([]reportOut, 0, min(len(page), limit))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenReports, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for i := range page {
		resp.AssessmentReports = append(resp.AssessmentReports, toReport(&page[i], false))
	}
	return resp, nil
}

// reportPath returns the path's assessmentId and assessmentReportId, or a ValidationException.
func reportPath(c *call) (string, string, error) {
	id, err := assessmentID(c)
	if err != nil {
		return "", "", err
	}
	rid, err := c.pathUUID("assessmentReportId")
	return id, rid, err
}

func deleteAssessmentReport(ctx context.Context, h *Handler, c *call) (any, error) {
	id, rid, err := reportPath(c)
	if err != nil {
		return nil, err
	}
	rs, err := h.reports()
	if err != nil {
		return nil, err
	}
	return nil, rs.Delete(ctx, c.caller, id, rid)
}

func getAssessmentReportURL(ctx context.Context, h *Handler, c *call) (any, error) {
	id, rid, err := reportPath(c)
	if err != nil {
		return nil, err
	}
	rs, err := h.reports()
	if err != nil {
		return nil, err
	}
	rep, d, err := rs.Download(ctx, c.caller, id, rid)
	if err != nil {
		return nil, err
	}
	link, err := d.URL(ctx, rep.Path, ReportURLTTL)
	if err != nil {
		return nil, err
	}
	if link == "" { // a local destination: Probity serves the file itself
		link = h.uploadBase(c.r) + "/reports/" + h.reportLinks.issue(c.caller.AccountID, rep.ID, rep.AssessmentID, c.now.Add(ReportURLTTL))
	}
	type urlOut struct {
		HyperlinkName string `json:"hyperlinkName"`
		Link          string `json:"link"`
	}
	return struct {
		PreSignedURL urlOut `json:"preSignedUrl"`
	}{urlOut{HyperlinkName: rep.Name + ".zip", Link: link}}, nil
}

func validateAssessmentReportIntegrity(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		S3RelativePath string `json:"s3RelativePath"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.S3RelativePath == "" {
		return nil, invalidField("s3RelativePath", "is required")
	}
	if len(in.S3RelativePath) > 1024 || probity.CheckText(in.S3RelativePath, probity.SingleLine) != "" {
		return nil, invalidField("s3RelativePath", "must be 1 to 1024 characters of one line")
	}
	rs, err := h.reports()
	if err != nil {
		return nil, err
	}
	res, err := rs.Validate(ctx, c.caller, in.S3RelativePath)
	if err != nil {
		return nil, err
	}
	out := struct {
		SignatureValid     bool     `json:"signatureValid"`
		SignatureAlgorithm string   `json:"signatureAlgorithm,omitempty"`
		SignatureDateTime  string   `json:"signatureDateTime,omitempty"`
		SignatureKeyID     string   `json:"signatureKeyId,omitempty"`
		ValidationErrors   []string `json:"validationErrors"`
	}{SignatureValid: res.Valid, SignatureAlgorithm: res.Algorithm, SignatureKeyID: res.KeyID, ValidationErrors: res.Problems}
	if !res.SignedAt.IsZero() {
		out.SignatureDateTime = res.SignedAt.UTC().Format(time.RFC3339)
	}
	if out.ValidationErrors == nil {
		out.ValidationErrors = []string{}
	}
	return out, nil
}

// reportLinkSigner returns the signer of report download links: a key of its own, derived
// from the upload secret, so that an upload token is no download link and back.
func reportLinkSigner(uploads *uploadSigner) *uploadSigner {
	m := hmac.New(sha256.New, uploads.key)
	m.Write([]byte("probity-report-links"))
	return &uploadSigner{key: m.Sum(nil)}
}

// ReportLinks returns the handler of report download links for local destinations
// (ReportPattern): a GET, no SigV4, the token in the path being the credential. It serves
// the zip (ranges included) while the link has not expired and the report exists; 403
// AccessDeniedException for a token that is not ours or has expired, 404 for a report
// deleted since. The access log names the operation DownloadAssessmentReport, never the
// token.
func (h *Handler) ReportLinks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := probity.NewID()
		w.Header().Set("X-Amzn-Requestid", reqID)
		status, ae := h.download(w, r)
		if ae != nil {
			status = ae.status
			writeError(w, ae)
		}
		level := slog.LevelInfo
		if ae != nil && ae.cause != nil {
			level = slog.LevelError
		}
		h.log(r, level, "DownloadAssessmentReport", status, time.Since(start), reqID, auth.Principal{}, ae)
	})
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) (int, *apiError) {
	g, ok := h.reportLinks.check(r.PathValue("token"))
	if !ok {
		return 0, accessDenied("This report link is not valid.")
	}
	if !h.cfg.Now().Before(g.expires) {
		return 0, accessDenied("This report link has expired; ask GetAssessmentReportUrl for another.")
	}
	rs, err := h.reports()
	if err != nil {
		return 0, wireError(err)
	}
	rep, d, err := rs.Linked(r.Context(), g.account, g.fileName, g.id)
	if err != nil {
		return 0, wireError(err)
	}
	obj, err := d.Open(r.Context(), rep.Path)
	if err != nil {
		return 0, wireError(err)
	}
	defer obj.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(rep.Name, `"`, "")+`.zip"`)
	http.ServeContent(w, r, "", rep.CreatedAt, io.NewSectionReader(obj, 0, obj.Size()))
	return http.StatusOK, nil
}
