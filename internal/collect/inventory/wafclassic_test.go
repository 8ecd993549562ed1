package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// The JSON protocols' target prefixes of WAF Classic (global and regional) and Shield.
const (
	wafGlobalTarget   = "AWSWAF_20150824."
	wafRegionalTarget = "AWSWAF_Regional_20161128."
	shieldTarget      = "AWSShield_20160616."
)

// recordedAPI is a recorded service: it answers an operation (the X-Amz-Target's
// prefix and name) with an HTTP status and a body, ok false for an operation it does
// not record.
type recordedAPI func(prefix, op string, in map[string]any) (status int, body string, ok bool)

// recordedEndpoint returns the URL of a server that answers what api records and
// forwards every other request to moto, and a function that counts the calls api
// answered by target.
func recordedEndpoint(t *testing.T, m *mototest.Server, api recordedAPI) (string, func(target string) int) {
	t.Helper()
	var mu sync.Mutex
	calls := map[string]int{}
	url := recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		target := c.R.Header.Get("X-Amz-Target")
		prefix, op, _ := strings.Cut(target, ".")
		var in map[string]any
		_ = json.Unmarshal(c.Body, &in)
		status, answer, ok := api(prefix+".", op, in)
		if ok {
			mu.Lock()
			calls[target]++
			mu.Unlock()
		}
		return status, answer, ok
	})
	return url, func(target string) int {
		mu.Lock()
		defer mu.Unlock()
		return calls[target]
	}
}

