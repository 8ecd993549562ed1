package inventory_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestFraudDetector collects Fraud Detector entity types, labels, outcomes and variables
// from recorded responses: moto lacks the service, so an httptest server answers
// GetEntityTypes (two pages), GetLabels, GetOutcomes, GetVariables and
// ListTagsForResource with AWS's documented JSON shapes, after checking that each request
// is a SigV4-signed JSON 1.1 call for frauddetector, and forwards every other request to
// moto. It checks the CIs (the ARN as resource id, CloudFormation's member names, tags)
// and the four FRAUDDETECTOR_*_TAGGED rules on them.
func TestFraudDetector(t *testing.T) {
	m := mototest.Shared(t)
	const prefix = "AWSHawksNestServiceFacade."
	arn := "arn:aws:frauddetector:us-east-1:123456789012:"
	tags := map[string]string{
		arn + "entity-type/customer": `{"tags":[{"key":"team","value":"risk"}]}`,
		arn + "entity-type/merchant": `{"tags":[]}`,
		arn + "label/fraud":          `{"tags":[{"key":"team","value":"risk"}]}`,
		arn + "outcome/review":       `{"tags":[]}`,
		arn + "variable/ip_address":  `{"tags":[{"key":"owner","value":"ana"}]}`,
	}
	times := `"createdTime":"2024-05-01T00:00:00Z","lastUpdatedTime":"2024-05-01T00:00:00Z"`
	responses := map[string]func(b map[string]any) string{
		"GetEntityTypes": func(b map[string]any) string {
			if b["nextToken"] == nil {
				return `{"entityTypes":[{"name":"customer","description":"Buyers","arn":"` + arn + `entity-type/customer",` + times + `}],"nextToken":"2"}`
			}
			return `{"entityTypes":[{"name":"merchant","arn":"` + arn + `entity-type/merchant",` + times + `}]}`
		},
		"GetLabels": func(map[string]any) string {
			return `{"labels":[{"name":"fraud","arn":"` + arn + `label/fraud",` + times + `}]}`
		},
		"GetOutcomes": func(map[string]any) string {
			return `{"outcomes":[{"name":"review","arn":"` + arn + `outcome/review",` + times + `}]}`
		},
		"GetVariables": func(map[string]any) string {
			return `{"variables":[{"name":"ip_address","dataType":"STRING","dataSource":"EVENT","defaultValue":"unknown","variableType":"IP_ADDRESS","arn":"` + arn + `variable/ip_address",` + times + `}]}`
		},
		"ListTagsForResource": func(b map[string]any) string { return tags[b["resourceARN"].(string)] },
	}
	var unsigned atomic.Int32
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		op, ok := strings.CutPrefix(c.Op, prefix)
		if !ok {
			return 0, "", false
		}
		if !strings.Contains(c.R.Header.Get("Authorization"), "/us-east-1/frauddetector/aws4_request") || c.R.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			unsigned.Add(1)
		}
		var body map[string]any
		_ = json.Unmarshal(c.Body, &body)
		answer := responses[op]
		if answer == nil {
			return http.StatusBadRequest, `{"__type":"ValidationException","message":"unexpected ` + c.Op + `"}`, true
		}
		return http.StatusOK, answer(body), true
	}, prefix+"GetEntityTypes", prefix+"GetLabels", prefix+"GetOutcomes", prefix+"GetVariables")
	items, _ := mlSnapshotWith(t, cfg)
	if n := unsigned.Load(); n > 0 {
		t.Errorf("%d Fraud Detector requests were not SigV4-signed JSON 1.1 calls for frauddetector", n)
	}

	tagged := func(resourceType, rule string, want map[string]mlCI) {
		t.Helper()
		dataDiff(t, resourceType, want, mlView(t, items, resourceType, []string{rule}, nil, "Name", "Description", "DataType", "Arn"))
	}
	tagged("AWS::FraudDetector::EntityType", "FRAUDDETECTOR_ENTITY_TYPE_TAGGED", map[string]mlCI{
		arn + "entity-type/customer": {ARN: arn + "entity-type/customer", Name: "customer", Tags: map[string]string{"team": "risk"},
			Config:  map[string]string{"Name": `"customer"`, "Description": `"Buyers"`, "Arn": `"` + arn + `entity-type/customer"`},
			Results: map[string]string{"FRAUDDETECTOR_ENTITY_TYPE_TAGGED": "COMPLIANT"}},
		arn + "entity-type/merchant": {ARN: arn + "entity-type/merchant", Name: "merchant",
			Config:  map[string]string{"Name": `"merchant"`, "Arn": `"` + arn + `entity-type/merchant"`},
			Results: map[string]string{"FRAUDDETECTOR_ENTITY_TYPE_TAGGED": "NON_COMPLIANT"}},
	})
	tagged("AWS::FraudDetector::Label", "FRAUDDETECTOR_LABEL_TAGGED", map[string]mlCI{
		arn + "label/fraud": {ARN: arn + "label/fraud", Name: "fraud", Tags: map[string]string{"team": "risk"},
			Config: map[string]string{"Name": `"fraud"`, "Arn": `"` + arn + `label/fraud"`}, Results: map[string]string{"FRAUDDETECTOR_LABEL_TAGGED": "COMPLIANT"}},
	})
	tagged("AWS::FraudDetector::Outcome", "FRAUDDETECTOR_OUTCOME_TAGGED", map[string]mlCI{
		arn + "outcome/review": {ARN: arn + "outcome/review", Name: "review",
			Config: map[string]string{"Name": `"review"`, "Arn": `"` + arn + `outcome/review"`}, Results: map[string]string{"FRAUDDETECTOR_OUTCOME_TAGGED": "NON_COMPLIANT"}},
	})
	tagged("AWS::FraudDetector::Variable", "FRAUDDETECTOR_VARIABLE_TAGGED", map[string]mlCI{
		arn + "variable/ip_address": {ARN: arn + "variable/ip_address", Name: "ip_address", Tags: map[string]string{"owner": "ana"},
			Config:  map[string]string{"Name": `"ip_address"`, "DataType": `"STRING"`, "Arn": `"` + arn + `variable/ip_address"`},
			Results: map[string]string{"FRAUDDETECTOR_VARIABLE_TAGGED": "COMPLIANT"}},
	})
}
