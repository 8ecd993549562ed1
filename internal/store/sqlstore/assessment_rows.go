package sqlstore

import (
	"time"

	"github.com/probity-dev/probity"
)

// The assessments table keeps the members of an assessment that no query filters on as
// JSON in its body column, in these rows. Their member names are the storage format: they
// change only with a migration, whatever the domain or the wire call them. They are the
// names that migration 0060 first stored (the domain's Go names of the time), so no
// stored body moved when the rows were introduced.

// assessmentBody is the JSON of the assessments table's body column.
type assessmentBody struct {
	ARN                string                    `json:"arn"`
	Description        string                    `json:"description,omitempty"`
	ReportsDestination assessmentDestRow         `json:"reportsDestination"`
	Scope              scopeRow                  `json:"scope"`
	Roles              []assessmentRoleRow       `json:"roles"`
	Framework          frameworkRefRow           `json:"framework"`
	ControlSets        []assessmentControlSetRow `json:"controlSets"`
	Tags               map[string]string         `json:"tags,omitempty"`
}

type assessmentDestRow struct {
	Type        string `json:"Type"`
	Destination string `json:"Destination"`
}

type scopeRow struct {
	Accounts []accountRow `json:"Accounts"`
	Services []string     `json:"Services"`
}

type accountRow struct {
	ID           string `json:"ID"`
	EmailAddress string `json:"EmailAddress"`
	Name         string `json:"Name"`
}

type assessmentRoleRow struct {
	Type string `json:"Type"`
	ARN  string `json:"ARN"`
}

type frameworkRefRow struct {
	ID             string `json:"ID"`
	ARN            string `json:"ARN"`
	Name           string `json:"Name"`
	Description    string `json:"Description"`
	Logo           string `json:"Logo"`
	ComplianceType string `json:"ComplianceType"`
}

type assessmentControlSetRow struct {
	ID                  string                 `json:"ID"`
	Name                string                 `json:"Name"`
	Status              string                 `json:"Status"`
	Controls            []assessmentControlRow `json:"Controls"`
	SystemEvidenceCount int                    `json:"SystemEvidenceCount"`
	ManualEvidenceCount int                    `json:"ManualEvidenceCount"`
}

type assessmentControlRow struct {
	ID                            string              `json:"ID"`
	Name                          string              `json:"Name"`
	Description                   string              `json:"Description"`
	Domain                        string              `json:"Domain,omitempty"`
	DataSources                   []dataSourceRow     `json:"DataSources"`
	Status                        string              `json:"Status"`
	Response                      string              `json:"Response"`
	Comments                      []controlCommentRow `json:"Comments"`
	EvidenceSources               []string            `json:"EvidenceSources"`
	EvidenceCount                 int                 `json:"EvidenceCount"`
	AssessmentReportEvidenceCount int                 `json:"AssessmentReportEvidenceCount"`
}

// dataSourceRow is a control's data source as an assessment's snapshot keeps it (the
// controls table keeps its own in sourceRow, under other names).
type dataSourceRow struct {
	SourceID            string            `json:"SourceID"`
	SourceName          string            `json:"SourceName"`
	SourceDescription   string            `json:"SourceDescription"`
	SourceSetUpOption   string            `json:"SourceSetUpOption"`
	SourceType          string            `json:"SourceType"`
	SourceKeyword       *dataSourceKeyRow `json:"SourceKeyword"`
	SourceFrequency     string            `json:"SourceFrequency"`
	TroubleshootingText string            `json:"TroubleshootingText"`
}

type dataSourceKeyRow struct {
	KeywordInputType string `json:"KeywordInputType"`
	KeywordValue     string `json:"KeywordValue"`
}

type controlCommentRow struct {
	AuthorName string    `json:"AuthorName"`
	Body       string    `json:"Body"`
	PostedAt   time.Time `json:"PostedAt"`
}

