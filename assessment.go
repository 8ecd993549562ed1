package probity

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AssessmentStatus says whether an assessment still collects evidence.
type AssessmentStatus string

// Assessment statuses. INACTIVE is final.
const (
	AssessmentActive   AssessmentStatus = "ACTIVE"
	AssessmentInactive AssessmentStatus = "INACTIVE"
)

// AssessmentStatuses lists the statuses in the service's order.
var AssessmentStatuses = []AssessmentStatus{AssessmentActive, AssessmentInactive}

// ControlSetStatus is where the review of an assessment's control set stands.
type ControlSetStatus string

// Control set statuses.
const (
	ControlSetActive      ControlSetStatus = "ACTIVE"
	ControlSetUnderReview ControlSetStatus = "UNDER_REVIEW"
	ControlSetReviewed    ControlSetStatus = "REVIEWED"
)

// ControlSetStatuses lists the control set statuses in the service's order.
var ControlSetStatuses = []ControlSetStatus{ControlSetActive, ControlSetUnderReview, ControlSetReviewed}

// ControlStatus is where the review of an assessment's control stands.
type ControlStatus string

// Control statuses. A new assessment's controls are UNDER_REVIEW.
const (
	ControlUnderReview ControlStatus = "UNDER_REVIEW"
	ControlReviewed    ControlStatus = "REVIEWED"
	ControlInactive    ControlStatus = "INACTIVE"
)

// ControlStatuses lists the control statuses in the service's order.
var ControlStatuses = []ControlStatus{ControlUnderReview, ControlReviewed, ControlInactive}

// RoleType is the part an IAM identity plays in an assessment.
type RoleType string

// Role types: the process owner runs the assessment; a resource owner reviews the
// control sets delegated to it.
const (
	RoleProcessOwner  RoleType = "PROCESS_OWNER"
	RoleResourceOwner RoleType = "RESOURCE_OWNER"
)

// RoleTypes lists the role types in the service's order.
var RoleTypes = []RoleType{RoleProcessOwner, RoleResourceOwner}

// Role is an IAM identity with its part in an assessment.
type Role struct {
	Type RoleType
	ARN  string
}

// AWSAccount is an account in an assessment's scope.
type AWSAccount struct {
	ID, EmailAddress, Name string
}

// Scope is what an assessment collects evidence about.
type Scope struct {
	Accounts []AWSAccount
	Services []string
}

// MaxScopeAccounts bounds an assessment's scope, as the service does.
const MaxScopeAccounts = 200

// AssessmentFrameworkRef is what an assessment keeps of the framework it was made from.
type AssessmentFrameworkRef struct {
	ID, ARN, Name, Description, Logo, ComplianceType string
}

// Assessment is an audit in progress: a snapshot of a framework's control sets and
// controls, a scope, the people who take part, and the review state. Changes to the
// framework or its controls after the snapshot do not reach it (see Sync).
type Assessment struct {
	ID          string
	ARN         string
	AccountID   string
	Name        string
	Description string
	Status      AssessmentStatus
	// ReportsDestination is where assessment reports go: s3://BUCKET[/PREFIX], or an
	// absolute local directory (the embedded mode).
	ReportsDestination Destination
	Scope              Scope
	Roles              []Role
	Framework          AssessmentFrameworkRef
	ControlSets        []AssessmentControlSet
	// Delegations are read with the assessment; they are written on their own.
	Delegations   []Delegation
	Tags          map[string]string
	CreatedAt     time.Time
	LastUpdatedAt time.Time
}

// AssessmentControlSet is a control set of the framework as the assessment holds it.
type AssessmentControlSet struct {
	ID       string // the framework's control set id
	Name     string // shown as the model's description
	Status   ControlSetStatus
	Controls []AssessmentControl
	// SystemEvidenceCount and ManualEvidenceCount are the evidence counts of the set's
	// controls; zero until the evidence ledger counts them.
	SystemEvidenceCount, ManualEvidenceCount int
}

// AssessmentControl is a control as the assessment holds it: its content at the
// snapshot and its review state.
type AssessmentControl struct {
	ID          string
	Name        string
	Description string
	// Domain is the control's domain at the snapshot (Control.Domain); empty means
	// DomainUncategorized.
	Domain string
	// DataSources are the control's data sources at the snapshot: what collection reads.
	DataSources []ControlMappingSource
	Status      ControlStatus
	// Response is AUTOMATE when any data source is automated, MANUAL otherwise.
	Response string
	Comments []ControlComment
	// EvidenceSources, EvidenceCount and AssessmentReportEvidenceCount are the ledger's;
	// empty until it fills them.
	EvidenceSources               []string
	EvidenceCount                 int
	AssessmentReportEvidenceCount int
}