// recordedOps lists the operations of Unimplemented with one of prefixes, for
// ConfigPassing.
func recordedOps(prefixes ...string) []string {
	var ops []string
	for op := range mototest.Unimplemented {
		for _, p := range prefixes {
			if strings.HasPrefix(op, p) {
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// recordedSnapshot collects a Global snapshot of us-east-1 with the endpoint at url,
// which answers the operations mototest lacks of the services with target prefixes;
// mototest answers the others.
func recordedSnapshot(t *testing.T, m *mototest.Server, url string, prefixes ...string) []byte {
	t.Helper()
	cfg := m.ConfigPassing(recordedOps(prefixes...)...)
	cfg.BaseEndpoint = aws.String(url)
	snap, err := (&inventory.Inventory{}).Snapshot(context.Background(), cfg, inventory.Options{Account: "123456789012", Region: mototest.Region, Global: true})
	must(t, err)
	parts := map[string]string{wafGlobalTarget: "waf", wafRegionalTarget: "wafregional", shieldTarget: "shield"}
	for _, s := range snap.Skipped {
		for _, p := range prefixes {
			if s.Part == parts[p] {
				t.Fatalf("%s skipped: %s", s.Part, s.Error)
			}
		}
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	return buf.Bytes()
}

// wafClassicRecorded answers WAF Classic's calls, global and regional, with responses in
// AWS's documented JSON shapes. Global: web ACLs "full" (a rule and a rule group, logged
// to Firehose) and "empty" listed over two pages; rules "full" (one predicate), "empty"
// and "gone" (deleted between ListRules and GetRule); rule groups "full" (two rules over
// two pages of ListActivatedRulesInRuleGroup) and "empty". Regional: web ACL "r-full"
// (not logged), rule "r-empty" and no rule group.
func wafClassicRecorded(account, region string) recordedAPI {
	global, regional := "arn:aws:waf::"+account+":", "arn:aws:waf-regional:"+region+":"+account+":"
	activated := func(rule string, prio int, action string) string {
		return `{"Priority":` + strconv.Itoa(prio) + `,"RuleId":"` + rule + `","Action":{"Type":"` + action + `"},"Type":"REGULAR"}`
	}
	return func(prefix, op string, in map[string]any) (int, string, bool) {
		str := func(k string) string { s, _ := in[k].(string); return s }
		arn := global
		if prefix == wafRegionalTarget {
			arn = regional
		} else if prefix != wafGlobalTarget {
			return 0, "", false
		}
		if prefix == wafRegionalTarget {
			switch op {
			case "ListWebACLs":
				return 200, `{"WebACLs":[{"WebACLId":"r-full","Name":"r-full"}]}`, true
			case "GetWebACL":
				return 200, `{"WebACL":{"WebACLId":"r-full","Name":"r-full","MetricName":"rfull","DefaultAction":{"Type":"BLOCK"},"Rules":[` +
					activated("r-empty", 1, "ALLOW") + `],"WebACLArn":"` + arn + `webacl/r-full"}}`, true
			case "ListRules":
				return 200, `{"Rules":[{"RuleId":"r-empty","Name":"r-empty"}]}`, true
			case "GetRule":
				return 200, `{"Rule":{"RuleId":"r-empty","Name":"r-empty","MetricName":"rempty","Predicates":[]}}`, true
			case "ListRuleGroups":
				return 200, `{"RuleGroups":[]}`, true
			case "ListLoggingConfigurations":
				return 200, `{"LoggingConfigurations":[]}`, true
			case "ListTagsForResource":
				return 200, `{"TagInfoForResource":{"ResourceARN":"` + str("ResourceARN") + `","TagList":[]}}`, true
			}
			return 0, "", false
		}
		switch op {
		case "ListWebACLs":
			if str("NextMarker") == "" {
				return 200, `{"WebACLs":[{"WebACLId":"full","Name":"full"}],"NextMarker":"m2"}`, true
			}
			return 200, `{"WebACLs":[{"WebACLId":"empty","Name":"empty"}]}`, true
		case "GetWebACL":
			id := str("WebACLId")
			rules := activated("full", 1, "BLOCK") + `,{"Priority":2,"RuleId":"full","OverrideAction":{"Type":"NONE"},"Type":"GROUP"}`
			if id == "empty" {
				rules = ""
			}
			return 200, `{"WebACL":{"WebACLId":"` + id + `","Name":"` + id + `","MetricName":"` + id + `","DefaultAction":{"Type":"ALLOW"},"Rules":[` +
				rules + `],"WebACLArn":"` + arn + `webacl/` + id + `"}}`, true
		case "ListRules":
			return 200, `{"Rules":[{"RuleId":"full","Name":"full"},{"RuleId":"empty","Name":"empty"},{"RuleId":"gone","Name":"gone"}]}`, true
		case "GetRule":
			switch str("RuleId") {
			case "full":
				return 200, `{"Rule":{"RuleId":"full","Name":"full","MetricName":"full","Predicates":[{"Negated":false,"Type":"IPMatch","DataId":"ips"}]}}`, true
			case "empty":
				return 200, `{"Rule":{"RuleId":"empty","Name":"empty","MetricName":"empty","Predicates":[]}}`, true
			}
			return 400, `{"__type":"WAFNonexistentItemException","message":"The referenced item does not exist."}`, true
		case "ListRuleGroups":
			return 200, `{"RuleGroups":[{"RuleGroupId":"full","Name":"full"},{"RuleGroupId":"empty","Name":"empty"}]}`, true
		case "GetRuleGroup":
			id := str("RuleGroupId")
			return 200, `{"RuleGroup":{"RuleGroupId":"` + id + `","Name":"` + id + `","MetricName":"` + id + `"}}`, true
		case "ListActivatedRulesInRuleGroup":
			switch {
			case str("RuleGroupId") == "empty":
				return 200, `{"ActivatedRules":[]}`, true
			case str("NextMarker") == "":
				return 200, `{"ActivatedRules":[` + activated("full", 1, "BLOCK") + `],"NextMarker":"m2"}`, true
			}
			return 200, `{"ActivatedRules":[` + activated("empty", 2, "COUNT") + `]}`, true
		case "ListLoggingConfigurations":
			return 200, `{"LoggingConfigurations":[{"ResourceArn":"` + arn + `webacl/full","LogDestinationConfigs":["arn:aws:firehose:us-east-1:` +
				account + `:deliverystream/aws-waf-logs-full"],"RedactedFields":[{"Type":"HEADER","Data":"authorization"}]}]}`, true
		case "ListTagsForResource":
			return 200, `{"TagInfoForResource":{"ResourceARN":"` + str("ResourceARN") + `","TagList":[{"Key":"team","Value":"edge"}]}}`, true
		}
		return 0, "", false
	}
}

// TestWAFClassic collects WAF Classic global and regional web ACLs, rules and rule
// groups from recorded responses: moto has no WAF Classic (mototest answers its list
// calls with 501), so an httptest server answers them with AWS's documented JSON shapes
// (wafClassicRecorded) and forwards every other request to moto. It checks the exact
// CIs and the seven WAF Classic rules' conclusions on them.
func TestWAFClassic(t *testing.T) {
	m := mototest.Shared(t)
	const account, region = "123456789012", mototest.Region
	url, _ := recordedEndpoint(t, m, wafClassicRecorded(account, region))
	raw := recordedSnapshot(t, m, url, wafGlobalTarget, wafRegionalTarget)

	type item struct {
		ARN, Name, Region, Zone string
		Tags                    map[string]string
		Configuration           any
		Supplementary           map[string]any
	}
	decode := func(b []byte) any {
		var v any
		must(t, json.Unmarshal(b, &v))
		return v
	}
	got := map[string]item{}
	var items []*ci.Item
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if !strings.HasPrefix(it.ResourceType, "AWS::WAF::") && !strings.HasPrefix(it.ResourceType, "AWS::WAFRegional::") {
			continue
		}
		items = append(items, it)
		var supp map[string]any
		for k, v := range it.Supplementary {
			if supp == nil {
				supp = map[string]any{}
			}
			supp[k] = decode(v)
		}
		got[it.ResourceType+" "+it.ResourceID] = item{it.ARN, it.ResourceName, it.Region, it.AvailabilityZone, it.Tags, decode(it.Configuration), supp}
	}
	js := func(s string) any { return decode([]byte(s)) }
	g, rg := "arn:aws:waf::"+account+":", "arn:aws:waf-regional:"+region+":"+account+":"
	edge := map[string]string{"team": "edge"}
	blockFull := `{"priority":1,"ruleId":"full","action":{"type":"BLOCK"},"type":"REGULAR"}`
	want := map[string]item{
		"AWS::WAF::WebACL full": {g + "webacl/full", "full", "global", "Not Applicable", edge,
			js(`{"webACLId":"full","name":"full","metricName":"full","defaultAction":{"type":"ALLOW"},"webACLArn":"` + g + `webacl/full","rules":[` + blockFull +
				`,{"priority":2,"ruleId":"full","overrideAction":{"type":"NONE"},"type":"GROUP"}]}`),
			map[string]any{"LoggingConfiguration": js(`{"resourceArn":"` + g + `webacl/full","logDestinationConfigs":["arn:aws:firehose:us-east-1:` + account +
				`:deliverystream/aws-waf-logs-full"],"redactedFields":[{"type":"HEADER","data":"authorization"}]}`)}},
		"AWS::WAF::WebACL empty": {g + "webacl/empty", "empty", "global", "Not Applicable", edge,
			js(`{"webACLId":"empty","name":"empty","metricName":"empty","defaultAction":{"type":"ALLOW"},"webACLArn":"` + g + `webacl/empty","rules":[]}`),
			map[string]any{"LoggingConfiguration": nil}},
		"AWS::WAF::Rule full": {g + "rule/full", "full", "global", "Not Applicable", edge,
			js(`{"ruleId":"full","name":"full","metricName":"full","predicates":[{"negated":false,"type":"IPMatch","dataId":"ips"}]}`), nil},
		"AWS::WAF::Rule empty": {g + "rule/empty", "empty", "global", "Not Applicable", edge,
			js(`{"ruleId":"empty","name":"empty","metricName":"empty","predicates":[]}`), nil},
		"AWS::WAF::RuleGroup full": {g + "rulegroup/full", "full", "global", "Not Applicable", edge,
			js(`{"ruleGroupId":"full","name":"full","metricName":"full","activatedRules":[` + blockFull +
				`,{"priority":2,"ruleId":"empty","action":{"type":"COUNT"},"type":"REGULAR"}]}`), nil},
		"AWS::WAF::RuleGroup empty": {g + "rulegroup/empty", "empty", "global", "Not Applicable", edge,
			js(`{"ruleGroupId":"empty","name":"empty","metricName":"empty","activatedRules":[]}`), nil},
		"AWS::WAFRegional::WebACL r-full": {rg + "webacl/r-full", "r-full", region, "Regional", nil,
			js(`{"webACLId":"r-full","name":"r-full","metricName":"rfull","defaultAction":{"type":"BLOCK"},"webACLArn":"` + rg +
				`webacl/r-full","rules":[{"priority":1,"ruleId":"r-empty","action":{"type":"ALLOW"},"type":"REGULAR"}]}`),
			map[string]any{"LoggingConfiguration": nil}},
		"AWS::WAFRegional::Rule r-empty": {rg + "rule/r-empty", "r-empty", region, "Regional", nil,
			js(`{"ruleId":"r-empty","name":"r-empty","metricName":"rempty","predicates":[]}`), nil},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("WAF Classic CIs (-want +got):\n%s", d)
	}

	results := map[string]map[string]string{}
	for id, params := range map[string]map[string]string{
		"WAF_GLOBAL_WEBACL_NOT_EMPTY": nil, "WAF_GLOBAL_RULE_NOT_EMPTY": nil, "WAF_GLOBAL_RULEGROUP_NOT_EMPTY": nil,
		"WAF_REGIONAL_WEBACL_NOT_EMPTY": nil, "WAF_REGIONAL_RULE_NOT_EMPTY": nil, "WAF_REGIONAL_RULEGROUP_NOT_EMPTY": nil,
		"WAF_CLASSIC_LOGGING_ENABLED":              nil,
		"WAF_CLASSIC_LOGGING_ENABLED other stream": {"KinesisFirehoseDeliveryStreamArns": "arn:aws:firehose:us-east-1:" + account + ":deliverystream/aws-waf-logs-other"},
	} {
		rule, err := rules.Get(strings.Fields(id)[0])
		must(t, err)
		check, err := rule.Bind(params)
		must(t, err)
		for _, it := range items {
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			if res.ComplianceType == rules.NotApplicable {
				continue
			}
			if results[id] == nil {
				results[id] = map[string]string{}
			}
			results[id][strings.TrimPrefix(it.ResourceType, "AWS::")+" "+it.ResourceID] = string(res.ComplianceType)
		}
	}
	wantResults := map[string]map[string]string{
		"WAF_GLOBAL_WEBACL_NOT_EMPTY":              {"WAF::WebACL full": "COMPLIANT", "WAF::WebACL empty": "NON_COMPLIANT"},
		"WAF_GLOBAL_RULE_NOT_EMPTY":                {"WAF::Rule full": "COMPLIANT", "WAF::Rule empty": "NON_COMPLIANT"},
		"WAF_GLOBAL_RULEGROUP_NOT_EMPTY":           {"WAF::RuleGroup full": "COMPLIANT", "WAF::RuleGroup empty": "NON_COMPLIANT"},
		"WAF_REGIONAL_WEBACL_NOT_EMPTY":            {"WAFRegional::WebACL r-full": "COMPLIANT"},
		"WAF_REGIONAL_RULE_NOT_EMPTY":              {"WAFRegional::Rule r-empty": "NON_COMPLIANT"},
		"WAF_CLASSIC_LOGGING_ENABLED":              {"WAF::WebACL full": "COMPLIANT", "WAF::WebACL empty": "NON_COMPLIANT"},
		"WAF_CLASSIC_LOGGING_ENABLED other stream": {"WAF::WebACL full": "NON_COMPLIANT", "WAF::WebACL empty": "NON_COMPLIANT"},
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("rule results (-want +got):\n%s", d)
	}
}

// TestShieldFacts collects the Shield facts from recorded responses (moto lacks
// GetSubscriptionState and DescribeDRTAccess) for a subscribed account with and without
// a Shield Response Team role and for one without the subscription, and checks the
// facts and SHIELD_DRT_ACCESS's conclusion on them.
func TestShieldFacts(t *testing.T) {
	m := mototest.Shared(t)
	const account = "123456789012"
	role := "arn:aws:iam::" + account + ":role/srt"
	notFound := `{"__type":"ResourceNotFoundException","message":"The referenced resource does not exist."}`
	for _, c := range []struct {
		name       string
		state      string
		drt        string // DescribeDRTAccess's answer (a 400 when it is an error)
		wantFacts  map[string]any
		wantResult string
		drtCalls   int
	}{
		{"subscribed with a role", "ACTIVE", `{"RoleArn":"` + role + `","LogBucketList":["flow-logs"]}`,
			map[string]any{"shield.SubscriptionState": "ACTIVE", "shield.DRTAccess": map[string]any{"RoleArn": role, "LogBucketList": []any{"flow-logs"}}}, "COMPLIANT", 1},
		{"subscribed, role never given", "ACTIVE", notFound,
			map[string]any{"shield.SubscriptionState": "ACTIVE", "shield.DRTAccess": nil}, "NON_COMPLIANT", 1},
		{"subscribed, role removed", "ACTIVE", `{"LogBucketList":[]}`,
			map[string]any{"shield.SubscriptionState": "ACTIVE", "shield.DRTAccess": nil}, "NON_COMPLIANT", 1},
		{"not subscribed", "INACTIVE", notFound,
			map[string]any{"shield.SubscriptionState": "INACTIVE"}, "NOT_APPLICABLE", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, calls := recordedEndpoint(t, m, func(prefix, op string, in map[string]any) (int, string, bool) {
				switch prefix + op {
				case shieldTarget + "GetSubscriptionState":
					return 200, `{"SubscriptionState":"` + c.state + `"}`, true
				case shieldTarget + "DescribeDRTAccess":
					if strings.Contains(c.drt, "__type") {
						return 400, c.drt, true
					}
					return 200, c.drt, true
				}
				return 0, "", false
			})
			raw := recordedSnapshot(t, m, url, shieldTarget)
			var snap struct{ Account map[string]any }
			dec := json.NewDecoder(bytes.NewReader(raw))
			must(t, dec.Decode(&snap))
			facts := map[string]any{}
			for k, v := range snap.Account {
				if strings.HasPrefix(k, "shield.") {
					facts[k] = v
				}
			}
			if d := cmp.Diff(c.wantFacts, facts); d != "" {
				t.Errorf("shield facts (-want +got):\n%s", d)
			}
			if n := calls(shieldTarget + "DescribeDRTAccess"); n != c.drtCalls {
				t.Errorf("DescribeDRTAccess called %d times, want %d", n, c.drtCalls)
			}
			rule, err := rules.Get("SHIELD_DRT_ACCESS")
			must(t, err)
			check, err := rule.Bind(nil)
			must(t, err)
			var got []string
			must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
				got = append(got, string(r.ComplianceType))
				return nil
			}))
			if want := []string{c.wantResult}; !cmp.Equal(want, got) {
				t.Errorf("SHIELD_DRT_ACCESS = %v, want %v", got, want)
			}
		})
	}
}
