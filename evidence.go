package probity

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Evidence types, the values of Evidence.EvidenceByType that folders count.
const (
	EvidenceTypeComplianceCheck   = "Compliance check"
	EvidenceTypeConfigurationData = "Configuration data"
	EvidenceTypeUserActivity      = "User activity"
	EvidenceTypeManual            = "Manual"
)

// Compliance check values of Evidence.ComplianceCheck and EvidenceResource.ComplianceCheck.
// Any other value, the empty one included, is inconclusive.
const (
	ComplianceCompliant    = "COMPLIANT"
	ComplianceNonCompliant = "NON_COMPLIANT"
)

// Evidence is one record of the evidence ledger: what a collector or a person recorded for
// a control of an assessment. Member names follow the AWS Audit Manager Evidence shape;
// ledger members (Sequence, Hash) follow. Once appended, evidence never changes, except
// AssessmentReportSelection, which is kept apart from the record.
type Evidence struct {
	// ID is assigned by the ledger (see EvidenceID).
	ID string
	// EvidenceFolderID is assigned by the ledger (see EvidenceFolderID).
	EvidenceFolderID string
	// AccountID and AssessmentID say whose assessment holds the evidence.
	AccountID    string
	AssessmentID string
	// ControlSetID, ControlID and ControlName place the evidence in the assessment.
	ControlSetID string
	ControlID    string
	ControlName  string

	DataSource           string
	EvidenceAWSAccountID string
	Time                 time.Time // when the evidence was collected; stored in UTC
	EventSource          string
	EventName            string
	EvidenceByType       string // one of the EvidenceType constants
	ResourcesIncluded    []EvidenceResource
	Attributes           map[string]string
	IAMID                string
	ComplianceCheck      string
	AWSOrganization      string
	AWSAccountID         string
	// Blobs are the SHA-256 digests (lowercase hex) of files kept in the blob store for
	// this evidence: an uploaded file, an API snapshot.
	Blobs []string

	// AssessmentReportSelection is "Yes" when the evidence is selected for the assessment
	// report, else "No". It is the one member that may change after the append.
	AssessmentReportSelection string

	// Sequence is the evidence's place in its assessment's chain, from 1.
	Sequence int64
	// Hash is the chain hash of the record, "sha256:" and hex.
	Hash string
}

// EvidenceResource is a resource assessed to produce evidence.
type EvidenceResource struct {
	ARN             string
	Value           string
	ComplianceCheck string
}

// Compliance returns how the evidence counts in daily aggregates: +1 compliant, -1
// non-compliant, 0 inconclusive.
func (e *Evidence) Compliance() int {
	switch e.ComplianceCheck {
	case ComplianceCompliant:
		return 1
	case ComplianceNonCompliant:
		return -1
	}
	return 0
}

// Validate returns an EINVALID *Error naming every member that breaks the Audit Manager
// model's limits, or nil. The ledger members are not checked: the ledger sets them.
func (e *Evidence) Validate() error {
	var fs []FieldError
	add := func(name, msg string) { fs = append(fs, FieldError{Name: name, Message: msg}) }
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"controlSetId", e.ControlSetID, 300}, {"controlId", e.ControlID, 36}, {"controlName", e.ControlName, 300},
		{"dataSource", e.DataSource, 2048}, {"evidenceAwsAccountId", e.EvidenceAWSAccountID, 12},
		{"eventSource", e.EventSource, 40}, {"eventName", e.EventName, 100}, {"evidenceByType", e.EvidenceByType, 2048},
		{"iamId", e.IAMID, 2048}, {"complianceCheck", e.ComplianceCheck, 2048},
		{"awsOrganization", e.AWSOrganization, 2048}, {"awsAccountId", e.AWSAccountID, 12},
	} {
		if len(f.v) > f.max {
			add(f.name, "must be at most "+strconv.Itoa(f.max)+" characters")
		}
	}
	if e.ControlSetID == "" {
		add("controlSetId", "is required")
	}
	if e.ControlID == "" {
		add("controlId", "is required")
	}
	if e.DataSource == "" {
		add("dataSource", "is required")
	}
	if e.Time.IsZero() {
		add("time", "is required")
	}
	for i, r := range e.ResourcesIncluded {
		if len(r.ARN) > 2048 || len(r.Value) > 2048 || len(r.ComplianceCheck) > 2048 {
			add("resourcesIncluded["+strconv.Itoa(i)+"]", "members must be at most 2048 characters")
		}
	}
	for i, b := range e.Blobs {
		if !IsSHA256Hex(b) {
			add("blobs["+strconv.Itoa(i)+"]", "must be a SHA-256 digest in lowercase hex")
		}
	}
	if len(fs) > 0 {
		return &Error{Code: EINVALID, Message: "The evidence is not valid.", Fields: fs}
	}
	return nil
}

