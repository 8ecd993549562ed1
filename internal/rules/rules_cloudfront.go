package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const cloudFrontDistribution = "AWS::CloudFront::Distribution"

// cfBehavior is one cache behavior of a distribution (the default one or a path's).
type cfBehavior struct {
	PathPattern          string `json:"pathPattern"`
	TargetOriginID       string `json:"targetOriginId"`
	ViewerProtocolPolicy string `json:"viewerProtocolPolicy"`
}

// cfOrigin is one origin of a distribution. An S3 origin has s3OriginConfig; a custom
// origin (a load balancer, a web server, an S3 website endpoint) has customOriginConfig.
type cfOrigin struct {
	ID             string `json:"id"`
	DomainName     string `json:"domainName"`
	S3OriginConfig *struct {
		OriginAccessIdentity string `json:"originAccessIdentity"`
	} `json:"s3OriginConfig"`
	CustomOriginConfig *struct {
		OriginProtocolPolicy string `json:"originProtocolPolicy"`
		OriginSslProtocols   struct {
			Items []string `json:"items"`
		} `json:"originSslProtocols"`
	} `json:"customOriginConfig"`
	OriginAccessControlID string `json:"originAccessControlId"`
}

// distribution is the part of an AWS::CloudFront::Distribution CI the rules read
// (GetDistribution's Distribution, camel-cased as AWS Config records it; member names
// match case-insensitively, so acmcertificateArn and sslsupportMethod decode too).
type distribution struct {
	DistributionConfig struct {
		ViewerCertificate struct {
			CloudFrontDefaultCertificate bool   `json:"cloudFrontDefaultCertificate"`
			ACMCertificateArn            string `json:"acmCertificateArn"`
			IAMCertificateID             string `json:"iamCertificateId"`
			Certificate                  string `json:"certificate"`
			CertificateSource            string `json:"certificateSource"`
			SSLSupportMethod             string `json:"sslSupportMethod"`
			MinimumProtocolVersion       string `json:"minimumProtocolVersion"`
		} `json:"viewerCertificate"`
		Logging struct {
			Enabled bool   `json:"enabled"`
			Bucket  string `json:"bucket"`
		} `json:"logging"`
		WebACLID             string     `json:"webACLId"`
		DefaultCacheBehavior cfBehavior `json:"defaultCacheBehavior"`
		CacheBehaviors       struct {
			Items []cfBehavior `json:"items"`
		} `json:"cacheBehaviors"`
		Origins struct {
			Items []cfOrigin `json:"items"`
		} `json:"origins"`
		OriginGroups struct {
			Items []struct {
				ID      string `json:"id"`
				Members struct {
					Items []struct {
						OriginID string `json:"originId"`
					} `json:"items"`
				} `json:"members"`
			} `json:"items"`
		} `json:"originGroups"`
	} `json:"distributionConfig"`
}

// behaviors returns the default cache behavior and then the path behaviors.
func (d *distribution) behaviors() []cfBehavior {
	return append([]cfBehavior{d.DistributionConfig.DefaultCacheBehavior}, d.DistributionConfig.CacheBehaviors.Items...)
}

// customCert reports whether the distribution serves viewers a certificate of its own
// (from ACM or IAM) rather than CloudFront's default *.cloudfront.net one.
func (d *distribution) customCert() bool {
	vc := &d.DistributionConfig.ViewerCertificate
	if vc.CloudFrontDefaultCertificate || strings.EqualFold(vc.CertificateSource, "cloudfront") {
		return false
	}
	return vc.ACMCertificateArn != "" || vc.IAMCertificateID != "" || vc.Certificate != "" ||
		strings.EqualFold(vc.CertificateSource, "acm") || strings.EqualFold(vc.CertificateSource, "iam")
}

// isS3 reports whether an origin is an S3 bucket origin: it has s3OriginConfig, or no
// custom origin configuration and an S3 REST endpoint (not a website endpoint) as domain.
func (o *cfOrigin) isS3() bool {
	if o.S3OriginConfig != nil {
		return true
	}
	d := strings.ToLower(o.DomainName)
	return o.CustomOriginConfig == nil && strings.Contains(d, ".s3") && !strings.Contains(d, "s3-website") &&
		(strings.HasSuffix(d, ".amazonaws.com") || strings.HasSuffix(d, ".amazonaws.com.cn"))
}

// s3Origins returns the distribution's S3 bucket origins (isS3), in order.
func (d *distribution) s3Origins() []cfOrigin {
	var os []cfOrigin
	for _, o := range d.DistributionConfig.Origins.Items {
		if o.isS3() {
			os = append(os, o)
		}
	}
	return os
}

