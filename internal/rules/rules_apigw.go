package rules

import (
	"slices"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	apiStage   = "AWS::ApiGateway::Stage"
	apiV2Stage = "AWS::ApiGatewayV2::Stage"
)

// restStage is the part of a REST API stage CI the rules read (GetStage, camel-cased as
// AWS Config records it). methodSettings is keyed "resource-path/HTTP-method", "*/*"
// holding the stage's defaults and the other keys a method's overrides.
type restStage struct {
	CacheClusterEnabled bool `json:"cacheClusterEnabled"`
	MethodSettings      map[string]struct {
		LoggingLevel       string `json:"loggingLevel"`
		CachingEnabled     bool   `json:"cachingEnabled"`
		CacheDataEncrypted bool   `json:"cacheDataEncrypted"`
	} `json:"methodSettings"`
	TracingEnabled      bool   `json:"tracingEnabled"`
	WebACLArn           string `json:"webAclArn"`
	ClientCertificateID string `json:"clientCertificateId"`
}

// httpStage is the part of an HTTP or WebSocket API stage CI (AWS::ApiGatewayV2::Stage)
// the rules read: the default route settings and the per-route overrides.
type httpStage struct {
	DefaultRouteSettings struct {
		LoggingLevel string `json:"loggingLevel"`
	} `json:"defaultRouteSettings"`
	RouteSettings map[string]struct {
		LoggingLevel string `json:"loggingLevel"`
	} `json:"routeSettings"`
}

// allStages is the wildcard key of a stage's methodSettings: the defaults of every method.
const allStages = "*/*"

// overrides returns the keys of methodSettings other than */*, sorted, so annotations
// come out deterministically.
func overrides[V any](m map[string]V) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		if k != allStages {
			out = append(out, k)
		}
	}
	return out
}

// levelAllowed reports whether a logging level (OFF when empty) is one of loggingLevel's,
// compared without regard to case.
func levelAllowed(a Args, level string) bool {
	if level == "" {
		level = "OFF"
	}
	return slices.ContainsFunc(a.List("loggingLevel"), func(l string) bool { return strings.EqualFold(l, level) })
}

var apigwRules = []*Rule{
	{
		ID: "API_GW_EXECUTION_LOGGING_ENABLED",
		Description: "Every method of an API Gateway stage logs at one of loggingLevel's levels (default ERROR,INFO): for a REST API stage the " +
			"*/* method settings and each method's override, for an HTTP or WebSocket API stage the default route settings and each route's; " +
			"a level that is not set is OFF.",
		Scope:  []string{apiStage, apiV2Stage},
		Params: []Param{{Name: "loggingLevel", Type: CSV, Default: "ERROR,INFO"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var bad []string
			if it.ResourceType == apiV2Stage {
				s, err := cfg[httpStage](it)
				if err != nil {
					return "", "", err
				}
				if !levelAllowed(a, s.DefaultRouteSettings.LoggingLevel) {
					return NonCompliant, "The default route settings do not log at a level of loggingLevel.", nil
				}
				for _, k := range overrides(s.RouteSettings) {
					if l := s.RouteSettings[k].LoggingLevel; l != "" && !levelAllowed(a, l) {
						bad = append(bad, k)
					}
				}
			} else {
				s, err := cfg[restStage](it)
				if err != nil {
					return "", "", err
				}
				def, ok := s.MethodSettings[allStages]
				if !ok {
					return NonCompliant, "Logging is not configured for the stage's methods (no */* method settings).", nil
				}
				if !levelAllowed(a, def.LoggingLevel) {
					bad = append(bad, allStages)
				}
				for _, k := range overrides(s.MethodSettings) {
					if !levelAllowed(a, s.MethodSettings[k].LoggingLevel) {
						bad = append(bad, k)
					}
				}
			}
			return verdict(len(bad) == 0, "These methods do not log at a level of loggingLevel: "+strings.Join(bad, ", ")+".")
		},
	},
	{
		ID: "API_GW_CACHE_ENABLED_AND_ENCRYPTED",
		Description: "REST API stages have a cache cluster, and every method (the */* method settings and each override) caches " +
			"and encrypts its cache data.",
		Scope: []string{apiStage},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[restStage](it)
			if err != nil {
				return "", "", err
			}
			if !s.CacheClusterEnabled {
				return NonCompliant, "The stage has no cache cluster.", nil
			}
			if _, ok := s.MethodSettings[allStages]; !ok {
				return NonCompliant, "Caching is not configured for the stage's methods (no */* method settings).", nil
			}
			var bad []string
			for _, k := range append([]string{allStages}, overrides(s.MethodSettings)...) {
				if m := s.MethodSettings[k]; !m.CachingEnabled || !m.CacheDataEncrypted {
					bad = append(bad, k)
				}
			}
			return verdict(len(bad) == 0, "These methods do not cache, or do not encrypt the cache: "+strings.Join(bad, ", ")+".")
		},
	},
	{
		ID:          "API_GW_ASSOCIATED_WITH_WAF",
		Description: "REST API stages are protected by an AWS WAF web ACL (webAclArn), one of WebAclArns when given.",
		Scope:       []string{apiStage},
		Params:      []Param{{Name: "WebAclArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[restStage](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case s.WebACLArn == "":
				return NonCompliant, "The stage is not associated with a web ACL.", nil
			case a.Set("WebAclArns") && !inList(a.List("WebAclArns"), s.WebACLArn):
				return NonCompliant, "The stage's web ACL " + s.WebACLArn + " is not one of WebAclArns.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "API_GW_XRAY_ENABLED",
		Description: "REST API stages have AWS X-Ray tracing enabled (tracingEnabled).",
		Scope:       []string{apiStage},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[restStage](it)
			if err != nil {
				return "", "", err
			}
			return verdict(s.TracingEnabled, "X-Ray tracing is off.")
		},
	}, {
		ID:          "API_GW_SSL_ENABLED",
		Description: "REST API stages have a client certificate for calls to the backend (clientCertificateId), one of CertificateIDs when given.",
		Scope:       []string{apiStage},
		Params:      []Param{{Name: "CertificateIDs", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[restStage](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case s.ClientCertificateID == "":
				return NonCompliant, "The stage has no client certificate.", nil
			case a.Set("CertificateIDs") && !inList(a.List("CertificateIDs"), s.ClientCertificateID):
				return NonCompliant, "The stage's client certificate " + s.ClientCertificateID + " is not one of CertificateIDs.", nil
			}
			return Compliant, "", nil
		},
	},
}
