package console

import (
	"net/http"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
)

// assessmentData is the assessment page's data: the assessment, the caller's role, its
// control sets with what the caller may do to each, the delegations, and the forms.
type assessmentData struct {
	A    *probity.Assessment
	Role string
	Sets []setView
	// CanChange: the caller may change the assessment (its status) and delegate.
	CanChange bool
	Delegate  delegateForm
	Errors    FormErrors
}

// setView is a control set of the assessment page.
type setView struct {
	*probity.AssessmentControlSet
	// CanOwn: the caller may set any status (PROCESS_OWNER, admin); CanSubmit: it may
	// submit the set for review (also a delegate).
	CanOwn, CanSubmit bool
	Delegations       []probity.Delegation
}

// delegateForm is the delegation form as entered.
type delegateForm struct{ Set, ARN, Comment string }

// assessment shows an assessment: its facts, control sets and their controls with status,
// comments and evidence counts, delegations, and the review actions the caller's roles
// allow (an editor's or admin's key: a viewer sees none).
func (c *Console) assessment(w http.ResponseWriter, r *http.Request) error {
	return c.assessmentPage(w, r, http.StatusOK, nil, delegateForm{})
}

func (c *Console) assessmentPage(w http.ResponseWriter, r *http.Request, status int, errs FormErrors, df delegateForm) error {
	p := principal(r)
	a, err := c.cfg.Assess.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writer := can(r, auth.Editor) && a.Status == probity.AssessmentActive
	d := assessmentData{A: a, Errors: errs, Delegate: df,
		CanChange: writer && assess.Allowed(a, p, probity.ChangeAssessmentSettings, "", "")}
	if role := assess.UserRole(a, p); role != nil {
		d.Role = string(role.Type)
	}
	for i := range a.ControlSets {
		s := &a.ControlSets[i]
		v := setView{AssessmentControlSet: s,
			CanOwn:    writer && assess.Allowed(a, p, probity.SetControlSetStatus, s.ID, probity.ControlSetReviewed),
			CanSubmit: writer && assess.Allowed(a, p, probity.SetControlSetStatus, s.ID, probity.ControlSetUnderReview)}
		for _, dl := range a.Delegations {
			if dl.ControlSetID == s.ID {
				v.Delegations = append(v.Delegations, dl)
			}
		}
		d.Sets = append(d.Sets, v)
	}
	return c.renderStatus(w, r, status, "assessment", d)
}

// assessmentStatus sets the assessment INACTIVE (final) through assess.Service.UpdateStatus,
// as UpdateAssessmentStatus does: the PROCESS_OWNER's or an admin's.
func (c *Console) assessmentStatus(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := c.cfg.Assess.UpdateStatus(r.Context(), principal(r), id, probity.AssessmentStatus(r.PostFormValue("status"))); err != nil {
		if probity.ErrorCode(err) != probity.EINVALID {
			return err
		}
		return c.assessmentPage(w, r, http.StatusBadRequest, FormErrors{"status": probity.ErrorMessage(err)}, delegateForm{})
	}
	http.Redirect(w, r, assessmentPath(id)+"?done=saved", http.StatusSeeOther)
	return nil
}

// delegationCreate delegates a control set to an IAM identity as its RESOURCE_OWNER
// through assess.Service.CreateDelegations, as BatchCreateDelegationByAssessment does.
func (c *Console) delegationCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	df := delegateForm{Set: r.PostFormValue("controlSet"), ARN: strings.TrimSpace(r.PostFormValue("roleArn")), Comment: r.PostFormValue("comment")}
	_, failed, err := c.cfg.Assess.CreateDelegations(r.Context(), principal(r), id, []assess.DelegationInput{
		{ControlSetID: df.Set, RoleARN: df.ARN, RoleType: probity.RoleResourceOwner, Comment: df.Comment}})
	if err == nil && len(failed) > 0 {
		err = failed[0].Err
		if probity.ErrorCode(err) == probity.ENOTFOUND { // the item's control set
			return c.assessmentPage(w, r, http.StatusBadRequest, FormErrors{"controlSet": "Choose a control set of this assessment."}, df)
		}
	}
	if err != nil {
		fe, ok := formErrors(err, map[string]string{"controlSetId": "controlSet", "roleArn": "roleArn", "comment": "comment", "name": "roleArn"})
		if !ok {
			return err
		}
		return c.assessmentPage(w, r, http.StatusBadRequest, fe, df)
	}
	http.Redirect(w, r, assessmentPath(id)+"?done=created#delegations", http.StatusSeeOther)
	return nil
}

// delegationDelete deletes one delegation through assess.Service.DeleteDelegations, as
// BatchDeleteDelegationByAssessment does.
func (c *Console) delegationDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	failed, err := c.cfg.Assess.DeleteDelegations(r.Context(), principal(r), id, []string{r.PostFormValue("delegation")})
	if err == nil && len(failed) > 0 {
		err = failed[0].Err
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, assessmentPath(id)+"?done=saved#delegations", http.StatusSeeOther)
	return nil
}

// controlSetStatus sets a control set's status through assess.Service.UpdateControlSetStatus,
// as UpdateAssessmentControlSetStatus does: a delegate submits its set (UNDER_REVIEW), the
// PROCESS_OWNER or an admin sets any status.
func (c *Console) controlSetStatus(w http.ResponseWriter, r *http.Request) error {
	id, set := r.PathValue("id"), r.PathValue("set")
	_, err := c.cfg.Assess.UpdateControlSetStatus(r.Context(), principal(r), id, set,
		probity.ControlSetStatus(r.PostFormValue("status")), r.PostFormValue("comment"))
	if err != nil {
		if probity.ErrorCode(err) != probity.EINVALID {
			return err
		}
		msg := probity.ErrorMessage(err)
		for _, f := range probity.ErrorFields(err) {
			msg = f.Name + " " + f.Message + "."
		}
		return c.assessmentPage(w, r, http.StatusBadRequest, FormErrors{"set-" + set: upperFirst(msg)}, delegateForm{})
	}
	http.Redirect(w, r, assessmentPath(id)+"?done=saved", http.StatusSeeOther)
	return nil
}
