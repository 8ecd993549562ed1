package amapi

import "github.com/probity-dev/probity/internal/auth"

// endpoints lists the operations Probity serves, with the role each needs: viewers read,
// editors change the libraries, admins also change settings, registration and shares.
// Every other operation of the model answers NotImplementedException.
var endpoints = map[string]endpoint{
	"CreateControl":                        {editor, createControl},
	"GetControl":                           {viewer, getControl},
	"UpdateControl":                        {editor, updateControl},
	"DeleteControl":                        {editor, deleteControl},
	"ListControls":                         {viewer, listControls},
	"CreateAssessmentFramework":            {editor, createFramework},
	"GetAssessmentFramework":               {viewer, getFramework},
	"UpdateAssessmentFramework":            {editor, updateFramework},
	"DeleteAssessmentFramework":            {editor, deleteFramework},
	"ListAssessmentFrameworks":             {viewer, listFrameworks},
	"TagResource":                          {editor, tagResource},
	"UntagResource":                        {editor, untagResource},
	"ListTagsForResource":                  {viewer, listTags},
	"GetSettings":                          {viewer, getSettings},
	"UpdateSettings":                       {admin, updateSettings},
	"RegisterAccount":                      {admin, registerAccount},
	"DeregisterAccount":                    {admin, deregisterAccount},
	"GetAccountStatus":                     {viewer, getAccountStatus},
	"ListKeywordsForDataSource":            {viewer, listKeywords},
	"GetServicesInScope":                   {viewer, getServicesInScope},
	"ListNotifications":                    {viewer, listNotifications},
	"ImportFindings":                       {editor, importFindings},
	"StartAssessmentFrameworkShare":        {admin, startShare},
	"ListAssessmentFrameworkShareRequests": {viewer, listShares},
	"UpdateAssessmentFrameworkShare":       {admin, updateShare},
	"DeleteAssessmentFrameworkShare":       {admin, deleteShare},
	// Assessments: the access level first, then the assessment's roles (internal/assess).
	"CreateAssessment":                 {editor, createAssessment},
	"GetAssessment":                    {viewer, getAssessment},
	"UpdateAssessment":                 {editor, updateAssessment},
	"UpdateAssessmentStatus":           {editor, updateAssessmentStatus},
	"DeleteAssessment":                 {editor, deleteAssessment},
	"ListAssessments":                  {viewer, listAssessments},
	"UpdateAssessmentControl":          {editor, updateAssessmentControl},
	"UpdateAssessmentControlSetStatus": {editor, updateAssessmentControlSetStatus},
	"GetChangeLogs":                    {viewer, getChangeLogs},
	// Delegations: the access level first, then the assessment's roles (internal/assess).
	"BatchCreateDelegationByAssessment": {editor, batchCreateDelegations},
	"BatchDeleteDelegationByAssessment": {editor, batchDeleteDelegations},
	"GetDelegations":                    {viewer, getDelegations},
	// Evidence: the access level first, then the assessment's roles (internal/assess).
	"GetEvidenceFoldersByAssessment":         {viewer, getEvidenceFoldersByAssessment},
	"GetEvidenceFoldersByAssessmentControl":  {viewer, getEvidenceFoldersByAssessmentControl},
	"GetEvidenceFolder":                      {viewer, getEvidenceFolder},
	"GetEvidenceByEvidenceFolder":            {viewer, getEvidenceByEvidenceFolder},
	"GetEvidence":                            {viewer, getEvidence},
	"BatchImportEvidenceToAssessmentControl": {editor, batchImportEvidence},
	"GetEvidenceFileUploadUrl":               {editor, getEvidenceFileUploadURL},
	// Report selection: the access level first, then the assessment's roles (internal/assess).
	"BatchAssociateAssessmentReportEvidence":     {editor, batchSelectEvidence(true)},
	"BatchDisassociateAssessmentReportEvidence":  {editor, batchSelectEvidence(false)},
	"AssociateAssessmentReportEvidenceFolder":    {editor, selectFolder(true)},
	"DisassociateAssessmentReportEvidenceFolder": {editor, selectFolder(false)},
	// Reports: the access level first, then the assessment's roles (internal/assess).
	"CreateAssessmentReport":            {editor, createAssessmentReport},
	"ListAssessmentReports":             {viewer, listAssessmentReports},
	"DeleteAssessmentReport":            {editor, deleteAssessmentReport},
	"GetAssessmentReportUrl":            {viewer, getAssessmentReportURL},
	"ValidateAssessmentReportIntegrity": {viewer, validateAssessmentReportIntegrity},
	// Insights: the account's reader sees the account-wide ones; the per-assessment ones
	// also follow the assessment's roles (internal/insights).
	"GetInsights":                                  {viewer, getInsights},
	"GetInsightsByAssessment":                      {viewer, getInsightsByAssessment},
	"ListControlDomainInsights":                    {viewer, listControlDomainInsights},
	"ListControlDomainInsightsByAssessment":        {viewer, listControlDomainInsightsByAssessment},
	"ListControlInsightsByControlDomain":           {viewer, listControlInsightsByControlDomain},
	"ListAssessmentControlInsightsByControlDomain": {viewer, listAssessmentControlInsightsByControlDomain},
}

const (
	viewer = auth.Viewer
	editor = auth.Editor
	admin  = auth.Admin
)
