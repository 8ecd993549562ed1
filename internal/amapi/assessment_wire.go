package amapi

import (
	"github.com/probity-dev/probity"
)

// Assessments on the wire: the model's Assessment, AssessmentMetadata, AssessmentFramework,
// AssessmentControlSet, AssessmentControl, Delegation and ChangeLog shapes.

type destinationWire struct {
	DestinationType string `json:"destinationType,omitempty"`
	Destination     string `json:"destination,omitempty"`
}

type accountWire struct {
	ID           string `json:"id,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
	Name         string `json:"name,omitempty"`
}

type serviceWire struct {
	ServiceName string `json:"serviceName"`
}

type scopeWire struct {
	AWSAccounts []accountWire `json:"awsAccounts"`
	AWSServices []serviceWire `json:"awsServices"`
}

type roleWire struct {
	RoleType string `json:"roleType"`
	RoleARN  string `json:"roleArn"`
}

func (d *destinationWire) domain() probity.Destination {
	if d == nil {
		return probity.Destination{}
	}
	return probity.Destination{Type: d.DestinationType, Destination: d.Destination}
}

func (s *scopeWire) domain() probity.Scope {
	var out probity.Scope
	if s == nil {
		return out
	}
	for _, a := range s.AWSAccounts {
		out.Accounts = append(out.Accounts, probity.AWSAccount{ID: a.ID, EmailAddress: a.EmailAddress, Name: a.Name})
	}
	for _, svc := range s.AWSServices {
		out.Services = append(out.Services, svc.ServiceName)
	}
	return out
}

func fromRoles(in []roleWire) []probity.Role {
	if in == nil {
		return nil
	}
	out := make([]probity.Role, len(in))
	for i, r := range in {
		out[i] = probity.Role{Type: probity.RoleType(r.RoleType), ARN: r.RoleARN}
	}
	return out
}

func toRoles(in []probity.Role) []roleWire {
	out := make([]roleWire, len(in))
	for i, r := range in {
		out[i] = roleWire{RoleType: string(r.Type), RoleARN: r.ARN}
	}
	return out
}

func toScope(s probity.Scope) scopeWire {
	out := scopeWire{AWSAccounts: make([]accountWire, len(s.Accounts)), AWSServices: make([]serviceWire, len(s.Services))}
	for i, a := range s.Accounts {
		out.AWSAccounts[i] = accountWire{ID: a.ID, EmailAddress: a.EmailAddress, Name: a.Name}
	}
	for i, svc := range s.Services {
		out.AWSServices[i] = serviceWire{ServiceName: svc}
	}
	return out
}

type delegationOut struct {
	ID             string `json:"id"`
	AssessmentName string `json:"assessmentName,omitempty"`
	AssessmentID   string `json:"assessmentId"`
	Status         string `json:"status"`
	RoleARN        string `json:"roleArn"`
	RoleType       string `json:"roleType"`
	CreationTime   epoch  `json:"creationTime"`
	LastUpdated    epoch  `json:"lastUpdated"`
	ControlSetID   string `json:"controlSetId"`
	Comment        string `json:"comment,omitempty"`
	CreatedBy      string `json:"createdBy,omitempty"`
}

func toDelegations(in []probity.Delegation, setID string) []delegationOut {
	out := []delegationOut{}
	for _, d := range in {
		if setID != "" && d.ControlSetID != setID {
			continue
		}
		out = append(out, delegationOut{ID: d.ID, AssessmentName: d.AssessmentName, AssessmentID: d.AssessmentID,
			Status: string(d.Status), RoleARN: d.RoleARN, RoleType: string(d.RoleType), CreationTime: epoch(d.CreatedAt),
			LastUpdated: epoch(d.LastUpdatedAt), ControlSetID: d.ControlSetID, Comment: d.Comment, CreatedBy: d.CreatedBy})
	}
	return out
}

type commentOut struct {
	AuthorName  string `json:"authorName"`
	CommentBody string `json:"commentBody"`
	PostedDate  epoch  `json:"postedDate"`
}

type assessmentControlOut struct {
	ID                            string       `json:"id"`
	Name                          string       `json:"name"`
	Description                   string       `json:"description,omitempty"`
	Status                        string       `json:"status"`
	Response                      string       `json:"response,omitempty"`
	Comments                      []commentOut `json:"comments"`
	EvidenceSources               []string     `json:"evidenceSources"`
	EvidenceCount                 int          `json:"evidenceCount"`
	AssessmentReportEvidenceCount int          `json:"assessmentReportEvidenceCount"`
}

func toAssessmentControl(c *probity.AssessmentControl) assessmentControlOut {
	out := assessmentControlOut{ID: c.ID, Name: c.Name, Description: c.Description, Status: string(c.Status),
		Response: c.Response, Comments: make([]commentOut, len(c.Comments)), EvidenceSources: c.EvidenceSources,
		EvidenceCount: c.EvidenceCount, AssessmentReportEvidenceCount: c.AssessmentReportEvidenceCount}
	if out.EvidenceSources == nil {
		out.EvidenceSources = []string{}
	}
	for i, cm := range c.Comments {
		out.Comments[i] = commentOut{AuthorName: cm.AuthorName, CommentBody: cm.Body, PostedDate: epoch(cm.PostedAt)}
	}
	return out
}

type assessmentControlSetOut struct {
	ID                  string                 `json:"id"`
	Description         string                 `json:"description,omitempty"`
	Status              string                 `json:"status"`
	Roles               []roleWire             `json:"roles"`
	Controls            []assessmentControlOut `json:"controls"`
	Delegations         []delegationOut        `json:"delegations"`
	SystemEvidenceCount int                    `json:"systemEvidenceCount"`
	ManualEvidenceCount int                    `json:"manualEvidenceCount"`
}

// toAssessmentControlSet returns the set with the roles that act on it: the assessment's
// process owners and the resource owners it is delegated to.
func toAssessmentControlSet(a *probity.Assessment, s *probity.AssessmentControlSet) assessmentControlSetOut {
	var roles []probity.Role
	for _, r := range a.Roles {
		if r.Type == probity.RoleProcessOwner {
			roles = append(roles, r)
		}
	}
	for _, d := range a.Delegations {
		if d.ControlSetID == s.ID && d.Open() {
			roles = append(roles, probity.Role{Type: d.RoleType, ARN: d.RoleARN})
		}
	}
	out := assessmentControlSetOut{ID: s.ID, Description: s.Name, Status: string(s.Status), Roles: toRoles(roles),
		Controls: make([]assessmentControlOut, len(s.Controls)), Delegations: toDelegations(a.Delegations, s.ID),
		SystemEvidenceCount: s.SystemEvidenceCount, ManualEvidenceCount: s.ManualEvidenceCount}
	for i := range s.Controls {
		out.Controls[i] = toAssessmentControl(&s.Controls[i])
	}
	return out
}

type frameworkMetadataWire struct {
	Name           string `json:"name,omitempty"`
	Description    string `json:"description,omitempty"`
	Logo           string `json:"logo,omitempty"`
	ComplianceType string `json:"complianceType,omitempty"`
}

type assessmentFrameworkOut struct {
	ID          string                    `json:"id"`
	ARN         string                    `json:"arn"`
	Metadata    frameworkMetadataWire     `json:"metadata"`
	ControlSets []assessmentControlSetOut `json:"controlSets"`
}

type assessmentMetadataOut struct {
	Name                         string           `json:"name"`
	ID                           string           `json:"id"`
	Description                  string           `json:"description,omitempty"`
	ComplianceType               string           `json:"complianceType,omitempty"`
	Status                       string           `json:"status"`
	AssessmentReportsDestination *destinationWire `json:"assessmentReportsDestination,omitempty"`
	Scope                        scopeWire        `json:"scope"`
	Roles                        []roleWire       `json:"roles"`
	Delegations                  []delegationOut  `json:"delegations"`
	CreationTime                 epoch            `json:"creationTime"`
	LastUpdated                  epoch            `json:"lastUpdated"`
}

type assessmentOut struct {
	ARN        string                 `json:"arn"`
	AWSAccount accountWire            `json:"awsAccount"`
	Metadata   assessmentMetadataOut  `json:"metadata"`
	Framework  assessmentFrameworkOut `json:"framework"`
	Tags       map[string]string      `json:"tags,omitempty"`
}

func toAssessment(a *probity.Assessment) assessmentOut {
	out := assessmentOut{
		ARN: a.ARN, AWSAccount: accountWire{ID: a.AccountID}, Tags: a.Tags,
		Metadata: assessmentMetadataOut{Name: a.Name, ID: a.ID, Description: a.Description,
			ComplianceType: a.Framework.ComplianceType, Status: string(a.Status),
			AssessmentReportsDestination: &destinationWire{DestinationType: a.ReportsDestination.Type, Destination: a.ReportsDestination.Destination},
			Scope:                        toScope(a.Scope), Roles: toRoles(a.Roles), Delegations: toDelegations(a.Delegations, ""),
			CreationTime: epoch(a.CreatedAt), LastUpdated: epoch(a.LastUpdatedAt)},
		Framework: assessmentFrameworkOut{ID: a.Framework.ID, ARN: a.Framework.ARN,
			Metadata: frameworkMetadataWire{Name: a.Framework.Name, Description: a.Framework.Description,
				Logo: a.Framework.Logo, ComplianceType: a.Framework.ComplianceType},
			ControlSets: make([]assessmentControlSetOut, len(a.ControlSets))},
	}
	for i := range a.ControlSets {
		out.Framework.ControlSets[i] = toAssessmentControlSet(a, &a.ControlSets[i])
	}
	return out
}

type assessmentMetadataItem struct {
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	ComplianceType string          `json:"complianceType,omitempty"`
	Status         string          `json:"status"`
	Roles          []roleWire      `json:"roles"`
	Delegations    []delegationOut `json:"delegations"`
	CreationTime   epoch           `json:"creationTime"`
	LastUpdated    epoch           `json:"lastUpdated"`
}

func toAssessmentItem(a *probity.Assessment) assessmentMetadataItem {
	return assessmentMetadataItem{Name: a.Name, ID: a.ID, ComplianceType: a.Framework.ComplianceType, Status: string(a.Status),
		Roles: toRoles(a.Roles), Delegations: toDelegations(a.Delegations, ""), CreationTime: epoch(a.CreatedAt), LastUpdated: epoch(a.LastUpdatedAt)}
}

type changeLogOut struct {
	ObjectType string `json:"objectType"`
	ObjectName string `json:"objectName"`
	Action     string `json:"action"`
	CreatedAt  epoch  `json:"createdAt"`
	CreatedBy  string `json:"createdBy,omitempty"`
}
