// Command celopa measures five representative rules written in CEL (Probity's custom
// rules, evaluated by internal/rules as in production) against the same rules written
// in Rego and evaluated by OPA, on the same configuration items in the same run. It
// first checks that both give the same compliance for every item, then times each.
//
// It is a module of its own so that Probity does not depend on OPA. From bench/celopa:
//
//	go run . -items 2000 -min 1s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/rules"
)

// bench is one rule under both engines.
type bench struct {
	cel    string // custom rule keyword
	rego   string // the module
	params map[string]string
	gen    func(i int) map[string]any // the i-th CI
}

func main() {
	n := flag.Int("items", 2000, "configuration items per rule (a mix of compliant, non-compliant and not applicable)")
	minTime := flag.Duration("min", time.Second, "time each engine at least this long per rule")
	dir := flag.String("rules", filepath.Join("..", "..", "internal", "rules", "testdata", "custom", "rules"), "folder of the CEL rules")
	rounds := flag.Int("rounds", 5, "alternate the engines this many times per rule; each engine's figure is the median of its rounds")
	only := flag.String("rule", "", "run only the rule of this keyword")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the CEL evaluations (only) to this file")
	flag.Parse()
	if err := run(*n, *minTime, *rounds, *dir, *only, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "celopa:", err)
		os.Exit(1)
	}
}

func run(n int, minTime time.Duration, rounds int, dir, only, cpuprofile string) error {
	var prof *os.File
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		prof = f
	}
	files, err := doc.ReadPaths([]string{dir}, doc.ReadOptions{})
	if err != nil {
		return err
	}
	defs, diags := catalog.LoadRules(files)
	if len(diags) > 0 {
		return diags
	}
	set, err := rules.CompileAll(deref(defs))
	if err != nil {
		return err
	}
	ctx := context.Background()
	env := rules.Env{Now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	fmt.Printf("Go %s, GOMAXPROCS %d, %d items per rule, one goroutine per engine\n\n", runtime.Version(), runtime.GOMAXPROCS(0), n)
	fmt.Println("| rule | CEL ns/item | OPA ns/item (input as Go values) | OPA ns/item (input pre-converted to AST) | OPA / CEL |")
	fmt.Println("|---|---|---|---|---|")
	defer func() {
		if profStarted {
			pprof.StopCPUProfile()
		}
	}()
	for _, b := range benches {
		if only != "" && b.cel != only {
			continue
		}
		rule := set[b.cel]
		if rule == nil {
			return fmt.Errorf("%s is not among %s", b.cel, dir)
		}
		check, err := rule.Bind(b.params)
		if err != nil {
			return err
		}
		pq, err := rego.New(rego.Query("data.bench.compliance"), rego.Module("bench.rego", b.rego)).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("%s: rego: %w", b.cel, err)
		}
		params := map[string]any{}
		for _, p := range rule.Params {
			if v := check.Args[p.Name]; v != "" {
				params[p.Name] = typed(p.Type, v)
			}
		}
		items := make([]*ci.Item, n)
		inputs := make([]map[string]any, n)
		parsed := make([]ast.Value, n)
		for i := range n {
			raw, _ := json.Marshal(b.gen(i))
			items[i] = new(ci.Item)
			if err := json.Unmarshal(raw, items[i]); err != nil {
				return err
			}
			var res map[string]any
			json.Unmarshal(raw, &res)
			inputs[i] = map[string]any{"resource": res, "params": params}
			if parsed[i], err = ast.InterfaceToValue(inputs[i]); err != nil {
				return err
			}
		}
		// Same answers first (this also decodes each item's configuration once, as the
		// first rule to read an item does in production).
		counts := map[rules.Compliance]int{}
		for i := range n {
			r, err := check.EvaluateItem(items[i], env)
			if err != nil {
				return fmt.Errorf("%s: item %d: %w", b.cel, i, err)
			}
			rs, err := pq.Eval(ctx, rego.EvalInput(inputs[i]))
			if err != nil || len(rs) != 1 {
				return fmt.Errorf("%s: item %d: rego: %v %v", b.cel, i, rs, err)
			}
			if got := rs[0].Expressions[0].Value; got != string(r.ComplianceType) {
				return fmt.Errorf("%s: item %d: CEL says %s, OPA %v", b.cel, i, r.ComplianceType, got)
			}
			counts[r.ComplianceType]++
		}
		// The engines take turns, round after round, so that the others' load on a
		// shared machine falls on all three alike; each figure is the median round.
		var cel, opa, opaParsed []float64
		slice := minTime / time.Duration(max(rounds, 1))
		for range max(rounds, 1) {
			if prof != nil {
				profiling(prof, true)
			}
			cel = append(cel, timeit(slice, n, func(i int) error { _, err := check.EvaluateItem(items[i], env); return err }))
			if prof != nil {
				profiling(prof, false)
			}
			opa = append(opa, timeit(slice, n, func(i int) error { _, err := pq.Eval(ctx, rego.EvalInput(inputs[i])); return err }))
			opaParsed = append(opaParsed, timeit(slice, n, func(i int) error { _, err := pq.Eval(ctx, rego.EvalParsedInput(parsed[i])); return err }))
		}
		celNs, opaNs, opaParsedNs := median(cel), median(opa), median(opaParsed)
		fmt.Printf("| %s (%d/%d/%d C/NC/NA) | %.0f | %.0f | %.0f | %.1f× (%.1f× pre-converted) |\n", b.cel,
			counts[rules.Compliant], counts[rules.NonCompliant], counts[rules.NotApplicable],
			celNs, opaNs, opaParsedNs, opaNs/celNs, opaParsedNs/celNs)
	}
	return nil
}

