package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	classicLB     = "AWS::ElasticLoadBalancing::LoadBalancer"
	elbv2LB       = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	elbv2Listener = "AWS::ElasticLoadBalancingV2::Listener"
)

// classicBalancer is the part of a Classic Load Balancer CI the rules read
// (DescribeLoadBalancers, camel-cased as AWS Config records it). JSON member names
// match case-insensitively, so AWS Config's spellings (sslcertificateId) decode too.
type classicBalancer struct {
	ListenerDescriptions []struct {
		Listener struct {
			Protocol         string `json:"protocol"`
			LoadBalancerPort int    `json:"loadBalancerPort"`
			SSLCertificateID string `json:"sSLCertificateId"`
		} `json:"listener"`
	} `json:"listenerDescriptions"`
	AvailabilityZones []string `json:"availabilityZones"`
}

// classicAttributes is supplementaryConfiguration LoadBalancerAttributes of a Classic
// Load Balancer CI (DescribeLoadBalancerAttributes, camel-cased).
type classicAttributes struct {
	CrossZoneLoadBalancing struct {
		Enabled bool `json:"enabled"`
	} `json:"crossZoneLoadBalancing"`
	AccessLog struct {
		Enabled      bool   `json:"enabled"`
		S3BucketName string `json:"s3BucketName"`
	} `json:"accessLog"`
	AdditionalAttributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"additionalAttributes"`
}

// v2Balancer is the part of an Application, Network or Gateway Load Balancer CI the
// rules read (DescribeLoadBalancers of elbv2, camel-cased).
type v2Balancer struct {
	Type              string `json:"type"`
	AvailabilityZones []struct {
		ZoneName string `json:"zoneName"`
	} `json:"availabilityZones"`
}

// v2Attributes returns supplementaryConfiguration LoadBalancerAttributes of an elbv2 CI,
// a list of {key, value} as AWS Config records it, as a map; ok is false when the CI
// carries none.
func v2Attributes(it *ci.Item) (attrs map[string]string, ok bool, err error) {
	var list []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if ok, err = it.DecodeSupplementary("LoadBalancerAttributes", &list); err != nil || !ok {
		return nil, ok, err
	}
	attrs = make(map[string]string, len(list))
	for _, kv := range list {
		attrs[kv.Key] = kv.Value
	}
	return attrs, true, nil
}

// classicRule builds a rule on Classic Load Balancers; attrs is nil when the CI has no
// LoadBalancerAttributes.
func classicRule(id, desc string, params []Param, f func(a Args, lb *classicBalancer, attrs *classicAttributes) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{classicLB}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lb, err := cfg[classicBalancer](it)
			if err != nil {
				return "", "", err
			}
			var attrs classicAttributes
			ok, err := it.DecodeSupplementary("LoadBalancerAttributes", &attrs)
			if err != nil {
				return "", "", err
			}
			if !ok {
				return f(a, lb, nil)
			}
			return f(a, lb, &attrs)
		}}
}

// v2Rule builds a rule on elbv2 load balancers of the given types (application,
// network, gateway; all when none), the others being NOT_APPLICABLE. attrs is nil when
// the CI has no LoadBalancerAttributes. A rule for every type needs no configuration:
// it decides from the attributes alone.
func v2Rule(id, desc string, types []string, params []Param, f func(a Args, lb *v2Balancer, attrs map[string]string) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{elbv2LB}, Params: params, FromSupplementary: len(types) == 0,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lb, err := cfg[v2Balancer](it)
			if err != nil {
				return "", "", err
			}
			if len(types) > 0 && !inList(types, strings.ToLower(lb.Type)) {
				return na("The rule does not judge " + lb.Type + " load balancers.")
			}
			attrs, _, err := v2Attributes(it)
			if err != nil {
				return "", "", err
			}
			return f(a, lb, attrs)
		}}
}

// v2Listener is the part of a listener CI the rules read (DescribeListeners, with
// CloudFormation's member names as AWS Config records listeners; names match
// case-insensitively).
type v2Listener struct {
	ListenerArn     string `json:"ListenerArn"`
	LoadBalancerArn string `json:"LoadBalancerArn"`
	Port            int    `json:"Port"`
	Protocol        string `json:"Protocol"`
	Certificates    []struct {
		CertificateArn string `json:"CertificateArn"`
	} `json:"Certificates"`
	DefaultActions []struct {
		Type           string `json:"Type"`
		RedirectConfig *struct {
			Protocol string `json:"Protocol"`
		} `json:"RedirectConfig"`
	} `json:"DefaultActions"`
}

// listenerRule builds a rule on elbv2 load balancers of the given types that judges
// them by their listeners, the snapshot's AWS::ElasticLoadBalancingV2::Listener items
// whose LoadBalancerArn is the load balancer's ARN (docs/decisions/0170-related-items.md).
// Other types, and a lone load balancer CI (whose listeners the input does not hold),
// are NOT_APPLICABLE.
func listenerRule(id, desc string, types []string, params []Param, f func(a Args, lb *v2Balancer, ls []*v2Listener) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{elbv2LB}, Params: params, Related: []string{elbv2Listener},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lb, err := cfg[v2Balancer](it)
			if err != nil {
				return "", "", err
			}
			if !inList(types, strings.ToLower(lb.Type)) {
				return na("The rule does not judge " + lb.Type + " load balancers.")
			}
			if env.Related == nil {
				return na("The input does not hold the load balancer's listeners (" + elbv2Listener + " items of a snapshot).")
			}
			byLB, err := env.Related.GroupBy(elbv2Listener, "listeners by load balancer", func(l *ci.Item) (string, error) {
				c, err := cfg[v2Listener](l)
				if err != nil {
					return "", err
				}
				return c.LoadBalancerArn, nil
			})
			if err != nil {
				return "", "", err
			}
			arn := it.ARN
			if arn == "" {
				arn = it.ResourceID
			}
			var ls []*v2Listener
			for _, l := range byLB[arn] {
				c, err := cfg[v2Listener](l)
				if err != nil {
					return "", "", err
				}
				ls = append(ls, c)
			}
			return f(a, lb, ls)
		}}
}

// secureListener reports whether a Classic Load Balancer listener protocol encrypts.
func secureListener(protocol string) bool {
	return strings.EqualFold(protocol, "HTTPS") || strings.EqualFold(protocol, "SSL")
}

// desyncParam is the desyncMode parameter of the two desync rules: the modes allowed,
// compared without regard to case.
var desyncParam = []Param{{Name: "desyncMode", Type: CSV, Required: true}}

// desyncAllowed reports whether mode ("" meaning the default, defensive) is one of the
// rule's desyncMode values.
func desyncAllowed(a Args, mode string) bool {
	if mode == "" {
		mode = "defensive"
	}
	for _, m := range a.List("desyncMode") {
		if strings.EqualFold(m, mode) {
			return true
		}
	}
	return false
}

// minZones returns minAvailabilityZones, 2 when unset.
func minZones(a Args) int {
	if a.Set("minAvailabilityZones") {
		return a.Int("minAvailabilityZones")
	}
	return 2
}

var elbRules = []*Rule{
	{
		ID:          "ELB_LOGGING_ENABLED",
		Description: "Classic and Application Load Balancers deliver access logs, to a bucket in s3BucketNames when given; Network and Gateway Load Balancers are NOT_APPLICABLE.",
		Scope:       []string{classicLB, elbv2LB},
		Params:      []Param{{Name: "s3BucketNames", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var on bool
			var bucket string
			if it.ResourceType == classicLB {
				var attrs classicAttributes
				if _, err := it.DecodeSupplementary("LoadBalancerAttributes", &attrs); err != nil {
					return "", "", err
				}
				on, bucket = attrs.AccessLog.Enabled, attrs.AccessLog.S3BucketName
			} else {
				lb, err := cfg[v2Balancer](it)
				if err != nil {
					return "", "", err
				}
				if !strings.EqualFold(lb.Type, "application") {
					return na("The rule does not judge " + lb.Type + " load balancers.")
				}
				attrs, _, err := v2Attributes(it)
				if err != nil {
					return "", "", err
				}
				on, bucket = attrs["access_logs.s3.enabled"] == "true", attrs["access_logs.s3.bucket"]
			}
			switch {
			case !on:
				return NonCompliant, "Access logging is off.", nil
			case a.Set("s3BucketNames") && !inList(a.List("s3BucketNames"), bucket):
				return NonCompliant, "Access logs go to " + bucket + ", not a bucket in s3BucketNames.", nil
			}
			return Compliant, "", nil
		},
	},
	classicRule("ELB_TLS_HTTPS_LISTENERS_ONLY",
		"Classic Load Balancer listeners are all SSL or HTTPS; a load balancer without listeners is NOT_APPLICABLE.", nil,
		func(a Args, lb *classicBalancer, attrs *classicAttributes) (Compliance, string, error) {
			if len(lb.ListenerDescriptions) == 0 {
				return na("The load balancer has no listener.")
			}
			for _, l := range lb.ListenerDescriptions {
				if !secureListener(l.Listener.Protocol) {
					return NonCompliant, fmt.Sprintf("The listener on port %d uses %s.", l.Listener.LoadBalancerPort, l.Listener.Protocol), nil
				}
			}
			return Compliant, "", nil
		}),
	classicRule("ELB_ACM_CERTIFICATE_REQUIRED",
		"The SSL and HTTPS listeners of Classic Load Balancers use certificates from AWS Certificate Manager; a load balancer without such a listener is NOT_APPLICABLE.", nil,
		func(a Args, lb *classicBalancer, attrs *classicAttributes) (Compliance, string, error) {
			secure := 0
			for _, l := range lb.ListenerDescriptions {
				if !secureListener(l.Listener.Protocol) {
					continue
				}
				secure++
				if !strings.Contains(l.Listener.SSLCertificateID, ":acm:") {
					return NonCompliant, fmt.Sprintf("The listener on port %d does not use an ACM certificate.", l.Listener.LoadBalancerPort), nil
				}
			}
			if secure == 0 {
				return na("The load balancer has no SSL or HTTPS listener.")
			}
			return Compliant, "", nil
		}),
	classicRule("ELB_CROSS_ZONE_LOAD_BALANCING_ENABLED",
		"Classic Load Balancers balance across zones (supplementaryConfiguration LoadBalancerAttributes crossZoneLoadBalancing).", nil,
		func(a Args, lb *classicBalancer, attrs *classicAttributes) (Compliance, string, error) {
			return verdict(attrs != nil && attrs.CrossZoneLoadBalancing.Enabled, "Cross-zone load balancing is off.")
		}),
	classicRule("CLB_MULTIPLE_AZ",
		"Classic Load Balancers span at least minAvailabilityZones Availability Zones (default 2).",
		[]Param{{Name: "minAvailabilityZones", Type: Int}},
		func(a Args, lb *classicBalancer, attrs *classicAttributes) (Compliance, string, error) {
			n := len(lb.AvailabilityZones)
			return verdict(n >= minZones(a), fmt.Sprintf("The load balancer spans %d Availability Zones, fewer than %d.", n, minZones(a)))
		}),
	classicRule("CLB_DESYNC_MODE_CHECK",
		"Classic Load Balancers mitigate HTTP desync in one of the desyncMode modes (defensive, strictest, monitor; defensive when unset).",
		desyncParam,
		func(a Args, lb *classicBalancer, attrs *classicAttributes) (Compliance, string, error) {
			mode := ""
			if attrs != nil {
				for _, kv := range attrs.AdditionalAttributes {
					if kv.Key == "elb.http.desyncmitigationmode" {
						mode = kv.Value
					}
				}
			}
			return verdict(desyncAllowed(a, mode), "The desync mitigation mode is not one of desyncMode.")
		}),
	v2Rule("ELB_DELETION_PROTECTION_ENABLED",
		"Application, Network and Gateway Load Balancers have deletion protection (deletion_protection.enabled).", nil, nil,
		func(a Args, lb *v2Balancer, attrs map[string]string) (Compliance, string, error) {
			return verdict(attrs["deletion_protection.enabled"] == "true", "Deletion protection is off.")
		}),
	v2Rule("ALB_HTTP_DROP_INVALID_HEADER_ENABLED",
		"Application Load Balancers drop invalid HTTP headers (routing.http.drop_invalid_header_fields.enabled); other load balancers are NOT_APPLICABLE.",
		[]string{"application"}, nil,
		func(a Args, lb *v2Balancer, attrs map[string]string) (Compliance, string, error) {
			return verdict(attrs["routing.http.drop_invalid_header_fields.enabled"] == "true", "Invalid header fields are not dropped.")
		}),
	v2Rule("ALB_DESYNC_MODE_CHECK",
		"Application Load Balancers mitigate HTTP desync in one of the desyncMode modes (routing.http.desync_mitigation_mode, defensive when unset); other load balancers are NOT_APPLICABLE.",
		[]string{"application"}, desyncParam,
		func(a Args, lb *v2Balancer, attrs map[string]string) (Compliance, string, error) {
			return verdict(desyncAllowed(a, attrs["routing.http.desync_mitigation_mode"]), "The desync mitigation mode is not one of desyncMode.")
		}),
	v2Rule("ELBV2_MULTIPLE_AZ",
		"Application, Network and Gateway Load Balancers are mapped to at least minAvailabilityZones Availability Zones (default 2).", nil,
		[]Param{{Name: "minAvailabilityZones", Type: Int}},
		func(a Args, lb *v2Balancer, attrs map[string]string) (Compliance, string, error) {
			n := len(lb.AvailabilityZones)
			return verdict(n >= minZones(a), fmt.Sprintf("The load balancer is mapped to %d Availability Zones, fewer than %d.", n, minZones(a)))
		}),
	listenerRule("ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK",
		"Every HTTP listener of an Application Load Balancer redirects to HTTPS by its default action; other load balancers are NOT_APPLICABLE.",
		[]string{"application"}, nil,
		func(a Args, lb *v2Balancer, ls []*v2Listener) (Compliance, string, error) {
			for _, l := range ls {
				if !strings.EqualFold(l.Protocol, "HTTP") {
					continue
				}
				redirects := false
				for _, act := range l.DefaultActions {
					if strings.EqualFold(act.Type, "redirect") && act.RedirectConfig != nil && strings.EqualFold(act.RedirectConfig.Protocol, "HTTPS") {
						redirects = true
					}
				}
				if !redirects {
					return NonCompliant, fmt.Sprintf("The HTTP listener on port %d does not redirect to HTTPS.", l.Port), nil
				}
			}
			return Compliant, "", nil
		}),
	listenerRule("ELBV2_ACM_CERTIFICATE_REQUIRED",
		"The HTTPS and TLS listeners of Application and Network Load Balancers use certificates from AWS Certificate Manager, "+
			"each one of AcmCertificatesAllowed when given; a load balancer without such a listener is NOT_APPLICABLE.",
		[]string{"application", "network"}, []Param{{Name: "AcmCertificatesAllowed", Type: CSV}},
		func(a Args, lb *v2Balancer, ls []*v2Listener) (Compliance, string, error) {
			secure := 0
			for _, l := range ls {
				if !strings.EqualFold(l.Protocol, "HTTPS") && !strings.EqualFold(l.Protocol, "TLS") {
					continue
				}
				secure++
				if len(l.Certificates) == 0 {
					return NonCompliant, fmt.Sprintf("The %s listener on port %d has no certificate.", l.Protocol, l.Port), nil
				}
				for _, c := range l.Certificates {
					switch {
					case !strings.Contains(c.CertificateArn, ":acm:"):
						return NonCompliant, fmt.Sprintf("The %s listener on port %d uses a certificate not from ACM.", l.Protocol, l.Port), nil
					case a.Set("AcmCertificatesAllowed") && !inList(a.List("AcmCertificatesAllowed"), c.CertificateArn):
						return NonCompliant, fmt.Sprintf("The %s listener on port %d uses %s, not one of AcmCertificatesAllowed.", l.Protocol, l.Port, c.CertificateArn), nil
					}
				}
			}
			if secure == 0 {
				return na("The load balancer has no HTTPS or TLS listener.")
			}
			return Compliant, "", nil
		}),
}
