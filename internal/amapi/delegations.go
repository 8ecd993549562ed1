package amapi

import (
	"context"
	"strconv"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/store"
)

// Delegations on the wire: BatchCreateDelegationByAssessment,
// BatchDeleteDelegationByAssessment and GetDelegations.

// tokenDelegations is the token kind of GetDelegations.
const tokenDelegations = 'd'

// maxErrorMessage is the model's limit on an ErrorMessage of a batch item.
const maxErrorMessage = 300

type createDelegationWire struct {
	Comment      string `json:"comment,omitempty"`
	ControlSetID string `json:"controlSetId,omitempty"`
	RoleARN      string `json:"roleArn,omitempty"`
	RoleType     string `json:"roleType,omitempty"`
}

type createDelegationError struct {
	Request      createDelegationWire `json:"createDelegationRequest"`
	ErrorCode    string               `json:"errorCode"`
	ErrorMessage string               `json:"errorMessage"`
}

type deleteDelegationError struct {
	DelegationID string `json:"delegationId"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// itemError returns the errorCode and errorMessage of one failed batch item: the HTTP
// status and message the error would have as a whole response, the message cut to the
// model's 300 characters.
func itemError(err error) (string, string) {
	ae := wireError(err)
	msg := ae.Message
	if utf8.RuneCountInString(msg) > maxErrorMessage {
		msg = string([]rune(msg)[:maxErrorMessage-3]) + "..."
	}
	return strconv.Itoa(ae.status), msg
}

func batchCreateDelegations(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Requests []createDelegationWire `json:"createDelegationRequests"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	items := make([]assess.DelegationInput, len(in.Requests))
	for i, r := range in.Requests {
		items[i] = assess.DelegationInput{ControlSetID: r.ControlSetID, RoleARN: r.RoleARN, RoleType: probity.RoleType(r.RoleType),
			Comment: r.Comment}
	}
	made, failed, err := h.assess.CreateDelegations(ctx, c.caller, id, items)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Delegations []delegationOut         `json:"delegations"`
		Errors      []createDelegationError `json:"errors"`
	}{Delegations: toDelegations(made, ""), Errors: []createDelegationError{}}
	for _, f := range failed {
		code, msg := itemError(f.Err)
		resp.Errors = append(resp.Errors, createDelegationError{Request: in.Requests[f.Index], ErrorCode: code, ErrorMessage: msg})
	}
	return resp, nil
}

func batchDeleteDelegations(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		DelegationIDs []string `json:"delegationIds"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	failed, err := h.assess.DeleteDelegations(ctx, c.caller, id, in.DelegationIDs)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Errors []deleteDelegationError `json:"errors"`
	}{Errors: []deleteDelegationError{}}
	for _, f := range failed {
		code, msg := itemError(f.Err)
		resp.Errors = append(resp.Errors, deleteDelegationError{DelegationID: in.DelegationIDs[f.Index], ErrorCode: code, ErrorMessage: msg})
	}
	return resp, nil
}

// delegationMetadataOut is the model's DelegationMetadata.
type delegationMetadataOut struct {
	ID             string `json:"id"`
	AssessmentName string `json:"assessmentName,omitempty"`
	AssessmentID   string `json:"assessmentId"`
	Status         string `json:"status"`
	RoleARN        string `json:"roleArn"`
	CreationTime   epoch  `json:"creationTime"`
	ControlSetName string `json:"controlSetName,omitempty"`
}

// getDelegations lists the delegations to the caller's identity ARN, oldest first.
func getDelegations(ctx context.Context, h *Handler, c *call) (any, error) {
	limit, after, err := c.pageParams(tokenDelegations)
	if err != nil {
		return nil, err
	}
	page, err := h.assess.DelegationsTo(ctx, c.caller, after, limit+1)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Delegations []delegationMetadataOut `json:"delegations"`
		NextToken   string                  `json:"nextToken,omitempty"`
	}{Delegations: make([]delegationMetadataOut, 0, len(page))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenDelegations, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, d := range page {
		resp.Delegations = append(resp.Delegations, delegationMetadataOut{ID: d.ID, AssessmentName: d.AssessmentName,
			AssessmentID: d.AssessmentID, Status: string(d.Status), RoleARN: d.RoleARN, CreationTime: epoch(d.CreatedAt),
			ControlSetName: d.ControlSetName})
	}
	return resp, nil
}
