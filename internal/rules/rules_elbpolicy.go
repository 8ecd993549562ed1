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

// classicListener is an SSL or HTTPS listener of a Classic Load Balancer.
type classicListener struct {
	Protocol    string
	Port        int
	PolicyNames []string
}

// classicSSLListeners returns a Classic Load Balancer's SSL and HTTPS listeners
// (listenerDescriptions), in order, and the policies recorded for it
// (supplementaryConfiguration LoadBalancerPolicies).
func classicSSLListeners(it *ci.Item) ([]classicListener, []classicPolicy, error) {
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
		return nil, nil, err
	}
	var pols []classicPolicy
	if _, err := it.DecodeSupplementary("LoadBalancerPolicies", &pols); err != nil {
		return nil, nil, err
	}
	var ls []classicListener
	for _, l := range lb.ListenerDescriptions {
		if secureListener(l.Listener.Protocol) {
			ls = append(ls, classicListener{l.Listener.Protocol, l.Listener.LoadBalancerPort, l.PolicyNames})
		}
	}
	return ls, pols, nil
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
			listeners, pols, err := classicSSLListeners(it)
			if err != nil {
				return "", "", err
			}
			if len(listeners) == 0 {
				return na("The load balancer has no SSL or HTTPS listener.")
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
			for _, l := range listeners {
				uses := false
				for _, name := range l.PolicyNames {
					uses = uses || name == want || reference[name] == want
				}
				if !uses {
					return NonCompliant, fmt.Sprintf("The %s listener on port %d does not use the policy %s.", l.Protocol, l.Port, want), nil
				}
			}
			return Compliant, "", nil
		},
	},
}