// IsSHA256Hex reports whether s is 64 lowercase hexadecimal digits.
func IsSHA256Hex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// EvidenceFolder is the evidence of one assessment control, one UTC day and one data
// source, with the counters of Audit Manager's AssessmentEvidenceFolder, kept as evidence
// arrives.
type EvidenceFolder struct {
	ID           string // EvidenceFolderID of the members below
	AccountID    string
	AssessmentID string
	ControlSetID string
	ControlID    string
	ControlName  string
	DataSource   string
	Date         time.Time // the UTC day, at midnight
	Name         string    // the data source and the day, as "DATA SOURCE YYYY-MM-DD"
	Author       string    // who appended the folder's first evidence

	TotalEvidence                            int
	AssessmentReportSelectionCount           int
	EvidenceResourcesIncludedCount           int
	EvidenceByTypeConfigurationDataCount     int
	EvidenceByTypeManualCount                int
	EvidenceByTypeComplianceCheckCount       int
	EvidenceByTypeComplianceCheckIssuesCount int
	EvidenceByTypeUserActivityCount          int
	EvidenceAWSServiceSourceCount            int
}

// Count adds e to the folder's counters: one more evidence, by type, with its resources;
// a non-compliant check is an issue; evidence with an event source counts as coming from
// an AWS service.
func (f *EvidenceFolder) Count(e *Evidence) {
	f.TotalEvidence++
	f.EvidenceResourcesIncludedCount += len(e.ResourcesIncluded)
	switch e.EvidenceByType {
	case EvidenceTypeConfigurationData:
		f.EvidenceByTypeConfigurationDataCount++
	case EvidenceTypeManual:
		f.EvidenceByTypeManualCount++
	case EvidenceTypeComplianceCheck:
		f.EvidenceByTypeComplianceCheckCount++
	case EvidenceTypeUserActivity:
		f.EvidenceByTypeUserActivityCount++
	}
	if e.ComplianceCheck == ComplianceNonCompliant {
		f.EvidenceByTypeComplianceCheckIssuesCount++
	}
	if e.EventSource != "" {
		f.EvidenceAWSServiceSourceCount++
	}
}

// EvidenceDay is the compliance of one assessment control's evidence on one UTC day.
type EvidenceDay struct {
	AssessmentID string
	ControlID    string
	Date         time.Time // the UTC day, at midnight
	Compliant    int
	NonCompliant int
	Inconclusive int
}

// Day returns the UTC date of t, at midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// EvidenceFolderID returns the id of the folder of an assessment control's evidence of one
// UTC day (day's time of day and zone are ignored) from one data source: a UUID-shaped
// string derived from those, so every writer finds the same folder.
func EvidenceFolderID(assessmentID, controlSetID, controlID string, day time.Time, dataSource string) string {
	return DerivedID("evidencefolder", assessmentID, controlSetID, controlID, Day(day).Format(time.DateOnly), dataSource)
}

// EvidenceID returns the id of the evidence at the sequence number in the assessment's
// chain: 16 hex digits derived from the account, the assessment and the sequence, then
// the sequence itself in 16 hex digits, shaped as a UUID. The ledger can therefore name
// evidence that was removed, and find evidence by id through its sequence.
func EvidenceID(account, assessmentID string, seq int64) string {
	h := sha256.New()
	h.Write([]byte("probity-evidence-id/1\x00" + account + "\x00" + assessmentID + "\x00"))
	var s [8]byte
	for i := range s {
		s[i] = byte(uint64(seq) >> (56 - 8*i))
	}
	h.Write(s[:])
	var b [16]byte
	copy(b[:8], h.Sum(nil))
	copy(b[8:], s[:])
	return formatUUID(b)
}

// EvidenceSequence returns the sequence number that id (from EvidenceID) carries, or false
// when id is not shaped as one.
func EvidenceSequence(id string) (int64, bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return 0, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(id[19:], "-", ""))
	if err != nil || len(b) != 8 {
		return 0, false
	}
	var seq uint64
	for _, c := range b {
		seq = seq<<8 | uint64(c)
	}
	if seq == 0 || seq > 1<<62 {
		return 0, false
	}
	return int64(seq), true
}