// timeit calls fn over the items, round after round, for at least min, and returns the
// mean nanoseconds per call. The first error stops the program.
func timeit(min time.Duration, n int, fn func(i int) error) float64 {
	runtime.GC()
	calls := 0
	start := time.Now()
	for time.Since(start) < min {
		for i := range n {
			if err := fn(i); err != nil {
				fmt.Fprintln(os.Stderr, "celopa:", err)
				os.Exit(1)
			}
		}
		calls += n
	}
	return float64(time.Since(start).Nanoseconds()) / float64(calls)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// profiling starts or stops the CPU profile into f. Profiling is one profile over
// every CEL round: pprof.StartCPUProfile cannot resume a stopped profile, so the
// first start begins it and the stop at the end of run ends it; the OPA rounds between
// are marked by pprof labels being off, which is why the profile is of CEL only when
// read with -tagfocus=engine=cel.
func profiling(f *os.File, on bool) {
	if !profStarted {
		pprof.StartCPUProfile(f)
		profStarted = true
	}
	if on {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("engine", "cel")))
	} else {
		pprof.SetGoroutineLabels(context.Background())
	}
}

var profStarted bool

func typed(t rules.ParamType, v string) any {
	switch t {
	case rules.Bool:
		return v == "true"
	}
	return v
}

