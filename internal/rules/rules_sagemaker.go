package rules

import (
	"encoding/json"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// The SageMaker resource types these rules read, besides smNotebook and smEndpointCfg
// (rules_dataservices.go). AWS Config records them with CloudFormation's member names.
const (
	smModel  = "AWS::SageMaker::Model"
	smDomain = "AWS::SageMaker::Domain"
	smImage  = "AWS::SageMaker::Image"
)

// describedRule builds a *_DESCRIPTION rule: an item of resourceType is COMPLIANT when its
// configuration member (read case-insensitively) is a non-blank string.
func describedRule(id, resourceType, member, noun string) *Rule {
	return &Rule{
		ID:          id,
		Description: "The " + noun + " has a description (" + member + ").",
		Scope:       []string{resourceType},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			m, err := cfg[map[string]json.RawMessage](it)
			if err != nil {
				return "", "", err
			}
			var desc string
			for k, v := range *m {
				if strings.EqualFold(k, member) {
					if err := json.Unmarshal(v, &desc); err != nil && string(v) != "null" {
						return "", "", err
					}
				}
			}
			return verdict(strings.TrimSpace(desc) != "", "The "+noun+" has no description.")
		},
	}
}

var sageMakerRules = []*Rule{
	{
		ID:          "SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC",
		Description: "SageMaker notebook instances are launched in a VPC subnet (SubnetId), one of SubnetIds when given.",
		Scope:       []string{smNotebook},
		Params:      []Param{{Name: "SubnetIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				SubnetID string `json:"SubnetId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case n.SubnetID == "":
				return NonCompliant, "The notebook instance is not launched in a VPC.", nil
			case a.Set("SubnetIds") && !inList(a.List("SubnetIds"), n.SubnetID):
				return NonCompliant, "The notebook instance's subnet " + n.SubnetID + " is not in SubnetIds.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "SAGEMAKER_NOTEBOOK_INSTANCE_PLATFORM_VERSION",
		Description: "SageMaker notebook instances run one of supportedPlatformIdentifierVersions (PlatformIdentifier, " +
			"e.g. notebook-al2-v3); an instance that records none is NON_COMPLIANT.",
		Scope:  []string{smNotebook},
		Params: []Param{{Name: "supportedPlatformIdentifierVersions", Type: CSV, Required: true}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				PlatformIdentifier string `json:"PlatformIdentifier"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(inList(a.List("supportedPlatformIdentifierVersions"), n.PlatformIdentifier),
				"The notebook instance's platform "+orNone(n.PlatformIdentifier)+" is not in supportedPlatformIdentifierVersions.")
		},
	},
	{
		ID: "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK",
		Description: "SageMaker notebook instances have root access disabled (RootAccess Disabled; " +
			"SageMaker enables it when RootAccess is not set).",
		Scope: []string{smNotebook},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				RootAccess string `json:"RootAccess"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.EqualFold(n.RootAccess, "Disabled"), "Users of the notebook instance have root access.")
		},
	},
	{
		ID:          "SAGEMAKER_MODEL_IN_VPC",
		Description: "SageMaker models run their containers in a VPC (VpcConfig is recorded).",
		Scope:       []string{smModel},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			m, err := cfg[struct {
				VpcConfig json.RawMessage `json:"VpcConfig"`
			}](it)
			if err != nil {
				return "", "", err
			}
			v := strings.TrimSpace(string(m.VpcConfig))
			return verdict(v != "" && v != "null" && v != "{}", "The model's containers do not run in a VPC.")
		},
	},
	{
		ID:          "SAGEMAKER_MODEL_ISOLATION_ENABLED",
		Description: "SageMaker models have network isolation enabled (EnableNetworkIsolation true).",
		Scope:       []string{smModel},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			m, err := cfg[struct {
				EnableNetworkIsolation bool `json:"EnableNetworkIsolation"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(m.EnableNetworkIsolation, "Network isolation is not enabled for the model.")
		},
	},
	{
		ID: "SAGEMAKER_ENDPOINT_CONFIG_PROD_INSTANCE_COUNT",
		Description: "Every instance-based production variant of a SageMaker endpoint configuration has an InitialInstanceCount " +
			"greater than 1; a configuration with only serverless variants is NOT_APPLICABLE.",
		Scope: []string{smEndpointCfg},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			e, err := cfg[struct {
				ProductionVariants []struct {
					VariantName          string          `json:"VariantName"`
					InitialInstanceCount *int            `json:"InitialInstanceCount"`
					ServerlessConfig     json.RawMessage `json:"ServerlessConfig"`
				} `json:"ProductionVariants"`
			}](it)
			if err != nil {
				return "", "", err
			}
			var single []string
			instanceBased := 0
			for _, v := range e.ProductionVariants {
				if v.InitialInstanceCount == nil {
					continue // serverless: no instances to count
				}
				instanceBased++
				if *v.InitialInstanceCount <= 1 {
					single = append(single, v.VariantName)
				}
			}
			if instanceBased == 0 {
				return na("The endpoint configuration has no instance-based production variant.")
			}
			return verdict(len(single) == 0, "These production variants start with a single instance: "+strings.Join(single, ", ")+".")
		},
	},
	{
		ID: "SAGEMAKER_DOMAIN_IN_VPC",
		Description: "SageMaker domains send non-EFS traffic through the customer's VPC (AppNetworkAccessType VpcOnly; " +
			"SageMaker's default, PublicInternetOnly, applies when it is not set).",
		Scope: []string{smDomain},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			d, err := cfg[struct {
				AppNetworkAccessType string `json:"AppNetworkAccessType"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.EqualFold(d.AppNetworkAccessType, "VpcOnly"), "The domain's apps reach the internet directly (AppNetworkAccessType is not VpcOnly).")
		},
	},
	describedRule("SAGEMAKER_IMAGE_DESCRIPTION", smImage, "ImageDescription", "SageMaker image"),
}
