package amapi

import (
	"encoding/json"

	"github.com/probity-dev/probity"
)

// Evidence on the wire: the model's AssessmentEvidenceFolder, Evidence, Resource and
// ManualEvidence shapes.

type evidenceFolderOut struct {
	Name                                     string `json:"name"`
	Date                                     epoch  `json:"date"`
	AssessmentID                             string `json:"assessmentId"`
	ControlSetID                             string `json:"controlSetId"`
	ControlID                                string `json:"controlId"`
	ID                                       string `json:"id"`
	DataSource                               string `json:"dataSource"`
	Author                                   string `json:"author,omitempty"`
	TotalEvidence                            int    `json:"totalEvidence"`
	AssessmentReportSelectionCount           int    `json:"assessmentReportSelectionCount"`
	ControlName                              string `json:"controlName,omitempty"`
	EvidenceResourcesIncludedCount           int    `json:"evidenceResourcesIncludedCount"`
	EvidenceByTypeConfigurationDataCount     int    `json:"evidenceByTypeConfigurationDataCount"`
	EvidenceByTypeManualCount                int    `json:"evidenceByTypeManualCount"`
	EvidenceByTypeComplianceCheckCount       int    `json:"evidenceByTypeComplianceCheckCount"`
	EvidenceByTypeComplianceCheckIssuesCount int    `json:"evidenceByTypeComplianceCheckIssuesCount"`
	EvidenceByTypeUserActivityCount          int    `json:"evidenceByTypeUserActivityCount"`
	EvidenceAWSServiceSourceCount            int    `json:"evidenceAwsServiceSourceCount"`
}

func toEvidenceFolder(f *probity.EvidenceFolder) evidenceFolderOut {
	return evidenceFolderOut{Name: f.Name, Date: epoch(f.Date), AssessmentID: f.AssessmentID, ControlSetID: f.ControlSetID,
		ControlID: f.ControlID, ID: f.ID, DataSource: f.DataSource, Author: f.Author, TotalEvidence: f.TotalEvidence,
		AssessmentReportSelectionCount: f.AssessmentReportSelectionCount, ControlName: f.ControlName,
		EvidenceResourcesIncludedCount:           f.EvidenceResourcesIncludedCount,
		EvidenceByTypeConfigurationDataCount:     f.EvidenceByTypeConfigurationDataCount,
		EvidenceByTypeManualCount:                f.EvidenceByTypeManualCount,
		EvidenceByTypeComplianceCheckCount:       f.EvidenceByTypeComplianceCheckCount,
		EvidenceByTypeComplianceCheckIssuesCount: f.EvidenceByTypeComplianceCheckIssuesCount,
		EvidenceByTypeUserActivityCount:          f.EvidenceByTypeUserActivityCount,
		EvidenceAWSServiceSourceCount:            f.EvidenceAWSServiceSourceCount}
}

type resourceOut struct {
	ARN             string `json:"arn,omitempty"`
	Value           string `json:"value,omitempty"`
	ComplianceCheck string `json:"complianceCheck,omitempty"`
}

type evidenceOut struct {
	DataSource                string            `json:"dataSource"`
	EvidenceAWSAccountID      string            `json:"evidenceAwsAccountId,omitempty"`
	Time                      epoch             `json:"time"`
	EventSource               string            `json:"eventSource,omitempty"`
	EventName                 string            `json:"eventName,omitempty"`
	EvidenceByType            string            `json:"evidenceByType,omitempty"`
	ResourcesIncluded         []resourceOut     `json:"resourcesIncluded"`
	Attributes                map[string]string `json:"attributes"`
	IAMID                     string            `json:"iamId,omitempty"`
	ComplianceCheck           string            `json:"complianceCheck,omitempty"`
	AWSOrganization           string            `json:"awsOrganization,omitempty"`
	AWSAccountID              string            `json:"awsAccountId,omitempty"`
	EvidenceFolderID          string            `json:"evidenceFolderId"`
	ID                        string            `json:"id"`
	AssessmentReportSelection string            `json:"assessmentReportSelection"`
}

func toEvidence(e *probity.Evidence) evidenceOut {
	out := evidenceOut{DataSource: e.DataSource, EvidenceAWSAccountID: e.EvidenceAWSAccountID, Time: epoch(e.Time),
		EventSource: e.EventSource, EventName: e.EventName, EvidenceByType: e.EvidenceByType,
		ResourcesIncluded: make([]resourceOut, len(e.ResourcesIncluded)), Attributes: e.Attributes, IAMID: e.IAMID,
		ComplianceCheck: e.ComplianceCheck, AWSOrganization: e.AWSOrganization, AWSAccountID: e.AWSAccountID,
		EvidenceFolderID: e.EvidenceFolderID, ID: e.ID, AssessmentReportSelection: e.AssessmentReportSelection}
	if out.Attributes == nil {
		out.Attributes = map[string]string{}
	}
	for i, r := range e.ResourcesIncluded {
		out.ResourcesIncluded[i] = resourceOut{ARN: r.ARN, Value: r.Value, ComplianceCheck: r.ComplianceCheck}
	}
	return out
}

// manualEvidenceWire is the model's ManualEvidence, as sent and as returned with an error.
type manualEvidenceWire struct {
	S3ResourcePath   string `json:"s3ResourcePath,omitempty"`
	TextResponse     string `json:"textResponse,omitempty"`
	EvidenceFileName string `json:"evidenceFileName,omitempty"`
}

type importEvidenceError struct {
	ManualEvidence manualEvidenceWire `json:"manualEvidence"`
	ErrorCode      string             `json:"errorCode"`
	ErrorMessage   string             `json:"errorMessage"`
}

// EvidenceJSON returns the evidence as GetEvidence returns it, indented: what the web
// console shows as an item's record, so that the browser and the API show one form.
func EvidenceJSON(e *probity.Evidence) ([]byte, error) {
	return json.MarshalIndent(toEvidence(e), "", "  ")
}
