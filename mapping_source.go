package probity

import "slices"

// Source types: where the evidence of a control comes from.
const (
	SourceTypeCloudTrail  = "AWS_Cloudtrail"
	SourceTypeConfig      = "AWS_Config"
	SourceTypeSecurityHub = "AWS_Security_Hub"
	SourceTypeAPICall     = "AWS_API_Call"
	SourceTypeManual      = "MANUAL"
	SourceTypeCommon      = "Common_Control"
	SourceTypeCore        = "Core_Control"
)

// Set-up options: automated (system) or manual (procedural) evidence.
const (
	SetUpSystem     = "System_Controls_Mapping"
	SetUpProcedural = "Procedural_Controls_Mapping"
)

// Keyword input types.
const (
	KeywordSelectFromList = "SELECT_FROM_LIST"
	KeywordUploadFile     = "UPLOAD_FILE"
	KeywordInputText      = "INPUT_TEXT"
)

// Value lists, in the service's order.
var (
	SourceTypes       = []string{SourceTypeCloudTrail, SourceTypeConfig, SourceTypeSecurityHub, SourceTypeAPICall, SourceTypeManual, SourceTypeCommon, SourceTypeCore}
	SetUpOptions      = []string{SetUpSystem, SetUpProcedural}
	KeywordInputTypes = []string{KeywordSelectFromList, KeywordUploadFile, KeywordInputText}
	SourceFrequencies = []string{"DAILY", "WEEKLY", "MONTHLY"}
)

// ControlMappingSource is one data source of a control.
type ControlMappingSource struct {
	SourceID            string         `json:"sourceId,omitempty"`
	SourceName          string         `json:"sourceName"`
	SourceDescription   string         `json:"sourceDescription,omitempty"`
	SourceSetUpOption   string         `json:"sourceSetUpOption,omitempty"`
	SourceType          string         `json:"sourceType"`
	SourceKeyword       *SourceKeyword `json:"sourceKeyword,omitempty"`
	SourceFrequency     string         `json:"sourceFrequency,omitempty"`
	TroubleshootingText string         `json:"troubleshootingText,omitempty"`
}

// SourceKeyword says which rule, event, finding or API call a source collects, or, for
// manual sources, whether evidence is a file or text.
type SourceKeyword struct {
	KeywordInputType string `json:"keywordInputType,omitempty"`
	KeywordValue     string `json:"keywordValue,omitempty"`
}

// ManualAttestation returns the source a control gets when it names none: a manual
// attestation.
func ManualAttestation() ControlMappingSource {
	return ControlMappingSource{
		SourceName:        "Manual Attestation",
		SourceSetUpOption: SetUpProcedural,
		SourceType:        SourceTypeManual,
	}
}

// SetUpOptionFor returns the set-up option the service infers from a source type.
func SetUpOptionFor(sourceType string) string {
	if sourceType == SourceTypeManual {
		return SetUpProcedural
	}
	return SetUpSystem
}

func (s *ControlMappingSource) check(ck *checker, name string) {
	ck.text(name+".sourceName", s.SourceName, SingleLine, true, 1, 300, nil, "")
	ck.text(name+".sourceDescription", s.SourceDescription, FreeText, false, 0, 1000, nil, "")
	ck.oneOf(name+".sourceSetUpOption", s.SourceSetUpOption, false, SetUpOptions)
	ck.oneOf(name+".sourceType", s.SourceType, true, SourceTypes)
	ck.oneOf(name+".sourceFrequency", s.SourceFrequency, false, SourceFrequencies)
	ck.text(name+".troubleshootingText", s.TroubleshootingText, FreeText, false, 0, 1000, nil, "")
	if k := s.SourceKeyword; k != nil {
		ck.oneOf(name+".sourceKeyword.keywordInputType", k.KeywordInputType, false, KeywordInputTypes)
		ck.text(name+".sourceKeyword.keywordValue", k.KeywordValue, SingleLine, false, 1, 100, keywordPattern,
			"may hold only letters, digits, spaces and _ - ( ) . : /")
	}

	// The service's own consistency rules between type, set-up option and keyword; they
	// mean nothing until the type itself is valid.
	if !slices.Contains(SourceTypes, s.SourceType) {
		return
	}
	manual := s.SourceType == SourceTypeManual
	switch {
	case s.SourceSetUpOption == SetUpProcedural && s.SourceType != "" && !manual:
		ck.add(name+".sourceSetUpOption", "Procedural_Controls_Mapping requires sourceType MANUAL")
	case s.SourceSetUpOption == SetUpSystem && manual:
		ck.add(name+".sourceSetUpOption", "System_Controls_Mapping cannot be used with sourceType MANUAL")
	}
	k := s.SourceKeyword
	switch {
	case manual && k != nil && k.KeywordInputType == KeywordSelectFromList:
		ck.add(name+".sourceKeyword.keywordInputType", "a MANUAL source takes UPLOAD_FILE or INPUT_TEXT")
	case !manual && s.SourceType != "" && (k == nil || k.KeywordValue == ""):
		ck.add(name+".sourceKeyword.keywordValue", "is required for sourceType %s", s.SourceType)
	case !manual && k != nil && k.KeywordInputType != "" && k.KeywordInputType != KeywordSelectFromList:
		ck.add(name+".sourceKeyword.keywordInputType", "sourceType %s takes SELECT_FROM_LIST", s.SourceType)
	}
}

// contentEqual compares the user-supplied members, not the derived source id.
func (s ControlMappingSource) contentEqual(o ControlMappingSource) bool {
	s.SourceID, o.SourceID = "", ""
	sk, ok := s.SourceKeyword, o.SourceKeyword
	s.SourceKeyword, o.SourceKeyword = nil, nil
	if s != o {
		return false
	}
	switch {
	case sk == nil || ok == nil:
		return sk == ok
	default:
		return *sk == *ok
	}
}
