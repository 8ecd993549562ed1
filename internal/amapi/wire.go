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
	Name                   string                         `json:"name"`
	Description            string                         `json:"description"`
	TestingInformation     string                         `json:"testingInformation"`
	ActionPlanTitle        string                         `json:"actionPlanTitle"`
	ActionPlanInstructions string                         `json:"actionPlanInstructions"`
	ControlMappingSources  []probity.ControlMappingSource `json:"controlMappingSources"`
	Tags                   map[string]string              `json:"tags"`
}

type controlOut struct {
	ARN                    string                         `json:"arn"`
	ID                     string                         `json:"id"`
	Type                   string                         `json:"type"`
	Name                   string                         `json:"name"`
	Description            string                         `json:"description,omitempty"`
	TestingInformation     string                         `json:"testingInformation,omitempty"`
	ActionPlanTitle        string                         `json:"actionPlanTitle,omitempty"`
	ActionPlanInstructions string                         `json:"actionPlanInstructions,omitempty"`
	ControlSources         string                         `json:"controlSources,omitempty"`
	ControlMappingSources  []probity.ControlMappingSource `json:"controlMappingSources"`
	CreatedAt              epoch                          `json:"createdAt"`
	LastUpdatedAt          epoch                          `json:"lastUpdatedAt"`
	CreatedBy              string                         `json:"createdBy,omitempty"`
	LastUpdatedBy          string                         `json:"lastUpdatedBy,omitempty"`
	Tags                   map[string]string              `json:"tags,omitempty"`
	State                  string                         `json:"state,omitempty"`
}

func toControl(c *probity.Control) controlOut {
	srcs := c.ControlMappingSources
	if srcs == nil {
		srcs = []probity.ControlMappingSource{}
	}
	return controlOut{
		ARN: c.ARN, ID: c.ID, Type: c.Type, Name: c.Name, Description: c.Description,
		TestingInformation: c.TestingInformation, ActionPlanTitle: c.ActionPlanTitle,
		ActionPlanInstructions: c.ActionPlanInstructions, ControlSources: c.ControlSources,
		ControlMappingSources: srcs, CreatedAt: epoch(c.CreatedAt), LastUpdatedAt: epoch(c.LastUpdatedAt),
		CreatedBy: c.CreatedBy, LastUpdatedBy: c.LastUpdatedBy, Tags: c.Tags, State: c.State,
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
	return frameworkMetadata{ARN: s.ARN, ID: s.ID, Type: s.Type, Name: s.Name, Description: s.Description,
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