// viewerPolicies returns, per origin id, the viewer protocol policies of the cache
// behaviors that route to it, directly or through an origin group.
func (d *distribution) viewerPolicies() map[string][]string {
	groups := map[string][]string{}
	for _, g := range d.DistributionConfig.OriginGroups.Items {
		for _, m := range g.Members.Items {
			groups[g.ID] = append(groups[g.ID], m.OriginID)
		}
	}
	out := map[string][]string{}
	for _, b := range d.behaviors() {
		targets := []string{b.TargetOriginID}
		if ms, ok := groups[b.TargetOriginID]; ok {
			targets = ms
		}
		for _, t := range targets {
			out[t] = append(out[t], b.ViewerProtocolPolicy)
		}
	}
	return out
}

// cloudFrontRule builds a rule on CloudFront distributions.
func cloudFrontRule(id, desc string, params []Param, f func(a Args, d *distribution) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{cloudFrontDistribution}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			d, err := cfg[distribution](it)
			if err != nil {
				return "", "", err
			}
			return f(a, d)
		}}
}

// tlsPolicyAtLeast reports whether a CloudFront security policy name (TLSv1.2_2018,
// TLSv1.2_2021, TLSv1.3_2025...) is TLS major.minor with year at least the given ones.
// Policies of other shapes (SSLv3, TLSv1, TLSv1_2016) are below any TLSv1.x_YYYY floor
// from 1.1 up.
func tlsPolicyAtLeast(policy string, minor, year int) bool {
	v, ok := strings.CutPrefix(policy, "TLSv1.")
	if !ok {
		return false
	}
	m, y, _ := strings.Cut(v, "_")
	mn, err1 := strconv.Atoi(m)
	yr, err2 := strconv.Atoi(y)
	if err1 != nil || err2 != nil {
		return false
	}
	return mn > minor || mn == minor && yr >= year
}

// s3BucketOfLogging returns the bucket name of a distribution's logging bucket, which
// CloudFront records as a domain (BUCKET.s3.amazonaws.com).
func s3BucketOfLogging(bucket string) string {
	if i := strings.Index(bucket, ".s3."); i >= 0 {
		return bucket[:i]
	}
	if i := strings.Index(bucket, ".s3-"); i >= 0 {
		return bucket[:i]
	}
	return bucket
}