// mapSlice converts a slice element by element, keeping nil as nil, so that a body reads
// back as it was written.
func mapSlice[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func toAssessmentBody(a *probity.Assessment) assessmentBody {
	f := a.Framework
	return assessmentBody{
		ARN: a.ARN, Description: a.Description, Tags: a.Tags,
		ReportsDestination: assessmentDestRow{Type: a.ReportsDestination.Type, Destination: a.ReportsDestination.Destination},
		Scope: scopeRow{Services: a.Scope.Services, Accounts: mapSlice(a.Scope.Accounts, func(x probity.AWSAccount) accountRow {
			return accountRow{ID: x.ID, EmailAddress: x.EmailAddress, Name: x.Name}
		})},
		Roles: mapSlice(a.Roles, func(r probity.Role) assessmentRoleRow { return assessmentRoleRow{Type: string(r.Type), ARN: r.ARN} }),
		Framework: frameworkRefRow{ID: f.ID, ARN: f.ARN, Name: f.Name, Description: f.Description, Logo: f.Logo,
			ComplianceType: f.ComplianceType},
		ControlSets: mapSlice(a.ControlSets, func(s probity.AssessmentControlSet) assessmentControlSetRow {
			return assessmentControlSetRow{ID: s.ID, Name: s.Name, Status: string(s.Status), SystemEvidenceCount: s.SystemEvidenceCount,
				ManualEvidenceCount: s.ManualEvidenceCount, Controls: mapSlice(s.Controls, toAssessmentControlRow)}
		}),
	}
}

func toAssessmentControlRow(c probity.AssessmentControl) assessmentControlRow {
	return assessmentControlRow{ID: c.ID, Name: c.Name, Description: c.Description, Domain: c.Domain, Status: string(c.Status), Response: c.Response,
		EvidenceSources: c.EvidenceSources, EvidenceCount: c.EvidenceCount, AssessmentReportEvidenceCount: c.AssessmentReportEvidenceCount,
		DataSources: mapSlice(c.DataSources, func(s probity.ControlMappingSource) dataSourceRow {
			r := dataSourceRow{SourceID: s.SourceID, SourceName: s.SourceName, SourceDescription: s.SourceDescription,
				SourceSetUpOption: string(s.SourceSetUpOption), SourceType: string(s.SourceType),
				SourceFrequency: string(s.SourceFrequency), TroubleshootingText: s.TroubleshootingText}
			if k := s.SourceKeyword; k != nil {
				r.SourceKeyword = &dataSourceKeyRow{KeywordInputType: string(k.KeywordInputType), KeywordValue: k.KeywordValue}
			}
			return r
		}),
		Comments: mapSlice(c.Comments, func(m probity.ControlComment) controlCommentRow {
			return controlCommentRow{AuthorName: m.AuthorName, Body: m.Body, PostedAt: m.PostedAt}
		}),
	}
}

// domain fills a's members that the body keeps.
func (b *assessmentBody) domain(a *probity.Assessment) {
	a.ARN, a.Description, a.Tags = b.ARN, b.Description, b.Tags
	a.ReportsDestination = probity.Destination{Type: b.ReportsDestination.Type, Destination: b.ReportsDestination.Destination}
	a.Scope = probity.Scope{Services: b.Scope.Services, Accounts: mapSlice(b.Scope.Accounts, func(x accountRow) probity.AWSAccount {
		return probity.AWSAccount{ID: x.ID, EmailAddress: x.EmailAddress, Name: x.Name}
	})}
	a.Roles = mapSlice(b.Roles, func(r assessmentRoleRow) probity.Role {
		return probity.Role{Type: probity.RoleType(r.Type), ARN: r.ARN}
	})
	f := b.Framework
	a.Framework = probity.AssessmentFrameworkRef{ID: f.ID, ARN: f.ARN, Name: f.Name, Description: f.Description, Logo: f.Logo,
		ComplianceType: f.ComplianceType}
	a.ControlSets = mapSlice(b.ControlSets, func(s assessmentControlSetRow) probity.AssessmentControlSet {
		return probity.AssessmentControlSet{ID: s.ID, Name: s.Name, Status: probity.ControlSetStatus(s.Status),
			SystemEvidenceCount: s.SystemEvidenceCount, ManualEvidenceCount: s.ManualEvidenceCount,
			Controls: mapSlice(s.Controls, assessmentControlRow.domain)}
	})
}

func (c assessmentControlRow) domain() probity.AssessmentControl {
	return probity.AssessmentControl{ID: c.ID, Name: c.Name, Description: c.Description, Domain: c.Domain, Status: probity.ControlStatus(c.Status),
		Response: c.Response, EvidenceSources: c.EvidenceSources, EvidenceCount: c.EvidenceCount,
		AssessmentReportEvidenceCount: c.AssessmentReportEvidenceCount,
		DataSources: mapSlice(c.DataSources, func(r dataSourceRow) probity.ControlMappingSource {
			s := probity.ControlMappingSource{SourceID: r.SourceID, SourceName: r.SourceName, SourceDescription: r.SourceDescription,
				SourceSetUpOption: probity.SetUpOption(r.SourceSetUpOption), SourceType: probity.SourceType(r.SourceType),
				SourceFrequency: probity.SourceFrequency(r.SourceFrequency), TroubleshootingText: r.TroubleshootingText}
			if k := r.SourceKeyword; k != nil {
				s.SourceKeyword = &probity.SourceKeyword{KeywordInputType: probity.KeywordInputType(k.KeywordInputType), KeywordValue: k.KeywordValue}
			}
			return s
		}),
		Comments: mapSlice(c.Comments, func(m controlCommentRow) probity.ControlComment {
			return probity.ControlComment{AuthorName: m.AuthorName, Body: m.Body, PostedAt: m.PostedAt}
		}),
	}
}

// assessmentAccessBody is the part of an assessment's body that AssessmentAccess reads;
// encoding/json skips the rest without keeping it.
type assessmentAccessBody struct {
	Roles       []assessmentRoleRow `json:"roles"`
	ControlSets []struct {
		ID       string `json:"ID"`
		Controls []struct {
			ID string `json:"ID"`
		} `json:"Controls"`
	} `json:"controlSets"`
}

// domain fills a's roles and the ids of its control sets and controls.
func (b *assessmentAccessBody) domain(a *probity.Assessment) {
	a.Roles = mapSlice(b.Roles, func(r assessmentRoleRow) probity.Role {
		return probity.Role{Type: probity.RoleType(r.Type), ARN: r.ARN}
	})
	a.ControlSets = make([]probity.AssessmentControlSet, len(b.ControlSets))
	for i, s := range b.ControlSets {
		set := &a.ControlSets[i]
		set.ID, set.Controls = s.ID, make([]probity.AssessmentControl, len(s.Controls))
		for k, c := range s.Controls {
			set.Controls[k].ID = c.ID
		}
	}
}
