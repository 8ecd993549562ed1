package inventory_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestClientVpnEndpoints collects Client VPN endpoints from recorded responses: moto
// lacks DescribeClientVpnEndpoints and DescribeClientVpnAuthorizationRules, so an
// httptest server answers them with EC2's documented XML (the endpoints in two pages, a
// deleted one among them; one endpoint's rules in two pages) and forwards every other
// request to moto. It checks the CIs, with the authorization rules in
// supplementaryConfiguration, and EC2_CLIENT_VPN_NOT_AUTHORIZE_ALL on them.
func TestClientVpnEndpoints(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	const ns = `xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"`
	endpoint := func(id, status string) string {
		return `<item><clientVpnEndpointId>` + id + `</clientVpnEndpointId><description>` + id + `</description><status><code>` + status +
			`</code></status><clientCidrBlock>10.8.0.0/22</clientCidrBlock><tagSet><item><key>team</key><value>` + id + `</value></item></tagSet></item>`
	}
	rule := func(id, cidr, group string, all bool) string {
		g := ""
		if group != "" {
			g = `<groupId>` + group + `</groupId>`
		}
		a := "false"
		if all {
			a = "true"
		}
		return `<item><clientVpnEndpointId>` + id + `</clientVpnEndpointId>` + g + `<accessAll>` + a + `</accessAll><destinationCidr>` + cidr +
			`</destinationCidr><status><code>active</code></status></item>`
	}
	answers := map[string]func(v url.Values) string{
		"DescribeClientVpnEndpoints": func(v url.Values) string {
			if v.Get("NextToken") == "" {
				return `<DescribeClientVpnEndpointsResponse ` + ns + `><requestId>r1</requestId><clientVpnEndpoint>` + endpoint("cvpn-endpoint-groups", "available") +
					endpoint("cvpn-endpoint-gone", "deleted") + `</clientVpnEndpoint><nextToken>2</nextToken></DescribeClientVpnEndpointsResponse>`
			}
			return `<DescribeClientVpnEndpointsResponse ` + ns + `><requestId>r2</requestId><clientVpnEndpoint>` + endpoint("cvpn-endpoint-all", "available") +
				endpoint("cvpn-endpoint-none", "pending-associate") + `</clientVpnEndpoint></DescribeClientVpnEndpointsResponse>`
		},
		"DescribeClientVpnAuthorizationRules": func(v url.Values) string {
			id := v.Get("ClientVpnEndpointId")
			var rules, next string
			switch {
			case id == "cvpn-endpoint-groups":
				rules = rule(id, "10.0.0.0/16", "admins", false) + rule(id, "10.1.0.0/16", "devs", false)
			case id == "cvpn-endpoint-all" && v.Get("NextToken") == "":
				rules, next = rule(id, "10.0.0.0/16", "admins", false), `<nextToken>2</nextToken>`
			case id == "cvpn-endpoint-all":
				rules = rule(id, "0.0.0.0/0", "", true)
			}
			return `<DescribeClientVpnAuthorizationRulesResponse ` + ns + `><requestId>r3</requestId><authorizationRule>` + rules +
				`</authorizationRule>` + next + `</DescribeClientVpnAuthorizationRulesResponse>`
		},
	}
	cfg := recorded(t, m, recordedQuery(answers), "DescribeClientVpnEndpoints", "DescribeClientVpnAuthorizationRules")
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()

	type view struct {
		ARN, Team string
		Conf      map[string]any
		Rules     string
	}
	got := map[string]view{}
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		if it.ResourceType == "AWS::EC2::ClientVpnEndpoint" {
			got[it.ResourceID] = view{it.ARN, it.Tags["team"], pick(t, it.Configuration, "clientVpnEndpointId", "clientCidrBlock", "status.code"),
				string(it.Supplementary["AuthorizationRules"])}
		}
	}
	ep := func(id, status string, rules ...map[string]any) view {
		if rules == nil {
			rules = []map[string]any{}
		}
		return view{"arn:aws:ec2:" + region + ":" + account + ":client-vpn-endpoint/" + id, id,
			map[string]any{"clientVpnEndpointId": id, "clientCidrBlock": "10.8.0.0/22", "status.code": status}, mustString(t, rules)}
	}
	r := func(id, cidr, group string, all bool) map[string]any {
		// Members the response leaves out are null, as in the endpoint's configuration.
		m := map[string]any{"clientVpnEndpointId": id, "accessAll": all, "destinationCidr": cidr, "status": map[string]any{"code": "active", "message": nil},
			"description": nil, "groupId": nil}
		if group != "" {
			m["groupId"] = group
		}
		return m
	}
	want := map[string]view{
		"cvpn-endpoint-groups": ep("cvpn-endpoint-groups", "available", r("cvpn-endpoint-groups", "10.0.0.0/16", "admins", false), r("cvpn-endpoint-groups", "10.1.0.0/16", "devs", false)),
		"cvpn-endpoint-all":    ep("cvpn-endpoint-all", "available", r("cvpn-endpoint-all", "10.0.0.0/16", "admins", false), r("cvpn-endpoint-all", "0.0.0.0/0", "", true)),
		"cvpn-endpoint-none":   ep("cvpn-endpoint-none", "pending-associate"),
	}
	normalize := cmp.Transformer("json", func(v view) view {
		v.Rules = mustString(t, mustValue(t, v.Rules))
		return v
	})
	if d := cmp.Diff(want, got, normalize); d != "" {
		t.Errorf("Client VPN endpoints (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"cvpn-endpoint-groups": "COMPLIANT", "cvpn-endpoint-all": "NON_COMPLIANT", "cvpn-endpoint-none": "COMPLIANT"},
		ruleResults(t, raw, "EC2_CLIENT_VPN_NOT_AUTHORIZE_ALL", nil)); d != "" {
		t.Errorf("EC2_CLIENT_VPN_NOT_AUTHORIZE_ALL (-want +got):\n%s", d)
	}
}
