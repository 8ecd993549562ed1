package assess

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evquery"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/store"
)

// ReportQueue runs report generation as jobs (*jobs.Runner): Enqueue schedules
// Reports.Generate for the account's report.
type ReportQueue interface {
	EnqueueReport(ctx context.Context, account, reportID string) error
}

// Reports is the application layer of assessment reports: asking for one (a job then
// writes it to the assessment's reports destination, signed), listing and deleting them,
// links to download them, and validating a report's integrity. Service, Keys and Queue are
// required; its fields must not change once it is in use.
//
// A report goes IN_PROGRESS when asked for, then COMPLETE once its zip is whole at the
// destination, or FAILED with the reason. Its evidence is the assessment's evidence
// selected for the report, or, when the request has a query statement (see
// internal/evquery), the assessment's evidence that the query matches.
type Reports struct {
	Service *Service
	Keys    *report.Keys
	Queue   ReportQueue
	// S3 returns the client of s3:// destinations; nil means such destinations fail.
	S3 func(ctx context.Context) (*s3.Client, error)
	// TempDir holds the report's temporary files; empty for the system's.
	TempDir string
}

var reportName = regexp.MustCompile(`^[a-zA-Z0-9-_.]{1,300}$`)

// CreateInput is what CreateAssessmentReport asks for.
type CreateInput struct {
	Name, Description, Query string
}

// Create records a report of the caller's assessment, IN_PROGRESS, and enqueues its
// generation. The assessment's PROCESS_OWNERs and admin keys may create reports. It
// returns ENOTFOUND for an assessment the caller does not see, EUNAUTHORIZED for anyone
// else, and EINVALID for a name that is not 1 to 300 of [a-zA-Z0-9-_.], a description of
// more than 1000 characters, or a query statement that does not parse (its field error
// says line:column and what is wrong).
func (r *Reports) Create(ctx context.Context, p auth.Principal, assessmentID string, in CreateInput) (*store.AssessmentReport, error) {
	var fs []probity.FieldError
	if !reportName.MatchString(in.Name) || in.Name == "." || in.Name == ".." {
		fs = append(fs, probity.FieldError{Name: "name", Message: "must be 1 to 300 characters of a-z, A-Z, 0-9, -, _ and ."})
	}
	if utf8.RuneCountInString(in.Description) > 1000 {
		fs = append(fs, probity.FieldError{Name: "description", Message: "must be at most 1000 characters"})
	}
	if in.Query != "" {
		if _, err := evquery.Parse(in.Query); err != nil {
			var qe *evquery.Error
			if !errors.As(err, &qe) {
				return nil, err
			}
			fs = append(fs, probity.FieldError{Name: "queryStatement", Message: qe.Error()})
		}
	}
	if len(fs) > 0 {
		return nil, &probity.Error{Code: probity.EINVALID, Message: "The assessment report request is not valid.", Fields: fs}
	}
	a, err := r.Service.get(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	if err := a.Authorize(actor(p), probity.ManageReports, "", ""); err != nil {
		return nil, err
	}
	rep := &store.AssessmentReport{ID: probity.NewID(), AccountID: p.AccountID, AssessmentID: a.ID, AssessmentName: a.Name,
		Name: in.Name, Description: in.Description, Author: p.Name, Query: in.Query, Destination: a.ReportsDestination.Destination,
		Status: store.ReportInProgress, CreatedAt: r.Service.now()}
	if err := r.Service.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutAssessmentReport(ctx, rep) }); err != nil {
		return nil, err
	}
	if err := r.Queue.EnqueueReport(ctx, p.AccountID, rep.ID); err != nil {
		// Without its job the report would stay IN_PROGRESS for ever: say it failed.
		r.finish(ctx, rep, fmt.Errorf("could not enqueue the report's job: %w", err))
		return nil, err
	}
	return rep, nil
}