// ControlComment is a reviewer's comment on a control.
type ControlComment struct {
	AuthorName string
	Body       string
	PostedAt   time.Time
}

// SnapshotControl returns the assessment's copy of c, under review, with no comments.
func SnapshotControl(c *Control) AssessmentControl {
	ac := AssessmentControl{ID: c.ID, Name: c.Name, Description: c.Description, Domain: c.Domain, Status: ControlUnderReview, Response: "MANUAL",
		DataSources: slices.Clone(c.ControlMappingSources)}
	for _, s := range c.ControlMappingSources {
		if s.SourceType != SourceTypeManual {
			ac.Response = "AUTOMATE"
		}
	}
	return ac
}

// sameContent reports whether two snapshots of a control hold the same content.
func (c *AssessmentControl) sameContent(o *AssessmentControl) bool {
	return c.ID == o.ID && c.Name == o.Name && c.Description == o.Description &&
		slices.EqualFunc(c.DataSources, o.DataSources, func(a, b ControlMappingSource) bool {
			return a.SourceID == b.SourceID && a.contentEqual(b)
		})
}

// Snapshot returns the control sets of f, with the controls from controls (by id), as a
// new assessment holds them.
func Snapshot(f *Framework, controls map[string]*Control) []AssessmentControlSet {
	sets := make([]AssessmentControlSet, 0, len(f.ControlSets))
	for _, cs := range f.ControlSets {
		s := AssessmentControlSet{ID: cs.ID, Name: cs.Name, Status: ControlSetActive}
		for _, id := range cs.Controls {
			s.Controls = append(s.Controls, SnapshotControl(controls[id]))
		}
		sets = append(sets, s)
	}
	return sets
}

// Sync brings the assessment's snapshot up to sets, a new snapshot of its framework. A
// control whose content (name, description, data sources) is unchanged in the same
// control set keeps its review status, response and comments; a changed control keeps
// its comments, which are history, and is under review again. A control set whose
// controls are all unchanged keeps its status. It returns how many controls changed,
// were added and were removed.
func (a *Assessment) Sync(sets []AssessmentControlSet) (changed, added, removed int) {
	old := map[string]*AssessmentControlSet{}
	for i := range a.ControlSets {
		old[a.ControlSets[i].ID] = &a.ControlSets[i]
	}
	seen := map[[2]string]bool{}
	for i := range sets {
		s := &sets[i]
		prev := old[s.ID]
		same := prev != nil && len(prev.Controls) == len(s.Controls)
		for k := range s.Controls {
			c := &s.Controls[k]
			var p *AssessmentControl
			if prev != nil {
				if j := slices.IndexFunc(prev.Controls, func(x AssessmentControl) bool { return x.ID == c.ID }); j >= 0 {
					p = &prev.Controls[j]
				}
			}
			switch {
			case p == nil:
				added++
				same = false
			case p.sameContent(c):
				c.Status, c.Response, c.Comments = p.Status, p.Response, p.Comments
				seen[[2]string{s.ID, c.ID}] = true
			default:
				c.Comments = p.Comments
				changed++
				same = false
				seen[[2]string{s.ID, c.ID}] = true
			}
		}
		if same {
			s.Status = prev.Status
		}
	}
	for _, s := range a.ControlSets {
		for _, c := range s.Controls {
			if !seen[[2]string{s.ID, c.ID}] {
				removed++
			}
		}
	}
	a.ControlSets = sets
	return changed, added, removed
}

// ControlSet returns the assessment's control set with the id, or nil.
func (a *Assessment) ControlSet(id string) *AssessmentControlSet {
	for i := range a.ControlSets {
		if a.ControlSets[i].ID == id {
			return &a.ControlSets[i]
		}
	}
	return nil
}

// Control returns the control with the id in the set, or nil.
func (s *AssessmentControlSet) Control(id string) *AssessmentControl {
	for i := range s.Controls {
		if s.Controls[i].ID == id {
			return &s.Controls[i]
		}
	}
	return nil
}

// Deactivate makes the assessment INACTIVE, which is final: collection stops and every
// control set is REVIEWED. It returns an EINVALID error when it is INACTIVE already.
func (a *Assessment) Deactivate(at time.Time) error {
	if err := a.CheckActive(); err != nil {
		return err
	}
	a.Status, a.LastUpdatedAt = AssessmentInactive, at
	for i := range a.ControlSets {
		a.ControlSets[i].Status = ControlSetReviewed
	}
	return nil
}

// CheckActive returns an EINVALID error when the assessment is INACTIVE: an inactive
// assessment is final and cannot change.
func (a *Assessment) CheckActive() error {
	if a.Status == AssessmentInactive {
		return Errorf(EINVALID, "The assessment %s is INACTIVE; an inactive assessment cannot be changed or made active again.", a.ID)
	}
	return nil
}

