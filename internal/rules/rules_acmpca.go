package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const privateCA = "AWS::ACMPCA::CertificateAuthority"

var acmPCARules = []*Rule{
	{
		ID: "ACM_PCA_ROOT_CA_DISABLED",
		Description: "AWS Private CA root certificate authorities are DISABLED, unless their ARN is in exemptedCAArns; " +
			"subordinate CAs are NOT_APPLICABLE.",
		Scope:  []string{privateCA},
		Params: []Param{{Name: "exemptedCAArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			ca, err := cfg[struct {
				Arn    string `json:"Arn"`
				Type   string `json:"Type"`
				Status string `json:"Status"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if !strings.EqualFold(ca.Type, "ROOT") {
				return na("The certificate authority is not a root CA.")
			}
			arn := ca.Arn
			if arn == "" {
				arn = it.ARN
			}
			if arn == "" {
				arn = it.ResourceID
			}
			if inList(a.List("exemptedCAArns"), arn) {
				return Compliant, "", nil
			}
			return verdict(strings.EqualFold(ca.Status, "DISABLED"), "The root CA's status is "+ca.Status+", not DISABLED.")
		},
	},
}
