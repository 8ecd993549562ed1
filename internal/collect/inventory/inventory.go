// Package inventory builds AWS Config configuration items and account facts from AWS's
// describe and list APIs, one snapshot per account and region, without AWS Config; and
// the AWS_Config collector, which evaluates managed rules (internal/rules) against those
// snapshots. A snapshot has the shape internal/ci decodes, so `probity collect --snapshot`
// can write one for `probity rules eval` to replay offline.
package inventory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sync/errgroup"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/backoff"
)

// DefaultConcurrency bounds the API calls one snapshot makes at once.
const DefaultConcurrency = 8

// Inventory collects snapshots. The zero Inventory is ready to use.
type Inventory struct {
	// Concurrency bounds the calls in flight per snapshot (default DefaultConcurrency).
	Concurrency int
	// Now is the clock that stamps configurationItemCaptureTime (default time.Now).
	Now func() time.Time
	// Source says where the items come from (default SourceInventory): see Source.
	Source Source
	// ConfigRetry retries the keys BatchGetResourceConfig leaves unprocessed (default:
	// 6 attempts, from 200 ms).
	ConfigRetry *backoff.Policy
}

// Options say what one snapshot holds.
type Options struct {
	// Account is the 12-digit account the configuration's credentials act in.
	Account string
	// Region is the snapshot's region; the configuration's region is replaced by it.
	Region string
	// Global puts the account's global resources and facts in this snapshot: IAM
	// (identities, policies, credential report, summary, password policy, MFA, access
	// keys) and Organizations. AWS Config records global resources in one region; the
	// collector gives them to the first region it collects.
	Global bool
}

// part is one independent piece of a snapshot, named for Skipped.
type part struct {
	name   string
	global bool // only in the Global snapshot
	run    func(ctx context.Context, r *run) error
}

