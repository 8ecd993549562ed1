package assess

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evquery"
	"github.com/probity-dev/probity/internal/store"
)

// The evidence finder: one assessment's evidence selected by control, account, data
// source, compliance result, resource type and day, as the console's evidence finder
// shows it. The filters become an evquery statement (the query language of
// CreateAssessmentReport), so that the finder and a report's query select the same
// evidence. The finder reads the assessment's folders in day order, skips those that
// cannot match by their counters, and evaluates the statement on the evidence of the
// rest: a page costs at most FindQuery.MaxScan evidence decoded, whatever the size of
// the ledger.

// Compliance results of a FindQuery. Inconclusive is every evidence that is neither
// compliant nor non-compliant, as insights count it.
const (
	FindCompliant    = "COMPLIANT"
	FindNonCompliant = "NON_COMPLIANT"
	FindInconclusive = "INCONCLUSIVE"
)

// DefaultMaxScan is how many evidence one FindEvidence call reads at most unless the
// query says otherwise.
const DefaultMaxScan = 5000

// FindQuery selects evidence of one assessment. Empty members select everything.
type FindQuery struct {
	AssessmentID string // required
	ControlID    string
	Account      string // the evidence's AWS account (evidenceAwsAccountId)
	DataSource   string
	Compliance   string // FindCompliant, FindNonCompliant or FindInconclusive
	// ResourceType is the service of a resource ARN ("s3"), optionally with the ARN's
	// resource type ("ec2:instance").
	ResourceType string
	// From and To are UTC days, both included; zero for no bound.
	From, To time.Time
	// MaxScan bounds the evidence one call reads; 0 means DefaultMaxScan, and a negative
	// value no bound (an export).
	MaxScan int
}

// FindCursor is where a FindEvidence page ends: the folder it was reading and the
// sequence of the last evidence read in it. The zero cursor is the start.
type FindCursor struct {
	Date     time.Time
	FolderID string
	Seq      int64
}

// IsZero reports whether the cursor is the start (or the end, as FoundPage.Next).
func (c FindCursor) IsZero() bool { return c.FolderID == "" }

// FoundPage is a page of the evidence finder.
type FoundPage struct {
	Evidence []probity.Evidence
	// Next continues the search; zero when every folder has been read.
	Next FindCursor
	// Scanned is how many evidence the call read. When Next is set and Evidence is
	// shorter than the limit, the call stopped at MaxScan: more may match further on.
	Scanned int
}

var resourceTypePattern = regexp.MustCompile(`^[a-z0-9-]{1,64}(:[a-zA-Z0-9-]{1,64})?$`)

// Validate returns an EINVALID error naming each member that is wrong.
func (q *FindQuery) Validate() error {
	var fs []probity.FieldError
	if q.AssessmentID == "" {
		fs = append(fs, probity.FieldError{Name: "assessmentId", Message: "choose an assessment"})
	}
	switch q.Compliance {
	case "", FindCompliant, FindNonCompliant, FindInconclusive:
	default:
		fs = append(fs, probity.FieldError{Name: "compliance", Message: "must be COMPLIANT, NON_COMPLIANT or INCONCLUSIVE"})
	}
	if q.Account != "" && !probity.IsAccountID(q.Account) {
		fs = append(fs, probity.FieldError{Name: "account", Message: "must be 12 digits"})
	}
	if q.ResourceType != "" && !resourceTypePattern.MatchString(q.ResourceType) {
		fs = append(fs, probity.FieldError{Name: "resourceType", Message: "must be an ARN's service, such as s3, optionally with its resource type, such as ec2:instance"})
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		fs = append(fs, probity.FieldError{Name: "to", Message: "must not be before the first day"})
	}
	if len(fs) > 0 {
		return &probity.Error{Code: probity.EINVALID, Message: "The evidence search is not valid.", Fields: fs}
	}
	return nil
}