var cloudFrontRules = []*Rule{
	cloudFrontRule("CLOUDFRONT_ACCESSLOGS_ENABLED",
		"CloudFront distributions deliver standard (legacy) access logs to an S3 bucket, the bucket S3BucketName when given.",
		[]Param{{Name: "S3BucketName", Type: String}},
		func(a Args, d *distribution) (Compliance, string, error) {
			l := d.DistributionConfig.Logging
			switch {
			case !l.Enabled || l.Bucket == "":
				return NonCompliant, "Access logging is off.", nil
			case a.Set("S3BucketName") && s3BucketOfLogging(l.Bucket) != a.Str("S3BucketName"):
				return NonCompliant, "Access logs go to " + s3BucketOfLogging(l.Bucket) + ", not to S3BucketName.", nil
			}
			return Compliant, "", nil
		}),
	cloudFrontRule("CLOUDFRONT_ASSOCIATED_WITH_WAF",
		"CloudFront distributions are associated with a WAF Classic web ACL (by id) or a WAFv2 web ACL (by ARN), one of wafWebAclIds when given.",
		[]Param{{Name: "wafWebAclIds", Type: CSV}},
		func(a Args, d *distribution) (Compliance, string, error) {
			acl := d.DistributionConfig.WebACLID
			switch {
			case acl == "":
				return NonCompliant, "No web ACL is associated with the distribution.", nil
			case a.Set("wafWebAclIds") && !inList(a.List("wafWebAclIds"), acl):
				return NonCompliant, "The distribution's web ACL " + acl + " is not in wafWebAclIds.", nil
			}
			return Compliant, "", nil
		}),
	cloudFrontRule("CLOUDFRONT_CUSTOM_SSL_CERTIFICATE",
		"CloudFront distributions serve viewers a certificate of their own (ACM or IAM), not CloudFront's default certificate.", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			return verdict(d.customCert(), "The distribution uses CloudFront's default certificate.")
		}),
	cloudFrontRule("CLOUDFRONT_NO_DEPRECATED_SSL_PROTOCOLS",
		"No custom origin of a CloudFront distribution allows SSLv3 between edge locations and the origin (originSslProtocols); a distribution without custom origins is COMPLIANT.", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			for _, o := range d.DistributionConfig.Origins.Items {
				if o.CustomOriginConfig == nil {
					continue
				}
				for _, p := range o.CustomOriginConfig.OriginSslProtocols.Items {
					if strings.EqualFold(p, "SSLv3") {
						return NonCompliant, "The origin " + o.ID + " allows SSLv3.", nil
					}
				}
			}
			return Compliant, "", nil
		}),
	cloudFrontRule("CLOUDFRONT_ORIGIN_ACCESS_IDENTITY_ENABLED",
		"Every S3 origin of a CloudFront distribution has an origin access identity; as AWS documents, a distribution without an S3 origin is NON_COMPLIANT, not NOT_APPLICABLE.", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			origins := d.s3Origins()
			if len(origins) == 0 {
				return NonCompliant, "The distribution has no S3 origin.", nil
			}
			for _, o := range origins {
				if o.S3OriginConfig == nil || o.S3OriginConfig.OriginAccessIdentity == "" {
					return NonCompliant, "The S3 origin " + o.ID + " has no origin access identity.", nil
				}
			}
			return Compliant, "", nil
		}),
	cloudFrontRule("CLOUDFRONT_S3_ORIGIN_ACCESS_CONTROL_ENABLED",
		"Every S3 origin of a CloudFront distribution has an origin access control (originAccessControlId); a distribution without an S3 origin is NOT_APPLICABLE.", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			origins := d.s3Origins()
			if len(origins) == 0 {
				return na("The distribution has no S3 origin.")
			}
			for _, o := range origins {
				if o.OriginAccessControlID == "" {
					return NonCompliant, "The S3 origin " + o.ID + " has no origin access control.", nil
				}
			}
			return Compliant, "", nil
		}),
	cloudFrontRule("CLOUDFRONT_SECURITY_POLICY_CHECK",
		"CloudFront distributions with a certificate of their own require TLSv1.2_2018 or a later security policy of viewers (minimumProtocolVersion); "+
			"a distribution on CloudFront's default certificate, whose policy CloudFront fixes at TLSv1, is NOT_APPLICABLE.", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			if !d.customCert() {
				return na("The distribution uses CloudFront's default certificate, whose security policy cannot be chosen.")
			}
			p := d.DistributionConfig.ViewerCertificate.MinimumProtocolVersion
			return verdict(tlsPolicyAtLeast(p, 2, 2018), fmt.Sprintf("The security policy %q is below TLSv1.2_2018.", p))
		}),
	cloudFrontRule("CLOUDFRONT_SNI_ENABLED",
		"CloudFront distributions with a certificate of their own serve HTTPS with SNI (sslSupportMethod sni-only), not a dedicated IP address; "+
			"a distribution on CloudFront's default certificate is NOT_APPLICABLE.", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			if !d.customCert() {
				return na("The distribution uses CloudFront's default certificate.")
			}
			m := d.DistributionConfig.ViewerCertificate.SSLSupportMethod
			return verdict(strings.EqualFold(m, "sni-only"), "The distribution serves HTTPS from dedicated IP addresses ("+m+"), not with SNI.")
		}),
	cloudFrontRule("CLOUDFRONT_TRAFFIC_TO_ORIGIN_ENCRYPTED",
		"CloudFront distributions encrypt traffic to custom origins: no custom origin's originProtocolPolicy is http-only, nor match-viewer "+
			"while a cache behavior routing to it (directly or through an origin group) allows viewers plain HTTP (allow-all).", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			policies := d.viewerPolicies()
			for _, o := range d.DistributionConfig.Origins.Items {
				if o.CustomOriginConfig == nil {
					continue
				}
				switch p := o.CustomOriginConfig.OriginProtocolPolicy; {
				case strings.EqualFold(p, "http-only"):
					return NonCompliant, "The origin " + o.ID + " is reached over HTTP only.", nil
				case strings.EqualFold(p, "match-viewer"):
					for _, v := range policies[o.ID] {
						if strings.EqualFold(v, "allow-all") {
							return NonCompliant, "The origin " + o.ID + " matches the viewer's protocol, and viewers may use HTTP.", nil
						}
					}
				}
			}
			return Compliant, "", nil
		}),
	cloudFrontRule("CLOUDFRONT_VIEWER_POLICY_HTTPS",
		"No cache behavior of a CloudFront distribution (the default one or a path's) lets viewers use plain HTTP (viewerProtocolPolicy allow-all).", nil,
		func(a Args, d *distribution) (Compliance, string, error) {
			if strings.EqualFold(d.DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy, "allow-all") {
				return NonCompliant, "The default cache behavior allows HTTP (allow-all).", nil
			}
			for _, b := range d.DistributionConfig.CacheBehaviors.Items {
				if strings.EqualFold(b.ViewerProtocolPolicy, "allow-all") {
					return NonCompliant, fmt.Sprintf("The cache behavior for %q allows HTTP (allow-all).", b.PathPattern), nil
				}
			}
			return Compliant, "", nil
		}),
}
