package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

// AWS App Mesh's resource types. AWS Config records virtual nodes and gateways with
// CloudFormation's member names (Spec.BackendDefaults.ClientPolicy.TLS.Enforce), read
// case-insensitively, so DescribeVirtualNode's camel case decodes too.
const (
	appMeshVirtualNode    = "AWS::AppMesh::VirtualNode"
	appMeshVirtualGateway = "AWS::AppMesh::VirtualGateway"
)

// backendDefaultsTLS judges a virtual node or gateway: its backend defaults enforce TLS
// (ClientPolicy.TLS.Enforce true). Backend defaults without a TLS client policy do not.
func backendDefaultsTLS(what string) func(Args, *ci.Item, Env) (Compliance, string, error) {
	return func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
		c, err := cfg[struct {
			Spec struct {
				BackendDefaults struct {
					ClientPolicy struct {
						TLS *struct {
							Enforce *bool `json:"enforce"`
						} `json:"tls"`
					} `json:"clientPolicy"`
				} `json:"backendDefaults"`
			} `json:"spec"`
		}](it)
		if err != nil {
			return "", "", err
		}
		tls := c.Spec.BackendDefaults.ClientPolicy.TLS
		// App Mesh enforces a TLS client policy whose Enforce is not given (its default is true).
		on := tls != nil && (tls.Enforce == nil || *tls.Enforce)
		return verdict(on, "The "+what+"'s backend defaults do not enforce TLS.")
	}
}

var appMeshRules = []*Rule{
	{
		ID:          "APPMESH_VIRTUAL_GATEWAY_BACKEND_DEFAULTS_TLS",
		Description: "App Mesh virtual gateways' backend defaults require TLS on all ports (Spec.BackendDefaults.ClientPolicy.TLS.Enforce true).",
		Scope:       []string{appMeshVirtualGateway},
		Item:        backendDefaultsTLS("virtual gateway"),
	},
	{
		ID:          "APPMESH_VIRTUAL_NODE_BACKEND_DEFAULTS_TLS_ON",
		Description: "App Mesh virtual nodes' backend defaults require TLS on all ports (Spec.BackendDefaults.ClientPolicy.TLS.Enforce true).",
		Scope:       []string{appMeshVirtualNode},
		Item:        backendDefaultsTLS("virtual node"),
	},
}