// List returns up to limit of the caller's account's reports after the cursor, oldest
// first.
func (r *Reports) List(ctx context.Context, p auth.Principal, after store.Cursor, limit int) ([]store.AssessmentReport, error) {
	return r.Service.Store.AssessmentReports(ctx, p.AccountID, after, limit)
}

// get returns the caller's report of the assessment, or ENOTFOUND.
func (r *Reports) get(ctx context.Context, p auth.Principal, assessmentID, id string) (*store.AssessmentReport, error) {
	rep, err := r.Service.Store.AssessmentReport(ctx, p.AccountID, id)
	if err == nil && rep.AssessmentID != assessmentID {
		err = probity.NotFound("assessmentReport", id)
	}
	return rep, err
}

// Delete deletes the caller's report and its zip at the destination. Who may create
// reports may delete them. It returns ENOTFOUND for a report the caller's assessment does
// not have, and EUNAUTHORIZED for anyone else.
func (r *Reports) Delete(ctx context.Context, p auth.Principal, assessmentID, id string) error {
	a, err := r.Service.get(ctx, p, assessmentID)
	if err != nil {
		return err
	}
	if err := a.Authorize(actor(p), probity.ManageReports, "", ""); err != nil {
		return err
	}
	rep, err := r.get(ctx, p, assessmentID, id)
	if err != nil {
		return err
	}
	if rep.Path != "" {
		d, err := r.destination(ctx, rep.Destination)
		if err != nil {
			return err
		}
		if err := d.Delete(ctx, rep.Path); err != nil {
			return err
		}
	}
	return r.Service.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.DeleteAssessmentReport(ctx, p.AccountID, id) })
}

// Download returns the caller's COMPLETE report and its destination, for a link to it.
// The assessment's PROCESS_OWNERs and admin keys may download its reports. It returns
// ENOTFOUND for a report the caller's assessment does not have, EUNAUTHORIZED for anyone
// else, and EINVALID for one that is not COMPLETE.
func (r *Reports) Download(ctx context.Context, p auth.Principal, assessmentID, id string) (*store.AssessmentReport, report.Destination, error) {
	a, err := r.Service.get(ctx, p, assessmentID)
	if err != nil {
		return nil, nil, err
	}
	if err := a.Authorize(actor(p), probity.ReadReports, "", ""); err != nil {
		return nil, nil, err
	}
	return r.Linked(ctx, p.AccountID, assessmentID, id)
}

// Linked returns the account's COMPLETE report of the assessment and its destination,
// with no caller to check: for a report link (GetAssessmentReportUrl's), which is the
// credential, signed for the account after Download checked its caller. It fails as
// Download does, but for EUNAUTHORIZED.
func (r *Reports) Linked(ctx context.Context, account, assessmentID, id string) (*store.AssessmentReport, report.Destination, error) {
	rep, err := r.get(ctx, auth.Principal{AccountID: account}, assessmentID, id)
	if err != nil {
		return nil, nil, err
	}
	if rep.Status != store.ReportComplete {
		return nil, nil, probity.Errorf(probity.EINVALID, "The assessment report %s is %s, not COMPLETE: there is nothing to download yet.", id, rep.Status)
	}
	d, err := r.destination(ctx, rep.Destination)
	return rep, d, err
}