// parts lists what a snapshot collects, in the order of the list.
var parts = []part{
	{name: "s3", run: collectS3},
	{name: "s3control", run: collectAccountPublicAccessBlock},
	{name: "ec2.instances", run: collectInstances},
	{name: "ec2.securityGroups", run: collectSecurityGroups},
	{name: "ec2.volumes", run: collectVolumes},
	{name: "ec2.snapshots", run: collectSnapshots},
	{name: "ec2.ebsEncryptionByDefault", run: collectEbsDefault},
	{name: "ec2.network", run: collectNetwork},
	{name: "ec2.flowLogs", run: collectFlowLogs},
	{name: "autoscaling", run: collectLaunchConfigurations},
	{name: "iam.identities", global: true, run: collectIAMIdentities},
	{name: "iam.credentialReport", global: true, run: collectCredentialReport},
	{name: "iam.accountSummary", global: true, run: collectAccountSummary},
	{name: "iam.passwordPolicy", global: true, run: collectPasswordPolicy},
	{name: "iam.mfa", global: true, run: collectMFA},
	{name: "rds", run: collectRDS},
	{name: "rds.clusters", run: collectDBClusters},
	{name: "kms", run: collectKMS},
	{name: "cloudtrail", run: collectTrails},
	{name: "lambda", run: collectLambda},
	{name: "redshift", run: collectRedshift},
	{name: "redshift.parameterGroups", run: collectRedshiftParameterGroups},
	{name: "elb", run: collectClassicELB},
	{name: "elbv2", run: collectELBv2},
	{name: "wafv2", run: collectWebACLs},
	{name: "dynamodb", run: collectDynamoDB},
	{name: "sns", run: collectSNS},
	{name: "opensearch", run: collectSearchDomains},
	{name: "efs", run: collectEFS},
	{name: "logs", run: collectLogGroups},
	{name: "cloudwatch", run: collectAlarms},
	{name: "elasticache", run: collectElastiCache},
	{name: "backup", run: collectBackupSelections},
	{name: "acm", run: collectCertificates},
	{name: "apigateway", run: collectAPIGatewayStages},
	{name: "apigatewayv2", run: collectHTTPAPIStages},
	{name: "secretsmanager", run: collectSecrets},
	{name: "codebuild", run: collectCodeBuild},
	{name: "ecs", run: collectTaskDefinitions},
	{name: "organizations", global: true, run: collectOrganization},
	{name: "guardduty", run: collectGuardDuty},
	{name: "securityhub", run: collectSecurityHub},
	{name: "ssm", run: collectDocuments},
	{name: "networkfirewall", run: collectFirewalls},
	{name: "networkfirewall.policies", run: collectFirewallPolicies},
	{name: "ssm.managedInstances", run: collectManagedInstances},
	{name: "cloudfront", global: true, run: collectDistributions},
	{name: "wafv2.ruleGroups", run: collectRuleGroups},
	{name: "apigateway.restApis", run: collectRestAPIs},
	{name: "appsync", run: collectGraphQLAPIs},
	{name: "cloudformation", run: collectStacks},
	{name: "stepfunctions", run: collectStateMachines},
	{name: "transfer", run: collectTransferServers},
	{name: "acmpca", run: collectPrivateCAs},
	{name: "sagemaker", run: collectSageMaker},
	{name: "emr", run: collectEMRClusters},
	{name: "emr.blockPublicAccess", run: collectEMRBlockPublicAccess},
	{name: "kinesis", run: collectKinesisStreams},
	{name: "dynamodb.limits", run: collectDynamoDBLimits},
	{name: "rds.clusterSnapshots", run: collectDBClusterSnapshots},
	{name: "rds.securityGroups", run: collectDBSecurityGroups},
	{name: "kafka", run: collectMSKClusters},
	{name: "mq", run: collectMQBrokers},
	{name: "dms", run: collectDMSEndpoints},
	{name: "athena", run: collectAthenaWorkGroups},
	{name: "dax", run: collectDAXClusters},
	{name: "eks", run: collectEKS},
	{name: "ecr", run: collectECR},
	{name: "ecs.clusters", run: collectECSClusters},
	{name: "efs.accessPoints", run: collectEFSAccessPoints},
	{name: "macie2", run: collectMacie},
	{name: "account.alternateContacts", global: true, run: collectAlternateContacts},
	{name: "servicecatalog", run: collectPortfolioShares},
	{name: "codedeploy", run: collectDeploymentGroups},
	{name: "s3control.accessPoints", run: collectAccessPoints},
	{name: "elasticbeanstalk", run: collectBeanstalkEnvironments},
	{name: "codepipeline", run: collectPipelines},
	{name: "backup.vaults", run: collectBackupVaults},
	{name: "cognito.userPools", run: collectCognitoUserPools},
	{name: "cognito.identityPools", run: collectCognitoIdentityPools},
	{name: "rds.parameters", run: collectDBParameters},
	{name: "apigatewayv2.routes", run: collectHTTPAPIRoutes},
	{name: "appmesh.virtualNodes", run: collectVirtualNodes},
	{name: "appmesh.virtualGateways", run: collectVirtualGateways},
	{name: "cloudwatch.metricStreams", run: collectMetricStreams},
	{name: "codedeploy.deploymentConfigs", run: collectDeploymentConfigs},
	{name: "backup.plans", run: collectBackupPlans},
	{name: "ec2.addresses", run: collectAddresses},
	{name: "ec2.networkInterfaces", run: collectNetworkInterfaces},
	{name: "ec2.launchTemplates", run: collectLaunchTemplates},
	{name: "ec2.transitGateways", run: collectTransitGateways},
	{name: "ec2.clientVpnEndpoints", run: collectClientVpnEndpoints},
	{name: "ec2.vpnConnections", run: collectVpnConnections},
	{name: "ec2.internetGateways", run: collectInternetGateways},
	{name: "autoscaling.groups", run: collectAutoScalingGroups},
	{name: "fsx", run: collectFSxFileSystems},
	{name: "waf", global: true, run: collectWAFGlobal},
	{name: "wafregional", run: collectWAFRegional},
	{name: "shield", global: true, run: collectShield},
	{name: "ec2.vpcEndpoints", run: collectVpcEndpoints},
	{name: "ec2.spotFleets", run: collectSpotFleets},
	{name: "ec2.fleets", run: collectEC2Fleets},
	{name: "ec2.capacityReservations", run: collectCapacityReservations},
	{name: "ec2.dhcpOptions", run: collectDHCPOptions},
	{name: "ec2.prefixLists", run: collectPrefixLists},
	{name: "ec2.images", run: collectInstanceImages},
	{name: "ec2.allowedImages", run: collectAllowedImages},
	{name: "inspector2", run: collectInspectorStatus},
	{name: "accessanalyzer", run: collectAccessAnalyzers},
	{name: "backupgateway", run: collectGatewayVMs},
	{name: "sagemaker.models", run: collectSageMakerModels},
	{name: "sagemaker.domains", run: collectSageMakerDomains},
	{name: "sagemaker.studio", run: collectSageMakerStudio},
	{name: "glue.jobs", run: collectGlueJobs},
	{name: "glue.mlTransforms", run: collectGlueMLTransforms},
	{name: "athena.dataCatalogs", run: collectAthenaDataCatalogs},
	{name: "athena.preparedStatements", run: collectAthenaPreparedStatements},
	{name: "frauddetector", run: collectFraudDetector},
}