// ProcessOwner reports whether arn is one of the assessment's process owners.
func (a *Assessment) ProcessOwner(arn string) bool {
	return arn != "" && slices.ContainsFunc(a.Roles, func(r Role) bool { return r.Type == RoleProcessOwner && r.ARN == arn })
}

var (
	iamARNPattern     = regexp.MustCompile(`^arn:.*:iam:.*`)
	accountNamePat    = regexp.MustCompile(`^[\x20-\x7E]+$`)
	emailPattern      = regexp.MustCompile(`^.*@.*$`)
	servicePattern    = regexp.MustCompile(`^[a-zA-Z0-9-\s().]+$`)
	s3URLPattern      = regexp.MustCompile(`^(S|s)3://[a-zA-Z0-9\-\.\(\)\'\*\_\!\=\+\@\:\s\,\?\/]+$`)
	bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// Validate returns an EINVALID *Error listing every rule the assessment's user-supplied
// members break (name, description, destination, scope, roles, tags), or nil.
func (a *Assessment) Validate() error {
	var ck checker
	ck.text("name", a.Name, SingleLine, true, 1, 300, noBackslash, "must not contain a backslash")
	ck.text("description", a.Description, FreeText, false, 0, 1000, nil, "")
	checkDestination(&ck, "assessmentReportsDestination", a.ReportsDestination)
	checkScope(&ck, "scope", a.Scope)
	checkRoles(&ck, "roles", a.Roles)
	ck.tags("tags", a.Tags)
	return ck.err("assessment")
}

func checkDestination(ck *checker, name string, d Destination) {
	switch d.Type {
	case "S3":
	case "":
		ck.add(name+".destinationType", "is required; S3")
	default:
		ck.add(name+".destinationType", "must be S3")
	}
	dest := d.Destination
	switch {
	case dest == "":
		ck.add(name+".destination", "is required: s3://BUCKET[/PREFIX], or an absolute local directory")
	case utf8.RuneCountInString(dest) > 1024:
		ck.add(name+".destination", "must be at most 1024 characters")
	case strings.HasPrefix(dest, "/"):
		if CheckText(dest, SingleLine) != "" || slices.Contains(strings.Split(dest, "/"), "..") {
			ck.add(name+".destination", "must be a clean absolute directory path")
		}
	case !s3URLPattern.MatchString(dest):
		ck.add(name+".destination", "must be s3://BUCKET[/PREFIX] or an absolute local directory")
	default:
		bucket, _, _ := strings.Cut(dest[len("s3://"):], "/")
		if !bucketNamePattern.MatchString(bucket) {
			ck.add(name+".destination", "names the bucket %q, which is not a valid S3 bucket name", bucket)
		}
	}
}

func checkScope(ck *checker, name string, s Scope) {
	switch n := len(s.Accounts); {
	case n == 0:
		ck.add(name+".awsAccounts", "must have at least 1 account")
	case n > MaxScopeAccounts:
		ck.add(name+".awsAccounts", "must have at most %d accounts, got %d", MaxScopeAccounts, n)
	}
	seen := map[string]int{}
	for i, acc := range s.Accounts {
		an := index(name+".awsAccounts", i)
		if !IsAccountID(acc.ID) {
			ck.add(an+".id", "must be 12 digits")
		} else if j, dup := seen[acc.ID]; dup {
			ck.add(an+".id", "duplicates awsAccounts[%d]", j)
		} else {
			seen[acc.ID] = i
		}
		ck.text(an+".emailAddress", acc.EmailAddress, SingleLine, false, 1, 320, emailPattern, "must be an email address")
		ck.text(an+".name", acc.Name, SingleLine, false, 1, 50, accountNamePat, "may hold only printable ASCII")
	}
	for i, svc := range s.Services {
		ck.text(index(name+".awsServices", i)+".serviceName", svc, SingleLine, true, 1, 40, servicePattern,
			"may hold only letters, digits, spaces and - ( ) .")
	}
}

func checkRoles(ck *checker, name string, roles []Role) {
	owners := 0
	seen := map[Role]int{}
	for i, r := range roles {
		rn := index(name, i)
		oneOf(ck, rn+".roleType", r.Type, true, RoleTypes)
		checkIAMARN(ck, rn+".roleArn", r.ARN)
		if j, dup := seen[r]; dup {
			ck.add(rn, "duplicates roles[%d]", j)
		}
		seen[r] = i
		if r.Type == RoleProcessOwner {
			owners++
		}
	}
	if owners == 0 {
		ck.add(name, "must include at least one PROCESS_OWNER")
	}
}

func checkIAMARN(ck *checker, name, arn string) {
	ck.text(name, arn, SingleLine, true, 20, 2048, iamARNPattern, "must be an IAM ARN such as arn:aws:iam::111122223333:role/Auditor")
}
