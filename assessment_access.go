package probity

// AssessmentAction is a kind of change to an assessment, as far as who may make it goes.
type AssessmentAction string

// The changes, and the reads of evidence. Other reads are not among them: whoever may
// read the account may read its assessments.
const (
	// ChangeAssessmentSettings is UpdateAssessment, its sync, tags and UpdateAssessmentStatus.
	ChangeAssessmentSettings AssessmentAction = "change the assessment"
	// DeleteTheAssessment is DeleteAssessment.
	DeleteTheAssessment AssessmentAction = "delete the assessment"
	// ReviewControl is UpdateAssessmentControl on a control of one control set.
	ReviewControl AssessmentAction = "review controls"
	// SetControlSetStatus is UpdateAssessmentControlSetStatus of one control set.
	SetControlSetStatus AssessmentAction = "set the status of control sets"
	// Delegate is creating and deleting delegations.
	Delegate AssessmentAction = "delegate control sets"
	// ReadEvidence is reading the evidence folders and evidence of one control set.
	ReadEvidence AssessmentAction = "read the evidence"
	// ImportEvidence is BatchImportEvidenceToAssessmentControl on a control of one set.
	ImportEvidence AssessmentAction = "import evidence"
	// SelectEvidence is adding evidence of one control set to the assessment report, or
	// removing it (by item or by folder).
	SelectEvidence AssessmentAction = "select evidence for the assessment report"
	// ManageReports is creating and deleting the assessment's reports.
	ManageReports AssessmentAction = "create and delete assessment reports"
	// ReadReports is downloading the assessment's reports (and checking one where it
	// lies): a report holds the evidence of every control set, more than a delegate of
	// some of them may read.
	ReadReports AssessmentAction = "download assessment reports"
)

// Actor is who changes an assessment: the caller's identity ARN, and whether its access
// key is an admin's, which may do anything in its account.
type Actor struct {
	ARN   string
	Admin bool
}

// DelegatedSets returns the ids of the control sets delegated to the identity arn by
// delegations still open. It is the one place that says what a delegate may touch.
func (a *Assessment) DelegatedSets(arn string) map[string]bool {
	out := map[string]bool{}
	for _, d := range a.Delegations {
		if arn != "" && d.RoleARN == arn && d.Open() {
			out[d.ControlSetID] = true
		}
	}
	return out
}

// Authorize returns nil when who may make the change to the assessment, and an
// EUNAUTHORIZED error otherwise. controlSetID names the control set of ReviewControl,
// SetControlSetStatus, ReadEvidence, ImportEvidence and SelectEvidence, and to the status
// SetControlSetStatus sets.
//
// An admin key and the assessment's PROCESS_OWNERs may do everything. A RESOURCE_OWNER
// delegate may review the controls of the control sets delegated to it, read, import and
// select for the report their evidence, and submit them (set them UNDER_REVIEW), and nothing else. Anyone else
// may change nothing and read no evidence.
func (a *Assessment) Authorize(who Actor, act AssessmentAction, controlSetID string, to ControlSetStatus) error {
	if who.Admin || a.ProcessOwner(who.ARN) {
		return nil
	}
	delegated := a.DelegatedSets(who.ARN)[controlSetID]
	switch {
	case delegated && (act == ReviewControl || act == ReadEvidence || act == ImportEvidence || act == SelectEvidence):
		return nil
	case delegated && act == SetControlSetStatus && to == ControlSetUnderReview:
		return nil
	case delegated && act == SetControlSetStatus:
		return Errorf(EUNAUTHORIZED, "%s is a delegate of control set %s of assessment %s: it may submit the set for review (UNDER_REVIEW), not set it %s.", who.ARN, controlSetID, a.ID, to)
	}
	need := "the assessment's PROCESS_OWNER role or an admin key"
	switch act {
	case ReviewControl, ReadEvidence, ImportEvidence, SelectEvidence, SetControlSetStatus:
		need = "the assessment's PROCESS_OWNER role, an admin key, or (for its controls) a delegation of the control set"
	}
	return Errorf(EUNAUTHORIZED, "%s may not %s of assessment %s: that needs %s.", orNobody(who.ARN), act, a.ID, need)
}

func orNobody(arn string) string {
	if arn == "" {
		return "A caller without an identity ARN"
	}
	return arn
}