// Validate checks the integrity of the report at the path: destination/PATH of one of
// the caller's account's COMPLETE reports (an s3:// URL, or a local file for a local
// destination), as it is there now, against every signing key Probity has had. It returns
// ENOTFOUND for a path that is no report of the account's or whose file is gone, and
// EINVALID for a file that is not a readable zip.
func (r *Reports) Validate(ctx context.Context, p auth.Principal, path string) (*report.Result, error) {
	var found *store.AssessmentReport
	var after store.Cursor
	for found == nil {
		page, err := r.Service.Store.AssessmentReports(ctx, p.AccountID, after, 1000)
		if err != nil {
			return nil, err
		}
		for i, rep := range page {
			if rep.Status == store.ReportComplete && Location(&rep) == path {
				found = &page[i]
				break
			}
		}
		if len(page) < 1000 {
			break
		}
		after = store.Cursor{CreatedAt: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	if found == nil {
		return nil, probity.Errorf(probity.ENOTFOUND, "No assessment report of account %s is at %s.", p.AccountID, path)
	}
	d, err := r.destination(ctx, found.Destination)
	if err != nil {
		return nil, err
	}
	obj, err := d.Open(ctx, found.Path)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	trust, err := r.Keys.Trust(ctx)
	if err != nil {
		return nil, err
	}
	res, err := report.Verify(obj, obj.Size(), trust)
	if err != nil {
		return nil, probity.Errorf(probity.EINVALID, "%s is not a readable report: %v", path, err)
	}
	return res, nil
}

// Location returns where a COMPLETE report is: its destination, "/", and its path.
func Location(rep *store.AssessmentReport) string {
	return strings.TrimSuffix(rep.Destination, "/") + "/" + rep.Path
}

// destination returns the Destination a reports destination names: s3://BUCKET[/PREFIX]
// (the scheme in either case, as the assessment's validation accepts it) or an absolute
// local directory.
func (r *Reports) destination(ctx context.Context, dest string) (report.Destination, error) {
	if strings.HasPrefix(dest, "/") {
		return report.Dir(dest), nil
	}
	scheme, rest, ok := strings.Cut(dest, "://")
	if !ok || !strings.EqualFold(scheme, "s3") {
		return nil, probity.Errorf(probity.EINVALID, "The reports destination %q is neither s3://BUCKET[/PREFIX] nor a local directory.", dest)
	}
	if r.S3 == nil {
		return nil, probity.Errorf(probity.EINVALID, "This Probity server does not write reports to S3.")
	}
	c, err := r.S3(ctx)
	if err != nil {
		return nil, err
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	return &report.Bucket{S3: c, Name: bucket, Prefix: strings.Trim(prefix, "/"), TempDir: r.TempDir}, nil
}

// Generate writes the account's IN_PROGRESS report (the job's work): the evidence read
// from one store View, the zip written to the destination and signed with the current
// signing key, then the report COMPLETE, or FAILED with the reason. A report deleted or
// finished meanwhile is left alone. It returns an error only when the outcome cannot be
// recorded, so that the job is retried.
func (r *Reports) Generate(ctx context.Context, account, id string) error {
	rep, err := r.Service.Store.AssessmentReport(ctx, account, id)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if rep.Status != store.ReportInProgress {
		return nil
	}
	sum, path, genErr := r.write(ctx, rep)
	if genErr == nil {
		rep.Status, rep.Path, rep.KeyID, rep.Digest = store.ReportComplete, path, sum.KeyID, sum.Digest
		err := r.Service.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.FinishAssessmentReport(ctx, rep) })
		if c := probity.ErrorCode(err); c == probity.ENOTFOUND || c == probity.ECONFLICT {
			return nil
		}
		return err
	}
	return r.finish(ctx, rep, genErr)
}

// finish records that the report failed, with the reason, even when ctx has ended (which
// may be why it failed).
func (r *Reports) finish(ctx context.Context, rep *store.AssessmentReport, cause error) error {
	ctx = context.WithoutCancel(ctx)
	rep.Status, rep.Reason = store.ReportFailed, cut(probity.ErrorMessage(cause), 1000)
	err := r.Service.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.FinishAssessmentReport(ctx, rep) })
	if c := probity.ErrorCode(err); c == probity.ENOTFOUND || c == probity.ECONFLICT {
		return nil
	}
	return err
}

