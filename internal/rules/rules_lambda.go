package rules

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	lambdaFunction = "AWS::Lambda::Function"
	ec2Subnet      = "AWS::EC2::Subnet"
)

// lambdaFn is the part of a Lambda function CI the rules read (ListFunctions camel-cased).
type lambdaFn struct {
	Runtime          string           `json:"runtime"`
	Role             string           `json:"role"`
	Timeout          *int             `json:"timeout"`
	MemorySize       *int             `json:"memorySize"`
	PackageType      string           `json:"packageType"`
	DeadLetterConfig deadLetterConfig `json:"deadLetterConfig"`
	VpcConfig        *struct {
		SubnetIDs []string `json:"subnetIds"`
	} `json:"vpcConfig"`
}

// deadLetterConfig is a function's dead-letter target: {targetArn}, as the API and
// current CIs hold it, or the ARN as a string, as older CIs (and AWS Config's public rule
// cases) hold it.
type deadLetterConfig struct{ TargetArn string }

func (d *deadLetterConfig) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &d.TargetArn)
	}
	var v struct {
		TargetArn string `json:"targetArn"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d.TargetArn = v.TargetArn
	return nil
}

// lambdaRule builds a rule on Lambda functions.
func lambdaRule(id, desc string, params []Param, related []string, f func(a Args, fn *lambdaFn, it *ci.Item, env Env) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{lambdaFunction}, Params: params, Related: related,
		FromSupplementary: id == "LAMBDA_CONCURRENCY_CHECK",
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			fn, err := cfg[lambdaFn](it)
			if err != nil {
				return "", "", err
			}
			return f(a, fn, it, env)
		}}
}

var lambdaRules = []*Rule{
	lambdaRule("LAMBDA_DLQ_CHECK",
		"Lambda functions have a dead-letter queue (deadLetterConfig.targetArn), one of dlqArns when given.",
		[]Param{{Name: "dlqArns", Type: CSV}}, nil,
		func(a Args, fn *lambdaFn, it *ci.Item, env Env) (Compliance, string, error) {
			switch {
			case fn.DeadLetterConfig.TargetArn == "":
				return NonCompliant, "The function has no dead-letter queue.", nil
			case a.Set("dlqArns") && !inList(a.List("dlqArns"), fn.DeadLetterConfig.TargetArn):
				return NonCompliant, "The function's dead-letter queue " + fn.DeadLetterConfig.TargetArn + " is not in dlqArns.", nil
			}
			return Compliant, "", nil
		}),
	lambdaRule("LAMBDA_CONCURRENCY_CHECK",
		"Lambda functions reserve concurrency (supplementaryConfiguration Concurrency.reservedConcurrentExecutions; absent is none), at least ConcurrencyLimitLow and at most ConcurrencyLimitHigh when given.",
		[]Param{{Name: "ConcurrencyLimitLow", Type: Int}, {Name: "ConcurrencyLimitHigh", Type: Int}}, nil,
		func(a Args, fn *lambdaFn, it *ci.Item, env Env) (Compliance, string, error) {
			var c struct {
				Reserved *int `json:"reservedConcurrentExecutions"`
			}
			if _, err := it.DecodeSupplementary("Concurrency", &c); err != nil {
				return "", "", err
			}
			switch {
			case c.Reserved == nil:
				return NonCompliant, "The function reserves no concurrency.", nil
			case a.Set("ConcurrencyLimitLow") && *c.Reserved < a.Int("ConcurrencyLimitLow"):
				return NonCompliant, fmt.Sprintf("The function reserves %d concurrent executions, fewer than ConcurrencyLimitLow.", *c.Reserved), nil
			case a.Set("ConcurrencyLimitHigh") && *c.Reserved > a.Int("ConcurrencyLimitHigh"):
				return NonCompliant, fmt.Sprintf("The function reserves %d concurrent executions, more than ConcurrencyLimitHigh.", *c.Reserved), nil
			}
			return Compliant, "", nil
		}),
	lambdaRule("LAMBDA_FUNCTION_SETTINGS_CHECK",
		"Lambda functions use one of the runtimes, and the role (name or ARN), timeout (default 3 seconds) and memorySize (default 128 MB) given; image functions are NOT_APPLICABLE.",
		[]Param{{Name: "runtime", Type: CSV, Required: true}, {Name: "role", Type: String}, {Name: "timeout", Type: Int, Default: "3"}, {Name: "memorySize", Type: Int, Default: "128"}}, nil,
		func(a Args, fn *lambdaFn, it *ci.Item, env Env) (Compliance, string, error) {
			role := a.Str("role")
			switch {
			case strings.EqualFold(fn.PackageType, "Image"):
				return na("The function is deployed as a container image.")
			case !inList(a.List("runtime"), fn.Runtime):
				return NonCompliant, "The function's runtime " + fn.Runtime + " is not in runtime.", nil
			case role != "" && fn.Role != role && !strings.HasSuffix(fn.Role, "/"+role):
				return NonCompliant, "The function's role is not role.", nil
			case fn.Timeout == nil || *fn.Timeout != a.Int("timeout"):
				return NonCompliant, "The function's timeout is not timeout.", nil
			case fn.MemorySize == nil || *fn.MemorySize != a.Int("memorySize"):
				return NonCompliant, "The function's memory size is not memorySize.", nil
			}
			return Compliant, "", nil
		}),
	lambdaRule("LAMBDA_VPC_MULTI_AZ_CHECK",
		"Lambda functions in a VPC use subnets in more than one Availability Zone (the snapshot's "+ec2Subnet+" items), at least availabilityZones when given; functions outside a VPC are NOT_APPLICABLE.",
		[]Param{{Name: "availabilityZones", Type: Int}}, []string{ec2Subnet},
		func(a Args, fn *lambdaFn, it *ci.Item, env Env) (Compliance, string, error) {
			if fn.VpcConfig == nil || len(fn.VpcConfig.SubnetIDs) == 0 {
				return na("The function is not in a VPC.")
			}
			if env.Related == nil {
				return na("The input does not hold the function's subnets (" + ec2Subnet + " items of a snapshot).")
			}
			byID, err := env.Related.GroupBy(ec2Subnet, "subnets by id", func(s *ci.Item) (string, error) { return s.ResourceID, nil })
			if err != nil {
				return "", "", err
			}
			zones := map[string]bool{}
			for _, id := range fn.VpcConfig.SubnetIDs {
				subnets := byID[id]
				if len(subnets) == 0 {
					return na("The snapshot does not hold the function's subnet " + id + ".")
				}
				s, err := cfg[struct {
					AvailabilityZone string `json:"availabilityZone"`
				}](subnets[0])
				if err != nil {
					return "", "", err
				}
				zone := s.AvailabilityZone
				if zone == "" {
					zone = subnets[0].AvailabilityZone
				}
				zones[zone] = true
			}
			want := 2
			if a.Set("availabilityZones") {
				want = a.Int("availabilityZones")
			}
			return verdict(len(zones) >= want, fmt.Sprintf("The function's subnets are in %d Availability Zones, fewer than %d.", len(zones), want))
		}),
}
