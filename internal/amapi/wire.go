package amapi

import (
	"strconv"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// epoch is a timestamp on the wire: seconds since 1970 as a JSON number with
// milliseconds, as restJson1 writes timestamps.
type epoch time.Time

// MarshalJSON writes the seconds with three decimals.
func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	s, frac := ms/1000, ms%1000
	if frac < 0 {
		s, frac = s-1, frac+1000
	}
	b := strconv.AppendInt(nil, s, 10)
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return b, nil
}

// Controls.

type controlIn struct {
	Name                   string            `json:"name"`
	Description            string            `json:"description"`
	TestingInformation     string            `json:"testingInformation"`
	ActionPlanTitle        string            `json:"actionPlanTitle"`
	ActionPlanInstructions string            `json:"actionPlanInstructions"`
	ControlMappingSources  []mappingSource   `json:"controlMappingSources"`
	Tags                   map[string]string `json:"tags"`
}

// mappingSource is the wire form of a probity.ControlMappingSource (the model's
// ControlMappingSource, and CreateControlMappingSource without sourceId).
type mappingSource struct {
	SourceID            string         `json:"sourceId,omitempty"`
	SourceName          string         `json:"sourceName"`
	SourceDescription   string         `json:"sourceDescription,omitempty"`
	SourceSetUpOption   string         `json:"sourceSetUpOption,omitempty"`
	SourceType          string         `json:"sourceType"`
	SourceKeyword       *sourceKeyword `json:"sourceKeyword,omitempty"`
	SourceFrequency     string         `json:"sourceFrequency,omitempty"`
	TroubleshootingText string         `json:"troubleshootingText,omitempty"`
}

type sourceKeyword struct {
	KeywordInputType string `json:"keywordInputType,omitempty"`
	KeywordValue     string `json:"keywordValue,omitempty"`
}

func toMappingSources(in []probity.ControlMappingSource) []mappingSource {
	out := make([]mappingSource, len(in))
	for i, s := range in {
		out[i] = mappingSource{SourceID: s.SourceID, SourceName: s.SourceName, SourceDescription: s.SourceDescription,
			SourceSetUpOption: string(s.SourceSetUpOption), SourceType: string(s.SourceType),
			SourceFrequency: string(s.SourceFrequency), TroubleshootingText: s.TroubleshootingText}
		if k := s.SourceKeyword; k != nil {
			out[i].SourceKeyword = &sourceKeyword{KeywordInputType: string(k.KeywordInputType), KeywordValue: k.KeywordValue}
		}
	}
	return out
}

func fromMappingSources(in []mappingSource) []probity.ControlMappingSource {
	if in == nil {
		return nil
	}
	out := make([]probity.ControlMappingSource, len(in))
	for i, s := range in {
		out[i] = probity.ControlMappingSource{SourceID: s.SourceID, SourceName: s.SourceName, SourceDescription: s.SourceDescription,
			SourceSetUpOption: probity.SetUpOption(s.SourceSetUpOption), SourceType: probity.SourceType(s.SourceType),
			SourceFrequency: probity.SourceFrequency(s.SourceFrequency), TroubleshootingText: s.TroubleshootingText}
		if k := s.SourceKeyword; k != nil {
			out[i].SourceKeyword = &probity.SourceKeyword{KeywordInputType: probity.KeywordInputType(k.KeywordInputType), KeywordValue: k.KeywordValue}
		}
	}
	return out
}

