package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

const snsTopic = "AWS::SNS::Topic"

var snsRules = []*Rule{
	{
		ID:          "SNS_ENCRYPTED_KMS",
		Description: "SNS topics are encrypted with a KMS key (the KmsMasterKeyId attribute), one of kmsKeyIds when given (key ARNs, ids or aliases).",
		Scope:       []string{snsTopic},
		Params:      []Param{{Name: "kmsKeyIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			t, err := cfg[struct {
				KmsMasterKeyID string `json:"KmsMasterKeyId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case t.KmsMasterKeyID == "":
				return NonCompliant, "The topic is not encrypted with a KMS key.", nil
			case a.Set("kmsKeyIds") && !anyKey(a.List("kmsKeyIds"), t.KmsMasterKeyID):
				return NonCompliant, "The topic's key " + t.KmsMasterKeyID + " is not in kmsKeyIds.", nil
			}
			return Compliant, "", nil
		},
	},
}
