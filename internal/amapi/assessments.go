package amapi

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/store"
)

// SyncFrameworkHeader, set to true on UpdateAssessment, also brings the assessment's
// snapshot up to its framework's current version (Probity's own; see assess.Service.Sync).
const SyncFrameworkHeader = "X-Probity-Sync-Framework"

// Token kinds of the assessment listings.
const (
	tokenAssessments = 'a'
	tokenChangeLogs  = 'g'
)

type assessmentResponse struct {
	Assessment assessmentOut `json:"assessment"`
}

func createAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		Name                         string            `json:"name"`
		Description                  string            `json:"description"`
		AssessmentReportsDestination *destinationWire  `json:"assessmentReportsDestination"`
		Scope                        *scopeWire        `json:"scope"`
		Roles                        []roleWire        `json:"roles"`
		FrameworkID                  string            `json:"frameworkId"`
		Tags                         map[string]string `json:"tags"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	a, err := h.assess.Create(ctx, c.caller, assess.Input{Name: in.Name, Description: in.Description,
		ReportsDestination: in.AssessmentReportsDestination.domain(), Scope: in.Scope.domain(), Roles: fromRoles(in.Roles),
		FrameworkID: in.FrameworkID, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return assessmentResponse{toAssessment(a)}, nil
}

// assessmentID returns the path's assessmentId, or a ValidationException.
func assessmentID(c *call) (string, error) {
	return c.pathUUID("assessmentId")
}

func getAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	a, err := h.assess.Get(ctx, c.caller, id)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Assessment assessmentOut `json:"assessment"`
		UserRole   *roleWire     `json:"userRole,omitempty"`
	}{Assessment: toAssessment(a)}
	if r := assess.UserRole(a, c.caller); r != nil {
		resp.UserRole = &roleWire{RoleType: string(r.Type), RoleARN: r.ARN}
	}
	return resp, nil
}

func updateAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		AssessmentName               *string          `json:"assessmentName"`
		AssessmentDescription        *string          `json:"assessmentDescription"`
		Scope                        *scopeWire       `json:"scope"`
		AssessmentReportsDestination *destinationWire `json:"assessmentReportsDestination"`
		Roles                        []roleWire       `json:"roles"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Scope == nil {
		return nil, invalidField("scope", "is required")
	}
	sync := false
	switch v := c.r.Header.Get(SyncFrameworkHeader); strings.ToLower(v) {
	case "":
	case "true":
		sync = true
	case "false":
	default:
		return nil, invalidField(SyncFrameworkHeader, "must be true or false")
	}
	up := assess.UpdateInput{Name: in.AssessmentName, Description: in.AssessmentDescription, Scope: in.Scope.domain(),
		Roles: fromRoles(in.Roles), SyncFramework: sync}
	if in.AssessmentReportsDestination != nil {
		d := in.AssessmentReportsDestination.domain()
		up.ReportsDestination = &d
	}
	a, err := h.assess.Update(ctx, c.caller, id, up)
	if err != nil {
		return nil, err
	}
	return assessmentResponse{toAssessment(a)}, nil
}

func updateAssessmentStatus(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Status != string(probity.AssessmentActive) && in.Status != string(probity.AssessmentInactive) {
		return nil, invalidField("status", "must be one of ACTIVE, INACTIVE")
	}
	a, err := h.assess.UpdateStatus(ctx, c.caller, id, probity.AssessmentStatus(in.Status))
	if err != nil {
		return nil, err
	}
	return assessmentResponse{toAssessment(a)}, nil
}

func deleteAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	return nil, h.assess.Delete(ctx, c.caller, id)
}

