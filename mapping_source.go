package probity

import "slices"

// SourceType says where the evidence of a control comes from.
type SourceType string

// Source types.
const (
	SourceTypeCloudTrail  SourceType = "AWS_Cloudtrail"
	SourceTypeConfig      SourceType = "AWS_Config"
	SourceTypeSecurityHub SourceType = "AWS_Security_Hub"
	SourceTypeAPICall     SourceType = "AWS_API_Call"
	SourceTypeManual      SourceType = "MANUAL"
	SourceTypeCommon      SourceType = "Common_Control"
	SourceTypeCore        SourceType = "Core_Control"
)

// SetUpOption says whether evidence is automated (system) or manual (procedural).
type SetUpOption string

// Set-up options.
const (
	SetUpSystem     SetUpOption = "System_Controls_Mapping"
	SetUpProcedural SetUpOption = "Procedural_Controls_Mapping"
)

// KeywordInputType says how a source's keyword is given.
type KeywordInputType string

// Keyword input types.
const (
	KeywordSelectFromList KeywordInputType = "SELECT_FROM_LIST"
	KeywordUploadFile     KeywordInputType = "UPLOAD_FILE"
	KeywordInputText      KeywordInputType = "INPUT_TEXT"
)

// SourceFrequency is how often a source collects evidence.
type SourceFrequency string

// Source frequencies.
const (
	FrequencyDaily   SourceFrequency = "DAILY"
	FrequencyWeekly  SourceFrequency = "WEEKLY"
	FrequencyMonthly SourceFrequency = "MONTHLY"
)

// Value lists, in the service's order.
var (
	SourceTypes       = []SourceType{SourceTypeCloudTrail, SourceTypeConfig, SourceTypeSecurityHub, SourceTypeAPICall, SourceTypeManual, SourceTypeCommon, SourceTypeCore}
	SetUpOptions      = []SetUpOption{SetUpSystem, SetUpProcedural}
	KeywordInputTypes = []KeywordInputType{KeywordSelectFromList, KeywordUploadFile, KeywordInputText}
	SourceFrequencies = []SourceFrequency{FrequencyDaily, FrequencyWeekly, FrequencyMonthly}
)

// ControlMappingSource is one data source of a control.
type ControlMappingSource struct {
	SourceID            string
	SourceName          string
	SourceDescription   string
	SourceSetUpOption   SetUpOption
	SourceType          SourceType
	SourceKeyword       *SourceKeyword
	SourceFrequency     SourceFrequency
	TroubleshootingText string
}

// SourceKeyword says which rule, event, finding or API call a source collects, or, for
// manual sources, whether evidence is a file or text.
type SourceKeyword struct {
	KeywordInputType KeywordInputType
	KeywordValue     string
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
func SetUpOptionFor(sourceType SourceType) SetUpOption {
	if sourceType == SourceTypeManual {
		return SetUpProcedural
	}
	return SetUpSystem
}

func (s *ControlMappingSource) check(ck *checker, name string) {
	ck.text(name+".sourceName", s.SourceName, SingleLine, true, 1, 300, nil, "")
	ck.text(name+".sourceDescription", s.SourceDescription, FreeText, false, 0, 1000, nil, "")
	oneOf(ck, name+".sourceSetUpOption", s.SourceSetUpOption, false, SetUpOptions)
	oneOf(ck, name+".sourceType", s.SourceType, true, SourceTypes)
	oneOf(ck, name+".sourceFrequency", s.SourceFrequency, false, SourceFrequencies)
	ck.text(name+".troubleshootingText", s.TroubleshootingText, FreeText, false, 0, 1000, nil, "")
	if k := s.SourceKeyword; k != nil {
		oneOf(ck, name+".sourceKeyword.keywordInputType", k.KeywordInputType, false, KeywordInputTypes)
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
