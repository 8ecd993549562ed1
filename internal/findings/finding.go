// Package findings reads third-party compliance findings (OCSF 1.x as Prowler writes it,
// the AWS Security Finding Format, Prowler CSV), maps them to the controls of active
// assessments and appends them to the evidence ledger as compliance-check evidence.
//
// The flow is Decode (a file -> findings, or every problem of the file and no findings),
// then Importer.Import (findings -> evidence of every active assessment whose scope holds
// the finding's account, in the controls the findings map to).
package findings

import (
	"time"

	"github.com/probity-dev/probity"
)

// Statuses of a Finding, normalised from each format's own words.
const (
	StatusPass         = "PASS"
	StatusFail         = "FAIL"
	StatusWarning      = "WARNING"
	StatusManual       = "MANUAL"
	StatusNotAvailable = "NOT_AVAILABLE"
)

// Finding is one check result of a scanner about one account, normalised from its format.
type Finding struct {
	// ID is the scanner's id of the finding (may be empty for CSV without FINDING_UID).
	ID string
	// Provider is the tool that produced the finding, lower case: "prowler",
	// "securityhub", or the product's name.
	Provider string
	// CheckID is the scanner's check: Prowler's check id, Security Hub's control id.
	CheckID string
	Title   string
	// Account is the 12-digit AWS account the finding is about.
	Account   string
	Region    string
	Resources []Resource
	// Status is one of the Status constants.
	Status string
	// Time is when the scanner observed the result, in UTC.
	Time time.Time
	// Requirements are the framework requirements the scanner says the check serves.
	Requirements []Requirement
}

// Resource is a resource a finding is about.
type Resource struct {
	ARN  string // the resource's ARN, or its id when the scanner gives no ARN
	Type string
}

// Requirement is a requirement of a framework that a finding carries: Framework is the
// scanner's name of the framework ("CIS-3.0", "NIST.800-53.r5", a Security Hub standards
// id), ID the requirement within it ("1.20", "AU-9", "CloudTrail.2").
type Requirement struct {
	Framework, ID string
}

// Compliance returns the evidence's complianceCheck for the finding's status: PASS is
// COMPLIANT, FAIL is NON_COMPLIANT, anything else is inconclusive ("").
func (f *Finding) Compliance() string {
	switch f.Status {
	case StatusPass:
		return probity.ComplianceCompliant
	case StatusFail:
		return probity.ComplianceNonCompliant
	}
	return ""
}