func deref[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

func item(typ, id string, config map[string]any) map[string]any {
	return map[string]any{"configurationItemVersion": "1.3", "awsAccountId": "111122223333", "awsRegion": "us-east-1",
		"resourceType": typ, "resourceId": id, "arn": "arn:aws:x:::" + id, "configurationItemStatus": "OK",
		"configurationItemCaptureTime": "2024-05-01T00:00:00.000Z", "configuration": config,
		"tags": map[string]any{"Owner": "team-" + id}}
}

var benches = []bench{
	{
		cel: "Custom_CEL_S3_BUCKET_VERSIONING_ENABLED",
		rego: `package bench
default compliance := "NON_COMPLIANT"
compliance := "COMPLIANT" if {
	v := input.resource.supplementaryConfiguration.BucketVersioningConfiguration
	v.status == "Enabled"
	not mfa_missing(v)
}
mfa_missing(v) if {
	input.params.isMfaDeleteEnabled == true
	not v.isMfaDeleteEnabled == true
}`,
		gen: func(i int) map[string]any {
			it := item("AWS::S3::Bucket", fmt.Sprintf("bucket-%d", i), map[string]any{"name": fmt.Sprintf("bucket-%d", i), "owner": map[string]any{"id": "abc"}})
			status := []string{"Enabled", "Suspended", "Off"}[i%3]
			it["supplementaryConfiguration"] = map[string]any{
				"BucketVersioningConfiguration":  map[string]any{"status": status, "isMfaDeleteEnabled": nil},
				"PublicAccessBlockConfiguration": map[string]any{"blockPublicAcls": true, "ignorePublicAcls": true},
			}
			return it
		},
	},
	{
		cel: "Custom_CEL_INCOMING_SSH_DISABLED",
		rego: `package bench
default compliance := "COMPLIANT"
compliance := "NON_COMPLIANT" if {
	some p in input.resource.configuration.ipPermissions
	tcp(p)
	covers22(p)
	world(p)
}
tcp(p) if p.ipProtocol in {"tcp", "-1", "6"}
covers22(p) if p.ipProtocol == "-1"
covers22(p) if not p.fromPort
covers22(p) if {
	p.fromPort <= 22
	22 <= p.toPort
}
world(p) if "0.0.0.0/0" in p.ipRanges
world(p) if {
	some r in p.ipv4Ranges
	r.cidrIp == "0.0.0.0/0"
}`,
		gen: func(i int) map[string]any {
			var perms []any
			for k := range 4 {
				port := []int{443, 80, 22, 3306}[(i+k)%4]
				cidr := []string{"10.0.0.0/8", "0.0.0.0/0", "192.168.1.0/24"}[(i*7+k)%3]
				p := map[string]any{"ipProtocol": "tcp", "fromPort": port, "toPort": port}
				if k%2 == 0 {
					p["ipRanges"] = []any{cidr}
				} else {
					p["ipv4Ranges"] = []any{map[string]any{"cidrIp": cidr}}
				}
				perms = append(perms, p)
			}
			if i%11 == 0 {
				perms = append(perms, map[string]any{"ipProtocol": "-1", "ipRanges": []any{"0.0.0.0/0"}})
			}
			return item("AWS::EC2::SecurityGroup", fmt.Sprintf("sg-%d", i), map[string]any{"groupId": fmt.Sprintf("sg-%d", i), "groupName": "web", "ipPermissions": perms})
		},
	},
	{
		cel:    "Custom_CEL_ENCRYPTED_VOLUMES",
		params: map[string]string{"kmsId": "k1"},
		rego: `package bench
default compliance := "NON_COMPLIANT"
compliance := "NOT_APPLICABLE" if count(object.get(input.resource.configuration, "attachments", [])) == 0
compliance := "COMPLIANT" if {
	count(object.get(input.resource.configuration, "attachments", [])) > 0
	input.resource.configuration.encrypted == true
	kms_ok(object.get(input.resource.configuration, "kmsKeyId", ""))
}
kms_ok(_) if not input.params.kmsId
kms_ok(k) if {
	k != ""
	k == input.params.kmsId
}
kms_ok(k) if {
	k != ""
	endswith(k, concat("", ["/", input.params.kmsId]))
}
kms_ok(k) if {
	k != ""
	endswith(input.params.kmsId, concat("", ["/", k]))
}`,
		gen: func(i int) map[string]any {
			att := []any{}
			if i%4 != 0 {
				att = []any{map[string]any{"instanceId": fmt.Sprintf("i-%d", i), "deleteOnTermination": true}}
			}
			key := []string{"arn:aws:kms:us-east-1:111122223333:key/k1", "arn:aws:kms:us-east-1:111122223333:key/k2"}[i%2]
			return item("AWS::EC2::Volume", fmt.Sprintf("vol-%d", i), map[string]any{"volumeId": fmt.Sprintf("vol-%d", i), "size": 100,
				"encrypted": i%3 != 0, "kmsKeyId": key, "attachments": att, "state": "in-use"})
		},
	},
	{
		cel: "Custom_CEL_IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
		rego: `package bench
as_list(x) := x if is_array(x)
as_list(x) := [x] if not is_array(x)
aws_managed if contains(object.get(input.resource.configuration, "arn", input.resource.arn), ":iam::aws:policy/")
boundary if {
	input.params.excludePermissionBoundaryPolicy == true
	object.get(input.resource.configuration, "permissionsBoundaryUsageCount", 0) > 0
}
default compliance := "COMPLIANT"
compliance := "NOT_APPLICABLE" if aws_managed
compliance := "NOT_APPLICABLE" if {
	not aws_managed
	boundary
}
compliance := "NON_COMPLIANT" if {
	not aws_managed
	not boundary
	some v in input.resource.configuration.policyVersionList
	v.isDefaultVersion == true
	doc := json.unmarshal(urlquery.decode(v.document))
	some s in as_list(doc.Statement)
	s.Effect == "Allow"
	"*" in as_list(s.Action)
	"*" in as_list(s.Resource)
}`,
		gen: func(i int) map[string]any {
			action := []any{"s3:GetObject", "*", []any{"ec2:Describe*", "s3:*"}}[i%3]
			doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
				map[string]any{"Effect": "Allow", "Action": "logs:*", "Resource": "*"},
				map[string]any{"Effect": "Allow", "Action": action, "Resource": "*"},
			}})
			arn := fmt.Sprintf("arn:aws:iam::111122223333:policy/p%d", i)
			if i%10 == 0 {
				arn = fmt.Sprintf("arn:aws:iam::aws:policy/p%d", i)
			}
			return item("AWS::IAM::Policy", fmt.Sprintf("policy-%d", i), map[string]any{"arn": arn, "policyName": fmt.Sprintf("p%d", i),
				"defaultVersionId": "v1", "attachmentCount": 1, "permissionsBoundaryUsageCount": 0,
				"policyVersionList": []any{map[string]any{"versionId": "v1", "isDefaultVersion": true, "document": url.QueryEscape(string(doc))}}})
		},
	},
	{
		cel: "Custom_CEL_EC2_IMDSV2_CHECK",
		rego: `package bench
default compliance := "NON_COMPLIANT"
compliance := "COMPLIANT" if input.resource.configuration.metadataOptions.httpTokens == "required"
compliance := "COMPLIANT" if input.resource.configuration.metadataOptions.httpEndpoint == "disabled"`,
		gen: func(i int) map[string]any {
			mo := map[string]any{"httpTokens": []string{"required", "optional", "optional"}[i%3], "httpEndpoint": []string{"enabled", "enabled", "disabled", "enabled"}[i%4], "httpPutResponseHopLimit": 1}
			return item("AWS::EC2::Instance", fmt.Sprintf("i-%d", i), map[string]any{"instanceId": fmt.Sprintf("i-%d", i), "instanceType": "m5.large",
				"state": map[string]any{"name": "running"}, "metadataOptions": mo, "launchTime": "2024-01-01T00:00:00.000Z"})
		},
	},
}