// Snapshot collects one account and region with cfg's credentials. A part whose API is
// not available (not implemented by the endpoint, not permitted to the role, not
// subscribed) is recorded in Skipped and its facts left absent. It returns an error when
// a part fails otherwise (throttled beyond the SDK's retries, the network, bad
// credentials) or ctx ends, so that the collection is retried.
func (inv *Inventory) Snapshot(ctx context.Context, cfg aws.Config, o Options) (*Snapshot, error) {
	if o.Region == "" {
		o.Region = cfg.Region
	}
	cfg = cfg.Copy()
	cfg.Region = o.Region
	now := time.Now
	if inv.Now != nil {
		now = inv.Now
	}
	n := inv.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	r := &run{cfg: cfg, account: o.Account, region: o.Region, partition: awsconf.Partition(o.Region),
		captured: now().UTC().Format(time.RFC3339), sem: make(chan struct{}, n),
		snap: &Snapshot{Account: map[string]any{"accountId": o.Account, "region": o.Region}}}
	recorded, err := configPlan(ctx, r, inv.Source, o.Global)
	if err != nil {
		return nil, fmt.Errorf("inventory of account %s in %s: %w", o.Account, o.Region, err)
	}
	todo := parts
	if len(recorded) > 0 {
		r.recorded = make(map[string]bool, len(recorded))
		for _, t := range recorded {
			r.recorded[t] = true
		}
		r.snap.FromConfig = recorded
		retry := defaultConfigRetry
		if inv.ConfigRetry != nil {
			retry = *inv.ConfigRetry
		}
		todo = append(slices.Clip(parts), part{name: configPart, run: func(ctx context.Context, r *run) error { return collectConfig(ctx, r, retry) }})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for _, p := range todo {
		if p.global && !o.Global || r.skipsPart(p.name) {
			continue
		}
		g.Go(func() error {
			err := p.run(gctx, r)
			if err == nil {
				return nil
			}
			if unavailable(err) && gctx.Err() == nil {
				r.skip(p.name, err)
				return nil
			}
			return fmt.Errorf("%s: %w", p.name, err)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("inventory of account %s in %s: %w", o.Account, o.Region, err)
	}
	return r.snap, nil
}

// run is one snapshot being collected; parts add to it from several goroutines.
type run struct {
	cfg                                  aws.Config
	account, region, partition, captured string
	sem                                  chan struct{}
	// recorded are the resource types read from AWS Config; the parts' items of these
	// types are dropped.
	recorded map[string]bool

	mu   sync.Mutex
	snap *Snapshot
}

// add appends CIs, filling in what every item of the run shares, but not those of the
// types read from AWS Config.
func (r *run) add(items ...Item) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range items {
		if r.recorded[it.ResourceType] {
			continue
		}
		it.Version, it.CaptureTime, it.Status = "1.3", r.captured, "OK"
		it.AccountID = r.account
		if it.Region == "" {
			it.Region = r.region
		}
		r.snap.Items = append(r.snap.Items, it)
	}
}

// addRecorded appends CIs read from AWS Config, as Config recorded them.
func (r *run) addRecorded(items ...Item) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snap.Items = append(r.snap.Items, items...)
}

// fact sets the account fact key (nil is a fact: none).
func (r *run) fact(key string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snap.Account[key] = v
}

func (r *run) skip(part string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snap.Skipped = append(r.snap.Skipped, Skip{Part: part, Error: err.Error()})
}

// each calls fn(i) for i in [0, n), at most the run's concurrency at once across the
// whole run, and returns the first error.
func (r *run) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for i := range n {
		select {
		case r.sem <- struct{}{}:
		case <-gctx.Done():
			_ = g.Wait()
			return gctx.Err()
		}
		g.Go(func() error {
			defer func() { <-r.sem }()
			return fn(gctx, i)
		})
	}
	return g.Wait()
}

// arn builds an ARN in the run's partition.
func (r *run) arn(service, region, resource string) string {
	return "arn:" + r.partition + ":" + service + ":" + region + ":" + r.account + ":" + resource
}

// unavailableCodes are API error codes that mean the call cannot be made here: the
// endpoint does not implement it, the role may not make it, or the account has not
// opted in. They are recorded, not retried.
var unavailableCodes = map[string]bool{
	"NotImplemented": true, "InvalidAction": true, "UnknownOperationException": true,
	"UnsupportedOperation": true, "UnsupportedOperationException": true,
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"AuthorizationError": true, "OptInRequired": true, "SubscriptionRequiredException": true,
}

// unavailable reports whether err says the API cannot be used here (see
// unavailableCodes); is an HTTP 404 or 501 without an AWS error code, which is how an
// emulator such as moto answers an operation it lacks; or is a DNS answer that the
// endpoint's host does not exist, which is how a service not offered in the region
// shows (WAF Classic regional in the newest regions, say).
func unavailable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && unavailableCodes[ae.ErrorCode()] {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() == 404 || re.HTTPStatusCode() == 501) {
		return !errors.As(err, &ae) || ae.ErrorCode() == "" || ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "404"
	}
	return false
}

// errorCode returns err's AWS error code, "" when it has none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// timeString formats an SDK time for a CI, "" for nil.
func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// tagMap returns AWS tags, read with kv, as a map; nil when there are none.
func tagMap[T any](tags []T, kv func(T) (key, value *string)) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		m[aws.ToString(k)] = aws.ToString(v)
	}
	return m
}
