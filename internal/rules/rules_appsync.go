package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const appSyncAPI = "AWS::AppSync::GraphQLApi"

// graphQLAPI is the part of an AWS::AppSync::GraphQLApi CI the rules read (GetGraphqlApi's
// graphqlApi; member names match case-insensitively).
type graphQLAPI struct {
	LogConfig *struct {
		FieldLogLevel string `json:"fieldLogLevel"`
	} `json:"logConfig"`
	WafWebACLArn string `json:"wafWebAclArn"`
}

// appSyncRule builds a rule on AppSync GraphQL APIs.
func appSyncRule(id, desc string, params []Param, f func(a Args, api *graphQLAPI) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{appSyncAPI}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			api, err := cfg[graphQLAPI](it)
			if err != nil {
				return "", "", err
			}
			return f(a, api)
		}}
}

var appSyncRules = []*Rule{
	appSyncRule("APPSYNC_ASSOCIATED_WITH_WAF",
		"AppSync GraphQL APIs are associated with a WAFv2 web ACL (wafWebAclArn), one of wafWebAclARNs when given.",
		[]Param{{Name: "wafWebAclARNs", Type: CSV}},
		func(a Args, api *graphQLAPI) (Compliance, string, error) {
			switch {
			case api.WafWebACLArn == "":
				return NonCompliant, "No web ACL is associated with the API.", nil
			case a.Set("wafWebAclARNs") && !inList(a.List("wafWebAclARNs"), api.WafWebACLArn):
				return NonCompliant, "The API's web ACL " + api.WafWebACLArn + " is not in wafWebAclARNs.", nil
			}
			return Compliant, "", nil
		}),
	appSyncRule("APPSYNC_LOGGING_ENABLED",
		"AppSync GraphQL APIs log fields (logConfig fieldLogLevel) at a level in fieldLoggingLevel (default ERROR, ALL), compared without regard to case.",
		[]Param{{Name: "fieldLoggingLevel", Type: CSV, Default: "ERROR,ALL"}},
		func(a Args, api *graphQLAPI) (Compliance, string, error) {
			if api.LogConfig == nil || api.LogConfig.FieldLogLevel == "" || strings.EqualFold(api.LogConfig.FieldLogLevel, "NONE") {
				return NonCompliant, "The API does not log.", nil
			}
			for _, l := range a.List("fieldLoggingLevel") {
				if strings.EqualFold(l, api.LogConfig.FieldLogLevel) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "The API logs at " + api.LogConfig.FieldLogLevel + ", not a level in fieldLoggingLevel.", nil
		}),
}