// names returns enum values as strings.
func names[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

type controlOut struct {
	ARN                    string            `json:"arn"`
	ID                     string            `json:"id"`
	Type                   string            `json:"type"`
	Name                   string            `json:"name"`
	Description            string            `json:"description,omitempty"`
	TestingInformation     string            `json:"testingInformation,omitempty"`
	ActionPlanTitle        string            `json:"actionPlanTitle,omitempty"`
	ActionPlanInstructions string            `json:"actionPlanInstructions,omitempty"`
	ControlSources         string            `json:"controlSources,omitempty"`
	ControlMappingSources  []mappingSource   `json:"controlMappingSources"`
	CreatedAt              epoch             `json:"createdAt"`
	LastUpdatedAt          epoch             `json:"lastUpdatedAt"`
	CreatedBy              string            `json:"createdBy,omitempty"`
	LastUpdatedBy          string            `json:"lastUpdatedBy,omitempty"`
	Tags                   map[string]string `json:"tags,omitempty"`
	State                  string            `json:"state,omitempty"`
}

func toControl(c *probity.Control) controlOut {
	return controlOut{
		ARN: c.ARN, ID: c.ID, Type: string(c.Type), Name: c.Name, Description: c.Description,
		TestingInformation: c.TestingInformation, ActionPlanTitle: c.ActionPlanTitle,
		ActionPlanInstructions: c.ActionPlanInstructions, ControlSources: c.ControlSources,
		ControlMappingSources: toMappingSources(c.ControlMappingSources), CreatedAt: epoch(c.CreatedAt), LastUpdatedAt: epoch(c.LastUpdatedAt),
		CreatedBy: c.CreatedBy, LastUpdatedBy: c.LastUpdatedBy, Tags: c.Tags, State: string(c.State),
	}
}

type controlMetadata struct {
	ARN            string `json:"arn"`
	ID             string `json:"id"`
	Name           string `json:"name"`
	ControlSources string `json:"controlSources,omitempty"`
	CreatedAt      epoch  `json:"createdAt"`
	LastUpdatedAt  epoch  `json:"lastUpdatedAt"`
}

func toControlMetadata(s store.ControlSummary) controlMetadata {
	return controlMetadata{ARN: s.ARN, ID: s.ID, Name: s.Name, ControlSources: s.ControlSources,
		CreatedAt: epoch(s.CreatedAt), LastUpdatedAt: epoch(s.LastUpdatedAt)}
}

// Frameworks.

type controlRef struct {
	ID string `json:"id"`
}

type controlSetIn struct {
	ID       string       `json:"id"` // UpdateAssessmentFramework only
	Name     string       `json:"name"`
	Controls []controlRef `json:"controls"`
}

type frameworkIn struct {
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	ComplianceType string            `json:"complianceType"`
	ControlSets    []controlSetIn    `json:"controlSets"`
	Tags           map[string]string `json:"tags"`
}

type controlSetOut struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Controls []controlOut `json:"controls"`
}

type frameworkOut struct {
	ARN            string            `json:"arn"`
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Type           string            `json:"type"`
	ComplianceType string            `json:"complianceType,omitempty"`
	Description    string            `json:"description,omitempty"`
	Logo           string            `json:"logo,omitempty"`
	ControlSources string            `json:"controlSources,omitempty"`
	ControlSets    []controlSetOut   `json:"controlSets"`
	CreatedAt      epoch             `json:"createdAt"`
	LastUpdatedAt  epoch             `json:"lastUpdatedAt"`
	CreatedBy      string            `json:"createdBy,omitempty"`
	LastUpdatedBy  string            `json:"lastUpdatedBy,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

type frameworkMetadata struct {
	ARN              string `json:"arn"`
	ID               string `json:"id"`
	Type             string `json:"type"`
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	Logo             string `json:"logo,omitempty"`
	ComplianceType   string `json:"complianceType,omitempty"`
	ControlsCount    int    `json:"controlsCount"`
	ControlSetsCount int    `json:"controlSetsCount"`
	CreatedAt        epoch  `json:"createdAt"`
	LastUpdatedAt    epoch  `json:"lastUpdatedAt"`
}

func toFrameworkMetadata(s store.FrameworkSummary) frameworkMetadata {
	return frameworkMetadata{ARN: s.ARN, ID: s.ID, Type: string(s.Type), Name: s.Name, Description: s.Description,
		Logo: s.Logo, ComplianceType: s.ComplianceType, ControlsCount: s.Controls, ControlSetsCount: s.ControlSets,
		CreatedAt: epoch(s.CreatedAt), LastUpdatedAt: epoch(s.LastUpdatedAt)}
}

// Share requests.

type shareOut struct {
	ID                    string `json:"id"`
	FrameworkID           string `json:"frameworkId"`
	FrameworkName         string `json:"frameworkName"`
	FrameworkDescription  string `json:"frameworkDescription,omitempty"`
	Status                string `json:"status"`
	SourceAccount         string `json:"sourceAccount"`
	DestinationAccount    string `json:"destinationAccount"`
	DestinationRegion     string `json:"destinationRegion"`
	ExpirationTime        epoch  `json:"expirationTime"`
	CreationTime          epoch  `json:"creationTime"`
	LastUpdated           epoch  `json:"lastUpdated"`
	Comment               string `json:"comment,omitempty"`
	StandardControlsCount int    `json:"standardControlsCount"`
	CustomControlsCount   int    `json:"customControlsCount"`
	ComplianceType        string `json:"complianceType,omitempty"`
}