// write writes the report's zip and returns its summary and destination-relative path.
func (r *Reports) write(ctx context.Context, rep *store.AssessmentReport) (*report.Summary, string, error) {
	a, err := r.Service.Store.Assessment(ctx, rep.AccountID, rep.AssessmentID)
	if err != nil {
		return nil, "", fmt.Errorf("the assessment: %w", err)
	}
	if err := r.Service.countEvidence(ctx, a); err != nil {
		return nil, "", err
	}
	var q *evquery.Query
	if rep.Query != "" {
		if q, err = evquery.Parse(rep.Query); err != nil {
			return nil, "", err
		}
	}
	signer, err := r.Keys.Current(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("the signing key: %w", err)
	}
	d, err := r.destination(ctx, rep.Destination)
	if err != nil {
		return nil, "", err
	}
	at := r.Service.now()
	days, err := r.Service.Store.EvidenceDays(ctx, rep.AccountID, a.ID, "", a.CreatedAt, at)
	if err != nil {
		return nil, "", err
	}
	in := report.Input{Assessment: *a, Name: rep.Name, Description: rep.Description, Author: rep.Author, Days: days, At: at,
		TempDir: r.TempDir, Evidence: r.evidence(rep, a, q)}
	if b := r.Service.Blobs; b != nil {
		in.Blob = b.Open
	}
	path := rep.ID + "/" + rep.Name + ".zip"
	w, err := d.Create(ctx, path)
	if err != nil {
		return nil, "", err
	}
	sum, err := report.Write(ctx, w, in, signer)
	if err != nil {
		w.Close()
		d.Delete(context.WithoutCancel(ctx), path)
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return sum, path, nil
}

// evidence returns the report's evidence in the order the report lists it (control set,
// control, data source, day, sequence), read from one View: the evidence selected for
// the report, or what the query matches.
func (r *Reports) evidence(rep *store.AssessmentReport, a *probity.Assessment, q *evquery.Query) func(ctx context.Context, fn func(probity.Evidence) error) error {
	return func(ctx context.Context, fn func(probity.Evidence) error) error {
		return r.Service.Store.View(ctx, func(tx store.Reader) error {
			folders, err := allFolders(ctx, tx, rep.AccountID, a.ID)
			if err != nil {
				return err
			}
			order := map[string]int{}
			for i, s := range a.ControlSets {
				for k, c := range s.Controls {
					order[s.ID+"\x00"+c.ID] = i*100000 + k
				}
			}
			slices.SortFunc(folders, func(x, y probity.EvidenceFolder) int {
				return cmp.Or(cmp.Compare(order[x.ControlSetID+"\x00"+x.ControlID], order[y.ControlSetID+"\x00"+y.ControlID]),
					cmp.Compare(x.ControlSetID, y.ControlSetID), cmp.Compare(x.ControlID, y.ControlID),
					cmp.Compare(x.DataSource, y.DataSource), x.Date.Compare(y.Date), cmp.Compare(x.ID, y.ID))
			})
			for _, f := range folders {
				if q == nil && f.AssessmentReportSelectionCount == 0 {
					continue
				}
				var after int64
				for {
					page, err := tx.EvidenceByFolder(ctx, store.EvidencePage{AccountID: rep.AccountID, AssessmentID: a.ID, FolderID: f.ID,
						After: after, Limit: folderPageSize})
					if err != nil {
						return err
					}
					for i := range page {
						e := &page[i]
						if q == nil && e.AssessmentReportSelection != "Yes" || q != nil && !q.Match(e) {
							continue
						}
						if err := fn(*e); err != nil {
							return err
						}
					}
					if len(page) < folderPageSize {
						break
					}
					after = page[len(page)-1].Sequence
				}
			}
			return nil
		})
	}
}

// allFolders returns every evidence folder of the assessment.
func allFolders(ctx context.Context, rd store.Reader, account, id string) ([]probity.EvidenceFolder, error) {
	var out []probity.EvidenceFolder
	var after store.FolderCursor
	for {
		page, err := rd.EvidenceFolders(ctx, store.FolderPage{AccountID: account, AssessmentID: id, After: after, Limit: folderPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < folderPageSize {
			return out, nil
		}
		last := page[len(page)-1]
		after = store.FolderCursor{Date: last.Date, ID: last.ID}
	}
}
