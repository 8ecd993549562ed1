package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// nlbAttribute builds a rule on Network Load Balancers that holds when the load
// balancer attribute key is "true"; a CI without LoadBalancerAttributes is
// NOT_APPLICABLE.
func nlbAttribute(id, desc, key, bad string) *Rule {
	return v2Rule(id, desc, []string{"network"}, nil, func(a Args, lb *v2Balancer, attrs map[string]string) (Compliance, string, error) {
		if attrs == nil {
			return na("The load balancer's attributes were not recorded (supplementaryConfiguration LoadBalancerAttributes).")
		}
		return verdict(attrs[key] == "true", bad)
	})
}

// sslPolicyAttributes returns the protocols and ciphers a Classic Load Balancer SSL
// negotiation policy enables: its attributes whose value is "true", other than
// Server-Defined-Cipher-Order, which orders ciphers rather than naming one.
func sslPolicyAttributes(p classicPolicy) []string {
	var on []string
	for _, at := range p.PolicyAttributeDescriptions {
		if strings.EqualFold(at.AttributeValue, "true") && at.AttributeName != "Server-Defined-Cipher-Order" {
			on = append(on, at.AttributeName)
		}
	}
	slices.Sort(on)
	return on
}

var elbExtraRules = []*Rule{
	nlbAttribute("NLB_CROSS_ZONE_LOAD_BALANCING_ENABLED",
		"Network Load Balancers balance across zones (attribute load_balancing.cross_zone.enabled true); other types are NOT_APPLICABLE.",
		"load_balancing.cross_zone.enabled", "Cross-zone load balancing is off."),
	nlbAttribute("NLB_LOGGING_ENABLED",
		"Network Load Balancers deliver access logs (attribute access_logs.s3.enabled true); other types are NOT_APPLICABLE.",
		"access_logs.s3.enabled", "Access logging is off."),
	{
		ID: "ELBV2_LISTENER_ENCRYPTION_IN_TRANSIT",
		Description: "ELBv2 listeners terminate HTTPS or TLS; a listener with another protocol (HTTP, TCP, UDP, TCP_UDP) is NON_COMPLIANT, " +
			"even one that redirects; Gateway Load Balancer listeners (GENEVE, or no protocol) are NOT_APPLICABLE.",
		Scope: []string{elbv2Listener},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			l, err := cfg[v2Listener](it)
			if err != nil {
				return "", "", err
			}
			p := strings.ToUpper(l.Protocol)
			switch p {
			case "", "GENEVE":
				return na("The listener belongs to a Gateway Load Balancer, which passes traffic through.")
			case "HTTPS", "TLS":
				return Compliant, "", nil
			}
			return NonCompliant, fmt.Sprintf("The listener on port %d uses %s.", l.Port, p), nil
		},
	},
	{
		ID: "ELB_CUSTOM_SECURITY_POLICY_SSL_CHECK",
		Description: "Every SSL and HTTPS listener of a Classic Load Balancer uses a security policy (supplementaryConfiguration LoadBalancerPolicies) " +
			"that enables exactly the protocols and ciphers of sslProtocolsAndCiphers; a load balancer without such a listener is NOT_APPLICABLE.",
		Scope:  []string{classicLB},
		Params: []Param{{Name: "sslProtocolsAndCiphers", Type: String, Required: true}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			listeners, pols, err := classicSSLListeners(it)
			if err != nil {
				return "", "", err
			}
			if len(listeners) == 0 {
				return na("The load balancer has no SSL or HTTPS listener.")
			}
			var want []string
			for _, s := range strings.Split(a.Str("sslProtocolsAndCiphers"), ",") {
				if s = strings.TrimSpace(s); s != "" && !inList(want, s) {
					want = append(want, s)
				}
			}
			slices.Sort(want)
			byName := map[string]classicPolicy{}
			for _, p := range pols {
				byName[p.PolicyName] = p
			}
			for _, l := range listeners {
				var ssl []classicPolicy
				for _, name := range l.PolicyNames {
					if p, ok := byName[name]; ok && len(sslPolicyAttributes(p)) > 0 {
						ssl = append(ssl, p)
					}
				}
				if len(ssl) == 0 {
					return NonCompliant, fmt.Sprintf("No SSL negotiation policy of the %s listener on port %d is recorded.", l.Protocol, l.Port), nil
				}
				for _, p := range ssl {
					if got := sslPolicyAttributes(p); !slices.Equal(got, want) {
						return NonCompliant, fmt.Sprintf("The policy %s of the listener on port %d enables %s, not sslProtocolsAndCiphers.",
							p.PolicyName, l.Port, strings.Join(got, ",")), nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
}