// Statement returns the query as an evquery statement (CreateAssessmentReport's
// queryStatement): the conditions that no folder counter decides, and those that it
// does, so that the statement alone selects the same evidence. It is "" for no filter.
func (q *FindQuery) Statement() string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var cs []string
	if q.ControlID != "" {
		cs = append(cs, "controlId = "+quote(q.ControlID))
	}
	if q.DataSource != "" {
		cs = append(cs, "dataSource = "+quote(q.DataSource))
	}
	if q.Account != "" {
		cs = append(cs, "evidenceAwsAccountId = "+quote(q.Account))
	}
	switch q.Compliance {
	case FindCompliant, FindNonCompliant:
		cs = append(cs, "complianceCheck = "+quote(q.Compliance))
	case FindInconclusive:
		cs = append(cs, "complianceCheck NOT IN ('COMPLIANT', 'NON_COMPLIANT')")
	}
	if q.ResourceType != "" {
		service, typ, _ := strings.Cut(q.ResourceType, ":")
		pattern := "arn:%:" + service + ":%"
		if typ != "" {
			pattern = "arn:%:" + service + ":%:%:" + typ + "%"
		}
		cs = append(cs, "resourceArn LIKE "+quote(pattern))
	}
	if !q.From.IsZero() {
		cs = append(cs, "time >= "+quote(q.From.UTC().Format(time.DateOnly)))
	}
	if !q.To.IsZero() {
		cs = append(cs, "time < "+quote(probity.Day(q.To).AddDate(0, 0, 1).Format(time.DateOnly)))
	}
	return strings.Join(cs, " AND ")
}

// skip reports whether no evidence of the folder can match the query, by its members and
// counters.
func (q *FindQuery) skip(f *probity.EvidenceFolder) bool {
	switch {
	case q.ControlID != "" && f.ControlID != q.ControlID,
		q.DataSource != "" && f.DataSource != q.DataSource,
		!q.From.IsZero() && f.Date.Before(probity.Day(q.From)),
		q.Compliance == FindNonCompliant && f.EvidenceByTypeComplianceCheckIssuesCount == 0,
		q.Compliance == FindCompliant && f.EvidenceByTypeComplianceCheckCount-f.EvidenceByTypeComplianceCheckIssuesCount == 0:
		return true
	}
	return false
}

// FindEvidence returns up to limit evidence of the caller's assessment that the query
// selects, after the cursor, in folder (day, then id) and sequence order, from the
// control sets the caller may read (all for a PROCESS_OWNER or an admin key, the
// delegated ones for a delegate). It reads at most q.MaxScan evidence. It returns
// Validate's error, ENOTFOUND for an assessment the caller does not see, and
// EUNAUTHORIZED when it may read no control set's evidence.
func (s *Service) FindEvidence(ctx context.Context, p auth.Principal, q FindQuery, after FindCursor, limit int) (*FoundPage, error) {
	out := &FoundPage{}
	next, scanned, err := s.find(ctx, p, q, after, func(e *probity.Evidence) bool {
		out.Evidence = append(out.Evidence, *e)
		return len(out.Evidence) < limit
	})
	out.Next, out.Scanned = next, scanned
	return out, err
}

// EachFound calls fn with every evidence the query selects, as FindEvidence would list
// them page after page, without a bound on the evidence read (q.MaxScan is ignored); fn's
// error stops it and is returned. It fails as FindEvidence does.
func (s *Service) EachFound(ctx context.Context, p auth.Principal, q FindQuery, fn func(*probity.Evidence) error) error {
	q.MaxScan = -1
	var ferr error
	_, _, err := s.find(ctx, p, q, FindCursor{}, func(e *probity.Evidence) bool {
		ferr = fn(e)
		return ferr == nil
	})
	if err != nil {
		return err
	}
	return ferr
}

