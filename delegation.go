package probity

import (
	"regexp"
	"time"
)

// DelegationStatus is where a delegated review stands.
type DelegationStatus string

// Delegation statuses: the delegate works (IN_PROGRESS), submits (UNDER_REVIEW), and the
// process owner completes the review (COMPLETE).
const (
	DelegationInProgress  DelegationStatus = "IN_PROGRESS"
	DelegationUnderReview DelegationStatus = "UNDER_REVIEW"
	DelegationComplete    DelegationStatus = "COMPLETE"
)

// MaxDelegationComment is the model's limit on a DelegationComment, in characters.
const MaxDelegationComment = 350

// Delegation hands the review of one control set of an assessment to an IAM identity.
type Delegation struct {
	ID           string
	AccountID    string
	AssessmentID string
	// AssessmentName is filled on read, from the assessment.
	AssessmentName string
	ControlSetID   string
	// ControlSetName is filled by reads that list delegations across assessments.
	ControlSetName string
	RoleARN        string
	RoleType       RoleType
	Status         DelegationStatus
	Comment        string
	CreatedBy      string
	CreatedAt      time.Time
	LastUpdatedAt  time.Time
}

// Open reports whether the delegate may still work on the control set.
func (d *Delegation) Open() bool { return d.Status != DelegationComplete }

// identityARN is an IAM role or user: who can be given a delegation or an access key.
var identityARN = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):(role|user)/[\w+=,.@/-]{1,512}$`)

// IdentityARNProblem returns why arn cannot name an identity of the account (an IAM role
// or user, arn:aws:iam::ACCOUNT:role/NAME or user/NAME), or "" when it can. It is the one
// rule for the identities of access keys and of delegates.
func IdentityARNProblem(arn, account string) string {
	m := identityARN.FindStringSubmatch(arn)
	switch {
	case m == nil:
		return "must be arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME (NAME of letters, digits and + = , . @ / - _)"
	case m[1] != account:
		return "names account " + m[1] + ", not account " + account
	}
	return ""
}

// Validate returns an EINVALID *Error listing every rule the delegation's user-supplied
// members break, or nil: the control set id (1 to 300 characters), the delegate (an IAM
// role or user of the delegation's account), its role type (RESOURCE_OWNER: a process
// owner is a role of the assessment, not a delegation) and the comment (at most 350
// characters). Whether the control set exists is the assessment's to say.
func (d *Delegation) Validate() error {
	var ck checker
	ck.text("controlSetId", d.ControlSetID, SingleLine, true, 1, 300, nil, "")
	if d.RoleARN == "" {
		ck.add("roleArn", "is required")
	} else if msg := IdentityARNProblem(d.RoleARN, d.AccountID); msg != "" {
		ck.add("roleArn", "%s", msg)
	}
	switch d.RoleType {
	case RoleResourceOwner:
	case "":
		ck.add("roleType", "is required; RESOURCE_OWNER")
	default:
		ck.add("roleType", "must be RESOURCE_OWNER: control sets are delegated to resource owners")
	}
	ck.text("comment", d.Comment, FreeText, false, 0, MaxDelegationComment, nil, "")
	return ck.err("delegation")
}
