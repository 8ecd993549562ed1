package probity_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
)

func validControl() *probity.Control {
	return &probity.Control{
		Name: "Encrypt data at rest",
		ControlMappingSources: []probity.ControlMappingSource{{
			SourceName: "Config", SourceType: probity.SourceTypeConfig,
			SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "RDS_STORAGE_ENCRYPTED"},
		}},
		Tags: map[string]string{"CIS": "2.3.1", "cost-centre:id/1": "x"},
	}
}

func TestControlValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*probity.Control)
		want   []probity.FieldError
	}{
		{"valid", func(*probity.Control) {}, nil},
		{"every problem at once", func(c *probity.Control) {
			c.Name = ""
			c.ActionPlanTitle = strings.Repeat("é", 301)
			c.Tags["aws:reserved"] = "x"
			c.ControlMappingSources[0].SourceFrequency = "HOURLY"
		}, []probity.FieldError{
			{Name: "name", Message: "is required"},
			{Name: "actionPlanTitle", Message: "must be at most 300 characters, got 301"},
			{Name: "controlMappingSources[0].sourceFrequency", Message: "must be one of DAILY, WEEKLY, MONTHLY"},
			{Name: "tags.aws:reserved", Message: "tag key must not start with the reserved prefix aws:"},
		}},
		{"no sources", func(c *probity.Control) { c.ControlMappingSources = nil }, []probity.FieldError{
			{Name: "controlMappingSources", Message: "must have at least 1 item"},
		}},
		{"set-up option contradicts the type", func(c *probity.Control) {
			c.ControlMappingSources[0].SourceSetUpOption = probity.SetUpProcedural
		}, []probity.FieldError{
			{Name: "controlMappingSources[0].sourceSetUpOption", Message: "Procedural_Controls_Mapping requires sourceType MANUAL"},
		}},
		{"tag key characters", func(c *probity.Control) { c.Tags = map[string]string{"a b": "", "ok.key_1": ""} }, []probity.FieldError{
			{Name: "tags.a b", Message: "tag key may hold only letters, digits and + , - . / : ; < = _"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validControl()
			tt.mutate(c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if probity.ErrorCode(err) != probity.EINVALID {
				t.Fatalf("code %q, want invalid", probity.ErrorCode(err))
			}
			if diff := cmp.Diff(tt.want, probity.ErrorFields(err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeDerivesIdentity(t *testing.T) {
	c := validControl()
	c.ID = "0123abcd-0123-4567-89ab-0123456789ab"
	c.ControlMappingSources = append(c.ControlMappingSources, probity.ManualAttestation())
	c.Normalize()
	if c.State != probity.ControlStateActive || c.ControlSources != "AWS_Config, MANUAL" {
		t.Fatalf("state %q, controlSources %q", c.State, c.ControlSources)
	}
	s := c.ControlMappingSources[0]
	if s.SourceSetUpOption != probity.SetUpSystem || !probity.IsUUID(s.SourceID) {
		t.Fatalf("source after Normalize: %+v", s)
	}
	if s.SourceID != probity.MappingSourceID(c.ID, "Config") || s.SourceID == probity.MappingSourceID(c.ID, "Config2") {
		t.Fatal("source ids are not derived from the control id and the source name")
	}
	if probity.DerivedID("ab", "c") == probity.DerivedID("a", "bc") {
		t.Fatal("DerivedID does not separate its parts")
	}
	if !probity.IsUUID(probity.NewID()) || probity.NewID() == probity.NewID() {
		t.Fatal("NewID does not make distinct UUIDs")
	}
}

func TestFrameworkValidate(t *testing.T) {
	id := "0123abcd-0123-4567-89ab-0123456789ab"
	f := &probity.Framework{Name: "F", ControlSets: []probity.ControlSet{
		{Name: "A_B", Controls: []string{id, id}},
		{Name: "C", Controls: nil},
	}}
	want := []probity.FieldError{
		{Name: "controlSets[0].name", Message: "must not contain a backslash or an underscore"},
		{Name: "controlSets[0].controls[1].id", Message: "duplicates controls[0] of this control set"},
		{Name: "controlSets[1].controls", Message: "must have at least 1 item"},
	}
	if diff := cmp.Diff(want, probity.ErrorFields(f.Validate())); diff != "" {
		t.Fatalf("fields (-want +got):\n%s", diff)
	}
}