// find walks the folders and evidence after the cursor, calling keep with each match
// until keep returns false or the scan bound is reached; it returns where it stopped
// (zero at the end) and how many evidence it read.
func (s *Service) find(ctx context.Context, p auth.Principal, q FindQuery, after FindCursor, keep func(*probity.Evidence) bool) (FindCursor, int, error) {
	if err := q.Validate(); err != nil {
		return FindCursor{}, 0, err
	}
	var query *evquery.Query // nil matches everything
	if st := q.Statement(); st != "" {
		var err error
		if query, err = evquery.Parse(st); err != nil { // Statement quotes every value: a failure is a bug
			return FindCursor{}, 0, fmt.Errorf("evidence finder: %w", err)
		}
	}
	a, err := s.access(ctx, p, q.AssessmentID)
	if err != nil {
		return FindCursor{}, 0, err
	}
	who := actor(p)
	var sets map[string]bool // nil: every set
	if !who.Admin && !a.ProcessOwner(who.ARN) {
		if sets = a.DelegatedSets(who.ARN); len(sets) == 0 {
			return FindCursor{}, 0, a.Authorize(who, probity.ReadEvidence, "", "")
		}
	}
	budget := q.MaxScan
	if budget == 0 {
		budget = DefaultMaxScan
	}
	scanned := 0
	// readFolder reads the folder's evidence after seq; it returns the cursor to stop at,
	// or a zero cursor and true to go on to the next folder.
	readFolder := func(f *probity.EvidenceFolder, seq int64) (FindCursor, bool, error) {
		for {
			n := folderPageSize
			if budget > 0 {
				n = min(n, budget-scanned)
			}
			if n <= 0 {
				return FindCursor{Date: f.Date, FolderID: f.ID, Seq: seq}, false, nil
			}
			page, err := s.Store.EvidenceByFolder(ctx, store.EvidencePage{AccountID: p.AccountID, AssessmentID: q.AssessmentID,
				FolderID: f.ID, After: seq, Limit: n})
			if err != nil {
				return FindCursor{}, false, err
			}
			for i := range page {
				scanned++
				seq = page[i].Sequence
				if query.Match(&page[i]) && !keep(&page[i]) {
					return FindCursor{Date: f.Date, FolderID: f.ID, Seq: seq}, false, nil
				}
			}
			if len(page) < n {
				return FindCursor{}, true, nil
			}
		}
	}
	cur := store.FolderCursor{}
	if !after.IsZero() {
		f, err := s.Store.EvidenceFolder(ctx, p.AccountID, q.AssessmentID, after.FolderID)
		if probity.ErrorCode(err) == probity.ENOTFOUND {
			return FindCursor{}, 0, probity.Errorf(probity.EINVALID, "The search's place is not a folder of this assessment; start the search again.")
		} else if err != nil {
			return FindCursor{}, 0, err
		}
		// The cursor is the caller's text: it may name a folder of a set the caller may not
		// read, which is then passed over like any other such folder.
		if sets == nil || sets[f.ControlSetID] {
			if stop, on, err := readFolder(f, after.Seq); err != nil || !on {
				return stop, scanned, err
			}
		}
		cur = store.FolderCursor{Date: f.Date, ID: f.ID}
	} else if !q.From.IsZero() {
		// (day, id) > (From, " "): every folder from From on, since folder ids are UUIDs,
		// which sort after a space.
		cur = store.FolderCursor{Date: probity.Day(q.From), ID: " "}
	}
	for {
		folders, err := s.Store.EvidenceFolders(ctx, store.FolderPage{AccountID: p.AccountID, AssessmentID: q.AssessmentID,
			After: cur, Limit: folderPageSize})
		if err != nil {
			return FindCursor{}, scanned, err
		}
		for i := range folders {
			f := &folders[i]
			if !q.To.IsZero() && f.Date.After(probity.Day(q.To)) {
				return FindCursor{}, scanned, nil
			}
			if (sets != nil && !sets[f.ControlSetID]) || q.skip(f) {
				continue
			}
			if stop, on, err := readFolder(f, 0); err != nil || !on {
				return stop, scanned, err
			}
		}
		if len(folders) < folderPageSize {
			return FindCursor{}, scanned, nil
		}
		last := folders[len(folders)-1]
		cur = store.FolderCursor{Date: last.Date, ID: last.ID}
	}
}
