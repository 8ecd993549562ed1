package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const dynamoTable = "AWS::DynamoDB::Table"

// dynamoSSE is the part of a DynamoDB table CI the encryption rules read: DescribeTable's
// SSEDescription, which AWS Config spells ssedescription (ssetype, kmsmasterKeyArn).
// JSON member names match case-insensitively, so the first-letter camel case
// (sSEDescription) decodes too. A table without it is encrypted with a key DynamoDB owns.
type dynamoSSE struct {
	SSEDescription *struct {
		Status          string `json:"status"`
		SSEType         string `json:"ssetype"`
		KMSMasterKeyArn string `json:"kmsmasterKeyArn"`
	} `json:"ssedescription"`
}

// dynamoRule builds a rule on DynamoDB tables.
func dynamoRule(id, desc string, params []Param, fromSupplementary bool, f func(a Args, it *ci.Item) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{dynamoTable}, Params: params, FromSupplementary: fromSupplementary,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) { return f(a, it) }}
}

var dynamoRules = []*Rule{
	dynamoRule("DYNAMODB_PITR_ENABLED",
		"DynamoDB tables have point-in-time recovery (supplementaryConfiguration ContinuousBackupsDescription); a CI without it counts as off.", nil, true,
		func(a Args, it *ci.Item) (Compliance, string, error) {
			var cb struct {
				PointInTimeRecoveryDescription struct {
					PointInTimeRecoveryStatus string `json:"pointInTimeRecoveryStatus"`
				} `json:"pointInTimeRecoveryDescription"`
			}
			if _, err := it.DecodeSupplementary("ContinuousBackupsDescription", &cb); err != nil {
				return "", "", err
			}
			return verdict(strings.EqualFold(cb.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus, "ENABLED"), "Point-in-time recovery is off.")
		}),
	dynamoRule("DYNAMODB_TABLE_ENCRYPTED_KMS",
		"DynamoDB tables are encrypted with a KMS key (ssedescription ssetype KMS, enabled or updating), one of kmsKeyArns when given; tables encrypted with a key DynamoDB owns are NON_COMPLIANT.",
		[]Param{{Name: "kmsKeyArns", Type: CSV}}, false,
		func(a Args, it *ci.Item) (Compliance, string, error) {
			t, err := cfg[dynamoSSE](it)
			if err != nil {
				return "", "", err
			}
			sse := t.SSEDescription
			switch {
			case sse == nil || !strings.EqualFold(sse.SSEType, "KMS") || !(strings.EqualFold(sse.Status, "ENABLED") || strings.EqualFold(sse.Status, "UPDATING")):
				return NonCompliant, "The table is not encrypted with a KMS key.", nil
			case a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), sse.KMSMasterKeyArn):
				return NonCompliant, "The table's key is not in kmsKeyArns.", nil
			}
			return Compliant, "", nil
		}),
	dynamoRule("DYNAMODB_TABLE_ENCRYPTION_ENABLED",
		"DynamoDB tables have server-side encryption whose status is ENABLED or ENABLING; tables encrypted with a key DynamoDB owns (no ssedescription) are NON_COMPLIANT.", nil, false,
		func(a Args, it *ci.Item) (Compliance, string, error) {
			t, err := cfg[dynamoSSE](it)
			if err != nil {
				return "", "", err
			}
			sse := t.SSEDescription
			return verdict(sse != nil && (strings.EqualFold(sse.Status, "ENABLED") || strings.EqualFold(sse.Status, "ENABLING")),
				"Server-side encryption with a KMS key is not enabled.")
		}),
}