func listAssessments(ctx context.Context, h *Handler, c *call) (any, error) {
	status, err := c.enumQuery("status", false, names(probity.AssessmentStatuses...)...)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenAssessments)
	if err != nil {
		return nil, err
	}
	page, err := h.assess.List(ctx, c.caller, probity.AssessmentStatus(status), after, limit+1)
	if err != nil {
		return nil, err
	}
	resp := struct {
		AssessmentMetadata []assessmentMetadataItem `json:"assessmentMetadata"`
		NextToken          string                   `json:"nextToken,omitempty"`
	}{AssessmentMetadata: make([]assessmentMetadataItem, 0, len(page))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenAssessments, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for i := range page {
		resp.AssessmentMetadata = append(resp.AssessmentMetadata, toAssessmentItem(&page[i]))
	}
	return resp, nil
}

// controlSetID returns the path's controlSetId, or a ValidationException.
func controlSetID(c *call) (string, error) {
	id := c.r.PathValue("controlSetId")
	return id, checkControlSetID(id)
}

// checkControlSetID returns a ValidationException unless id is a controlSetId (the model's
// ControlSetId: 1 to 300 characters of single-line text).
func checkControlSetID(id string) error {
	if n := utf8.RuneCountInString(id); n < 1 || n > 300 || probity.CheckText(id, probity.SingleLine) != "" {
		return invalidField("controlSetId", "must be 1 to 300 characters of text")
	}
	return nil
}

// controlPath returns the path's assessmentId, controlSetId and controlId, or a
// ValidationException naming the first that is not valid.
func controlPath(c *call) (id, setID, ctlID string, err error) {
	if id, err = assessmentID(c); err != nil {
		return
	}
	if setID, err = controlSetID(c); err != nil {
		return
	}
	ctlID, err = controlID(c)
	return
}

func updateAssessmentControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id, setID, controlID, err := controlPath(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ControlStatus string `json:"controlStatus"`
		CommentBody   string `json:"commentBody"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ctl, err := h.assess.UpdateControl(ctx, c.caller, id, setID, controlID, probity.ControlStatus(in.ControlStatus), in.CommentBody)
	if err != nil {
		return nil, err
	}
	return struct {
		Control assessmentControlOut `json:"control"`
	}{toAssessmentControl(ctl)}, nil
}

func updateAssessmentControlSetStatus(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	setID, err := controlSetID(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Status  string  `json:"status"`
		Comment *string `json:"comment"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Comment == nil {
		return nil, invalidField("comment", "is required")
	}
	a, err := h.assess.UpdateControlSetStatus(ctx, c.caller, id, setID, probity.ControlSetStatus(in.Status), *in.Comment)
	if err != nil {
		return nil, err
	}
	return struct {
		ControlSet assessmentControlSetOut `json:"controlSet"`
	}{toAssessmentControlSet(a, a.ControlSet(setID))}, nil
}

func getChangeLogs(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	setID, controlID := q.Get("controlSetId"), q.Get("controlId")
	if q.Has("controlSetId") {
		if err := checkControlSetID(setID); err != nil {
			return nil, err
		}
	}
	if q.Has("controlId") {
		if err := checkUUID("controlId", controlID); err != nil {
			return nil, err
		}
	}
	limit, after, err := c.pageParams(tokenChangeLogs)
	if err != nil {
		return nil, err
	}
	logs, err := h.assess.ChangeLogs(ctx, c.caller, id, setID, controlID, after, limit+1)
	if err != nil {
		return nil, err
	}
	resp := struct {
		ChangeLogs []changeLogOut `json:"changeLogs"`
		NextToken  string         `json:"nextToken,omitempty"`
	}{ChangeLogs: make([]changeLogOut, 0, len(logs))}
	if len(logs) > limit {
		logs = logs[:limit]
		last := logs[limit-1]
		resp.NextToken = nextToken(tokenChangeLogs, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, l := range logs {
		resp.ChangeLogs = append(resp.ChangeLogs, changeLogOut{ObjectType: string(l.ObjectType), ObjectName: l.ObjectName,
			Action: string(l.Action), CreatedAt: epoch(l.CreatedAt), CreatedBy: l.CreatedBy})
	}
	return resp, nil
}
