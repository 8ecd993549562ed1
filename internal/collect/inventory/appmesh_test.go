package inventory_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// recordedMeshResource is DescribeVirtualNode's or DescribeVirtualGateway's documented
// response body (kind virtualNode or virtualGateway: the output's payload, the
// resource's data unwrapped) for a resource of the mesh "m" whose backend defaults
// enforce TLS or not.
func recordedMeshResource(kind, name string, enforce bool) string {
	return `{"meshName":"m","` + kind + `Name":"` + name + `",` +
		`"metadata":{"arn":"arn:aws:appmesh:us-east-1:123456789012:mesh/m/` + kind + `/` + name + `","createdAt":1.7e9,"lastUpdatedAt":1.7e9,` +
		`"meshOwner":"123456789012","resourceOwner":"123456789012","uid":"u-` + name + `","version":1},` +
		`"spec":{"backendDefaults":{"clientPolicy":{"tls":{"enforce":` + map[bool]string{true: "true", false: "false"}[enforce] + `,` +
		`"validation":{"trust":{"file":{"certificateChain":"/certs/ca.pem"}}}}}},"listeners":[{"portMapping":{"port":8080,"protocol":"http"}}]},` +
		`"status":{"status":"ACTIVE"}}`
}

// recordedMeshList is ListVirtualNodes' or ListVirtualGateways' documented response
// (kind virtualNode or virtualGateway) naming resources of the mesh "m".
func recordedMeshList(kind string, names ...string) string {
	var refs []string
	for _, name := range names {
		refs = append(refs, `{"arn":"arn:aws:appmesh:us-east-1:123456789012:mesh/m/`+kind+`/`+name+`","meshName":"m",`+
			`"meshOwner":"123456789012","resourceOwner":"123456789012","`+kind+`Name":"`+name+`","version":1,"createdAt":1.7e9,"lastUpdatedAt":1.7e9}`)
	}
	return `{"` + kind + `s":[` + strings.Join(refs, ",") + `]}`
}

// TestAppMesh collects a mesh with a virtual node and a virtual gateway whose backend
// defaults enforce TLS and one of each whose do not. Moto lacks the virtual gateway
// calls and writes App Mesh timestamps as strings, which the SDK cannot read, so every
// App Mesh call is answered with recorded responses (AWS's documented JSON) behind an
// httptest server that passes the other requests to moto. It checks the CIs (ARN as resource id, name, the spec's
// TLS enforcement) and the two App Mesh rules on them.
func TestAppMesh(t *testing.T) {
	m := mototest.Shared(t)
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		const mesh = "/v20190125/meshes"
		path := strings.TrimPrefix(c.R.URL.Path, mesh)
		switch {
		case path == "" && c.R.URL.Path == mesh:
			return http.StatusOK, `{"meshes":[{"arn":"arn:aws:appmesh:us-east-1:123456789012:mesh/m","meshName":"m","meshOwner":"123456789012",` +
				`"resourceOwner":"123456789012","version":1,"createdAt":1.7e9,"lastUpdatedAt":1.7e9}]}`, true
		case path == "/m/virtualNodes":
			return http.StatusOK, recordedMeshList("virtualNode", "node-tls", "node-plain"), true
		case path == "/m/virtualGateways":
			return http.StatusOK, recordedMeshList("virtualGateway", "gw-tls", "gw-plain"), true
		case strings.HasPrefix(path, "/m/virtualNodes/"):
			name := strings.TrimPrefix(path, "/m/virtualNodes/")
			return http.StatusOK, recordedMeshResource("virtualNode", name, name == "node-tls"), true
		case strings.HasPrefix(path, "/m/virtualGateways/"):
			name := strings.TrimPrefix(path, "/m/virtualGateways/")
			return http.StatusOK, recordedMeshResource("virtualGateway", name, name == "gw-tls"), true
		}
		return 0, "", false
	})
	_, items, raw := collectTypesWith(t, cfg, "123456789012", "AWS::AppMesh::VirtualNode", "AWS::AppMesh::VirtualGateway")

	type res struct{ Type, Name, Mesh, Enforce string }
	got := map[string]res{}
	for id, it := range items {
		var conf struct {
			MeshName string
			Spec     struct {
				BackendDefaults struct {
					ClientPolicy struct {
						Tls struct{ Enforce *bool }
					}
				}
			}
		}
		must(t, json.Unmarshal(it.Configuration, &conf))
		e := "unset"
		if p := conf.Spec.BackendDefaults.ClientPolicy.Tls.Enforce; p != nil {
			e = map[bool]string{true: "true", false: "false"}[*p]
		}
		got[id] = res{it.ResourceType, it.ResourceName, conf.MeshName, e}
	}
	arn := "arn:aws:appmesh:us-east-1:123456789012:mesh/m/"
	want := map[string]res{
		arn + "virtualNode/node-tls":    {"AWS::AppMesh::VirtualNode", "node-tls", "m", "true"},
		arn + "virtualNode/node-plain":  {"AWS::AppMesh::VirtualNode", "node-plain", "m", "false"},
		arn + "virtualGateway/gw-tls":   {"AWS::AppMesh::VirtualGateway", "gw-tls", "m", "true"},
		arn + "virtualGateway/gw-plain": {"AWS::AppMesh::VirtualGateway", "gw-plain", "m", "false"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("App Mesh CIs (-want +got):\n%s", d)
	}
	for rule, want := range map[string]map[string]string{
		"APPMESH_VIRTUAL_NODE_BACKEND_DEFAULTS_TLS_ON": {arn + "virtualNode/node-tls": "COMPLIANT", arn + "virtualNode/node-plain": "NON_COMPLIANT"},
		"APPMESH_VIRTUAL_GATEWAY_BACKEND_DEFAULTS_TLS": {arn + "virtualGateway/gw-tls": "COMPLIANT", arn + "virtualGateway/gw-plain": "NON_COMPLIANT"},
	} {
		if d := cmp.Diff(want, evaluateRule(t, raw, rule, nil)); d != "" {
			t.Errorf("%s (-want +got):\n%s", rule, d)
		}
	}
}
