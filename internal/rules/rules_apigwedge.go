package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const restAPI = "AWS::ApiGateway::RestApi"

var apiGwEdgeRules = []*Rule{
	{
		ID:          "API_GWV2_ACCESS_LOGS_ENABLED",
		Description: "HTTP and WebSocket API stages (API Gateway v2) have access logging (accessLogSettings with a destination).",
		Scope:       []string{apiV2Stage},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			st, err := cfg[struct {
				AccessLogSettings *struct {
					DestinationArn string `json:"destinationArn"`
				} `json:"accessLogSettings"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(st.AccessLogSettings != nil && st.AccessLogSettings.DestinationArn != "", "The stage has no access logging.")
		},
	},
	{
		ID: "API_GW_ENDPOINT_TYPE_CHECK",
		Description: "REST APIs have only endpoint types (endpointConfiguration types: REGIONAL, PRIVATE, EDGE; EDGE when unset, as API Gateway defaults) " +
			"in endpointConfigurationTypes, compared without regard to case.",
		Scope:  []string{restAPI},
		Params: []Param{{Name: "endpointConfigurationTypes", Type: CSV, Required: true}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			api, err := cfg[struct {
				EndpointConfiguration struct {
					Types []string `json:"types"`
				} `json:"endpointConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			types := api.EndpointConfiguration.Types
			if len(types) == 0 {
				types = []string{"EDGE"}
			}
			for _, t := range types {
				ok := false
				for _, want := range a.List("endpointConfigurationTypes") {
					ok = ok || strings.EqualFold(t, want)
				}
				if !ok {
					return NonCompliant, "The API's endpoint type " + t + " is not in endpointConfigurationTypes.", nil
				}
			}
			return Compliant, "", nil
		},
	},
}
