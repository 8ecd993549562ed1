package rules

import (
	"fmt"

	"github.com/probity-dev/probity/internal/ci"
)

// classicPolicy is one policy description of a Classic Load Balancer
// (supplementaryConfiguration LoadBalancerPolicies, DescribeLoadBalancerPolicies camel-cased).
type classicPolicy struct {
	PolicyName                  string `json:"policyName"`
	PolicyAttributeDescriptions []struct {
		AttributeName  string `json:"attributeName"`
		AttributeValue string `json:"attributeValue"`
	} `json:"policyAttributeDescriptions"`
}

var elbPolicyRules = []*Rule{
	{
		ID: "ELB_PREDEFINED_SECURITY_POLICY_SSL_CHECK",
		Description: "Every SSL and HTTPS listener of a Classic Load Balancer uses the predefined security policy predefinedPolicyName: " +
			"a policy of that name, or one whose Reference-Security-Policy is it (supplementaryConfiguration LoadBalancerPolicies); " +
			"a load balancer without such a listener is NOT_APPLICABLE.",
		Scope:  []string{classicLB},
		Params: []Param{{Name: "predefinedPolicyName", Type: String, Required: true}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lb, err := cfg[struct {
				ListenerDescriptions []struct {
					Listener struct {
						Protocol         string `json:"protocol"`
						LoadBalancerPort int    `json:"loadBalancerPort"`
					} `json:"listener"`
					PolicyNames []string `json:"policyNames"`
				} `json:"listenerDescriptions"`
			}](it)
			if err != nil {
				return "", "", err
			}
			var pols []classicPolicy
			if _, err := it.DecodeSupplementary("LoadBalancerPolicies", &pols); err != nil {
				return "", "", err
			}
			want := a.Str("predefinedPolicyName")
			reference := map[string]string{}
			for _, p := range pols {
				for _, at := range p.PolicyAttributeDescriptions {
					if at.AttributeName == "Reference-Security-Policy" {
						reference[p.PolicyName] = at.AttributeValue
					}
				}
			}
			secure := 0
			for _, l := range lb.ListenerDescriptions {
				if !secureListener(l.Listener.Protocol) {
					continue
				}
				secure++
				uses := false
				for _, name := range l.PolicyNames {
					uses = uses || name == want || reference[name] == want
				}
				if !uses {
					return NonCompliant, fmt.Sprintf("The %s listener on port %d does not use the policy %s.", l.Listener.Protocol, l.Listener.LoadBalancerPort, want), nil
				}
			}
			if secure == 0 {
				return na("The load balancer has no SSL or HTTPS listener.")
			}
			return Compliant, "", nil
		},
	},
}
