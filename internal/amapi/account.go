package amapi

import (
	"context"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

// Wire forms of the settings members.
type destination struct {
	DestinationType string `json:"destinationType,omitempty"`
	Destination     string `json:"destination,omitempty"`
}

type role struct {
	RoleType string `json:"roleType"`
	RoleARN  string `json:"roleArn"`
}

type deregPolicy struct {
	DeleteResources string `json:"deleteResources,omitempty"`
}

type evidenceFinder struct {
	EnablementStatus string `json:"enablementStatus"`
}

type settingsOut struct {
	IsAwsOrgEnabled          *bool           `json:"isAwsOrgEnabled,omitempty"`
	SNSTopic                 string          `json:"snsTopic,omitempty"`
	ReportsDestination       *destination    `json:"defaultAssessmentReportsDestination,omitempty"`
	ProcessOwners            []role          `json:"defaultProcessOwners,omitempty"`
	KMSKey                   string          `json:"kmsKey,omitempty"`
	EvidenceFinderEnablement *evidenceFinder `json:"evidenceFinderEnablement,omitempty"`
	DeregistrationPolicy     *deregPolicy    `json:"deregistrationPolicy,omitempty"`
	ExportDestination        *destination    `json:"defaultExportDestination,omitempty"`
}

func toDestination(d *probity.Destination) *destination {
	if d == nil {
		return nil
	}
	return &destination{DestinationType: d.Type, Destination: d.Destination}
}

func (d *destination) domain() *probity.Destination {
	if d == nil {
		return nil
	}
	return &probity.Destination{Type: d.DestinationType, Destination: d.Destination}
}

// toSettings returns the wire form of the settings: every member for ALL, else the one
// the attribute names.
func toSettings(s *probity.Settings, attribute string) settingsOut {
	all := attribute == "ALL"
	var o settingsOut
	if all || attribute == "IS_AWS_ORG_ENABLED" {
		f := false
		o.IsAwsOrgEnabled = &f
	}
	if all || attribute == "SNS_TOPIC" {
		o.SNSTopic = s.SNSTopic
	}
	if all || attribute == "DEFAULT_ASSESSMENT_REPORTS_DESTINATION" {
		o.ReportsDestination = toDestination(s.ReportsDestination)
	}
	if all || attribute == "DEFAULT_PROCESS_OWNERS" {
		for _, r := range s.ProcessOwners {
			o.ProcessOwners = append(o.ProcessOwners, role{RoleType: r.Type, RoleARN: r.ARN})
		}
	}
	if all {
		o.KMSKey = s.KMSKeyOrDefault()
	}
	if all || attribute == "EVIDENCE_FINDER_ENABLEMENT" {
		status := "DISABLED"
		if s.EvidenceFinderEnabled {
			status = "ENABLED"
		}
		o.EvidenceFinderEnablement = &evidenceFinder{EnablementStatus: status}
	}
	if all || attribute == "DEREGISTRATION_POLICY" {
		o.DeregistrationPolicy = &deregPolicy{DeleteResources: s.DeleteResourcesOrDefault()}
	}
	if all || attribute == "DEFAULT_EXPORT_DESTINATION" {
		o.ExportDestination = toDestination(s.ExportDestination)
	}
	return o
}

var settingAttributes = []string{"ALL", "IS_AWS_ORG_ENABLED", "SNS_TOPIC", "DEFAULT_ASSESSMENT_REPORTS_DESTINATION",
	"DEFAULT_PROCESS_OWNERS", "EVIDENCE_FINDER_ENABLEMENT", "DEREGISTRATION_POLICY", "DEFAULT_EXPORT_DESTINATION"}

type settingsResponse struct {
	Settings settingsOut `json:"settings"`
}

func getSettings(ctx context.Context, h *Handler, c *call) (any, error) {
	attr := c.r.PathValue("attribute")
	if !slices.Contains(settingAttributes, attr) {
		return nil, invalidField("attribute", "must be one of %s", strings.Join(settingAttributes, ", "))
	}
	a, err := h.lib.Account(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	return settingsResponse{toSettings(&a.Settings, attr)}, nil
}

func updateSettings(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		SNSTopic              *string      `json:"snsTopic"`
		ReportsDestination    *destination `json:"defaultAssessmentReportsDestination"`
		ProcessOwners         []role       `json:"defaultProcessOwners"`
		KMSKey                *string      `json:"kmsKey"`
		EvidenceFinderEnabled *bool        `json:"evidenceFinderEnabled"`
		DeregistrationPolicy  *deregPolicy `json:"deregistrationPolicy"`
		ExportDestination     *destination `json:"defaultExportDestination"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	change := library.SettingsChange{SNSTopic: in.SNSTopic, KMSKey: in.KMSKey, EvidenceFinderEnabled: in.EvidenceFinderEnabled,
		ReportsDestination: in.ReportsDestination.domain(), ExportDestination: in.ExportDestination.domain()}
	if in.ProcessOwners != nil {
		change.ProcessOwners = []probity.RoleRef{}
		for _, r := range in.ProcessOwners {
			change.ProcessOwners = append(change.ProcessOwners, probity.RoleRef{Type: r.RoleType, ARN: r.RoleARN})
		}
	}
	if in.DeregistrationPolicy != nil {
		change.DeleteResources = &in.DeregistrationPolicy.DeleteResources
	}
	a, err := h.lib.UpdateSettings(ctx, c.caller, change)
	if err != nil {
		return nil, err
	}
	return settingsResponse{toSettings(&a.Settings, "ALL")}, nil
}

type statusResponse struct {
	Status string `json:"status"`
}

func getAccountStatus(ctx context.Context, h *Handler, c *call) (any, error) {
	a, err := h.lib.Account(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	return statusResponse{string(a.Status)}, nil
}

func registerAccount(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		KMSKey                *string `json:"kmsKey"`
		DelegatedAdminAccount *string `json:"delegatedAdminAccount"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	a, err := h.lib.Register(ctx, c.caller, in.KMSKey, in.DelegatedAdminAccount)
	if err != nil {
		return nil, err
	}
	return statusResponse{string(a.Status)}, nil
}

func deregisterAccount(ctx context.Context, h *Handler, c *call) (any, error) {
	a, err := h.lib.Deregister(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	return statusResponse{string(a.Status)}, nil
}
