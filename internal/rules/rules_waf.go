package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	wafWebACL  = "AWS::WAFv2::WebACL"
	wafLogging = "AWS::WAFv2::LoggingConfiguration"
)

var wafRules = []*Rule{
	{
		ID: "WAFV2_LOGGING_ENABLED",
		Description: "WAFv2 web ACLs log (a " + wafLogging + " item of the snapshot names the web ACL as ResourceArn), " +
			"to destinations all in KinesisFirehoseDeliveryStreamArns when given.",
		Scope:   []string{wafWebACL},
		Params:  []Param{{Name: "KinesisFirehoseDeliveryStreamArns", Type: CSV}},
		Related: []string{wafLogging},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if env.Related == nil {
				return na("The input does not hold the web ACL's logging configuration (" + wafLogging + " items of a snapshot).")
			}
			byACL, err := env.Related.GroupBy(wafLogging, "logging configurations by web ACL", func(l *ci.Item) (string, error) {
				c, err := cfg[wafLoggingConfig](l)
				if err != nil {
					return "", err
				}
				return c.ResourceArn, nil
			})
			if err != nil {
				return "", "", err
			}
			acl, err := cfg[struct {
				Arn string `json:"Arn"`
			}](it)
			if err != nil {
				return "", "", err
			}
			arn := acl.Arn
			if arn == "" {
				arn = it.ARN
			}
			if arn == "" {
				arn = it.ResourceID
			}
			logs := byACL[arn]
			if len(logs) == 0 {
				return NonCompliant, "The web ACL has no logging configuration.", nil
			}
			lc, err := cfg[wafLoggingConfig](logs[0])
			if err != nil {
				return "", "", err
			}
			if len(lc.LogDestinationConfigs) == 0 {
				return NonCompliant, "The web ACL's logging configuration names no destination.", nil
			}
			if a.Set("KinesisFirehoseDeliveryStreamArns") {
				for _, d := range lc.LogDestinationConfigs {
					if !inList(a.List("KinesisFirehoseDeliveryStreamArns"), d) {
						return NonCompliant, "The web ACL logs to " + d + ", which is not in KinesisFirehoseDeliveryStreamArns.", nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "ALB_WAF_ENABLED",
		Description: "Application Load Balancers are protected by a WAFv2 web ACL (supplementaryConfiguration WebACL), " +
			"one of wafWebAclIds (web ACL ARNs or ids) when given.",
		Scope:  []string{elbv2LB},
		Params: []Param{{Name: "wafWebAclIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lb, err := cfg[v2Balancer](it)
			if err != nil {
				return "", "", err
			}
			if !strings.EqualFold(lb.Type, "application") {
				return na("The rule judges Application Load Balancers only.")
			}
			var acl *struct {
				Arn string `json:"Arn"`
				ID  string `json:"Id"`
			}
			if _, ok := it.Supplementary["WebACL"]; !ok {
				return na("The item does not record the load balancer's web ACL (supplementaryConfiguration WebACL).")
			}
			if _, err := it.DecodeSupplementary("WebACL", &acl); err != nil {
				return "", "", err
			}
			switch {
			case acl == nil || acl.Arn == "" && acl.ID == "":
				return NonCompliant, "No web ACL protects the load balancer.", nil
			case a.Set("wafWebAclIds") && !inList(a.List("wafWebAclIds"), acl.Arn) && !inList(a.List("wafWebAclIds"), acl.ID):
				return NonCompliant, "The load balancer's web ACL " + acl.Arn + " is not in wafWebAclIds.", nil
			}
			return Compliant, "", nil
		},
	},
}

// wafLoggingConfig is the part of an AWS::WAFv2::LoggingConfiguration item the rules
// read (CloudFormation's member names).
type wafLoggingConfig struct {
	ResourceArn           string   `json:"ResourceArn"`
	LogDestinationConfigs []string `json:"LogDestinationConfigs"`
}
