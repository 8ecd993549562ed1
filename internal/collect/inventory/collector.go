package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/errgroup"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/rules"
)

var _ jobs.Collector = (*Collector)(nil)

// DefaultCacheSize is how many snapshots a Collector keeps by default.
const DefaultCacheSize = 32

// regionConcurrency bounds the regions one collection inventories at once.
const regionConcurrency = 4

// Collector is the AWS_Config collector. A source's keyword is a managed rule identifier
// (rules.Get); for the task's target account and each region it takes that account's
// inventory snapshot and evaluates the rule, and returns one compliance-check evidence
// per result: per resource the rule evaluates, NOT_APPLICABLE results included, as
// Audit Manager shows them (they count as inconclusive). Account-level results name
// the account (arn:PARTITION:iam::ACCOUNT:root), the user, trail, key or document.
//
// The many controls of one assessment share one snapshot per (account, region,
// window): the Collector caches the encoded snapshots, at most CacheSize of them,
// and collects each once even when tasks ask for it at the same time. A failed snapshot
// is not cached, so the task's retry collects it again.
//
// Sources carry no rule parameters in Audit Manager's model, so each rule is evaluated
// with its defaults; a rule with a required parameter (IAM_POLICY_IN_USE) fails the
// collection, naming it.
type Collector struct {
	// Accounts reaches the target accounts (the role assumed in each, adaptive retries)
	// and names the regions inventoried in each: the first also holds the global
	// resources (IAM, Organizations).
	Accounts *target.Accounts
	// Inventory collects the snapshots; nil means the zero Inventory.
	Inventory *Inventory
	// CacheSize bounds the snapshots kept (default DefaultCacheSize).
	CacheSize int
	// Now is the clock of age-based rules (default time.Now).
	Now func() time.Time

	cache snapshotCache
}

// Collect implements jobs.Collector for AWS_Config sources. It returns an EINVALID error
// for a keyword that is no managed rule or a rule that cannot run with its defaults,
// and the AWS error of an account that cannot be reached or inventoried.
func (c *Collector) Collect(ctx context.Context, task jobs.Task) ([]probity.Evidence, error) {
	if task.Source.SourceKeyword == nil || task.Source.SourceKeyword.KeywordValue == "" {
		return nil, probity.Errorf(probity.EINVALID, "AWS_Config source %q has no keyword: it must name a managed rule", task.Source.SourceName)
	}
	rule, err := rules.Get(task.Source.SourceKeyword.KeywordValue)
	if err != nil {
		return nil, err
	}
	check, err := rule.Bind(nil)
	if err != nil {
		return nil, fmt.Errorf("%w (AWS_Config sources take no parameters, so the rule runs with its defaults)", err)
	}
	cfg, err := c.Accounts.Config(ctx, task.Target)
	if err != nil {
		return nil, err
	}
	regions := c.Accounts.RegionsOf(cfg)
	perRegion := make([][]probity.Evidence, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(regionConcurrency)
	for i, region := range regions {
		g.Go(func() error {
			data, err := c.cached(gctx, cfg, task.Target, region, i == 0, task.Window.String())
			if err != nil {
				return err
			}
			perRegion[i], err = Evaluate(check, data, region, rules.Env{Now: c.now()})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []probity.Evidence
	for _, evs := range perRegion {
		out = append(out, evs...)
	}
	return out, nil
}

// Snapshot inventories account in region now, uncached: what `probity collect
// --snapshot` writes. The first of the Collector's regions holds the global resources.
// It returns the errors of Collect.
func (c *Collector) Snapshot(ctx context.Context, account, region string) (*Snapshot, error) {
	cfg, err := c.Accounts.Config(ctx, account)
	if err != nil {
		return nil, err
	}
	return c.inventory().Snapshot(ctx, cfg, Options{Account: account, Region: region, Global: region == c.Accounts.RegionsOf(cfg)[0]})
}

// RegionList returns the regions the Collector inventories in account, once it is
// reached; it returns the error of reaching it.
func (c *Collector) RegionList(ctx context.Context, account string) ([]string, error) {
	cfg, err := c.Accounts.Config(ctx, account)
	if err != nil {
		return nil, err
	}
	return c.Accounts.RegionsOf(cfg), nil
}

func (c *Collector) inventory() *Inventory {
	if c.Inventory == nil {
		return &Inventory{}
	}
	return c.Inventory
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// cached returns the encoded snapshot of (account, region, window), collecting it when
// no task has.
func (c *Collector) cached(ctx context.Context, cfg aws.Config, account, region string, global bool, window string) ([]byte, error) {
	size := c.CacheSize
	if size <= 0 {
		size = DefaultCacheSize
	}
	return c.cache.get(ctx, size, cacheKey{account, region, window}, func(ctx context.Context) ([]byte, error) {
		snap, err := c.inventory().Snapshot(ctx, cfg, Options{Account: account, Region: region, Global: global})
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if _, err := snap.WriteTo(&buf); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
}

// Evaluate evaluates check against an encoded snapshot of region and returns one
// compliance-check evidence per result, in the snapshot's order (items, then
// account-level results). It fails when the snapshot does not decode or a resource's
// configuration does not have the shape the rule reads.
func Evaluate(check *rules.Check, snapshot []byte, region string, env rules.Env) ([]probity.Evidence, error) {
	dec := ci.NewDecoder(bytes.NewReader(snapshot))
	var out []probity.Evidence
	if len(check.Rule.Related) > 0 { // the rule reads related items: rules.EvaluateRelated
		err := rules.EvaluateRelated(check, dec, env, func(it *ci.Item, res rules.Result) error {
			var arn string
			if it != nil {
				arn = it.ARN
			} else {
				arn = resultARN(dec.Account(), region, res)
			}
			out = append(out, evidenceOf(check.Rule.ID, res, arn, region))
			return nil
		})
		return out, err
	}
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !check.Rule.InScope(it.ResourceType) {
			continue
		}
		if env.Account == nil {
			env.Account = dec.Account()
		}
		res, err := check.EvaluateItem(it, env)
		if err != nil {
			return nil, err
		}
		out = append(out, evidenceOf(check.Rule.ID, res, it.ARN, region))
	}
	acct := dec.Account()
	results, err := check.EvaluateAccount(acct, env)
	if err != nil {
		return nil, err
	}
	for _, res := range results {
		out = append(out, evidenceOf(check.Rule.ID, res, resultARN(acct, region, res), region))
	}
	return out, nil
}

// evidenceOf returns the evidence of one result. Its resource's value is the result as
// `probity rules eval` prints it.
func evidenceOf(ruleID string, res rules.Result, arn, region string) probity.Evidence {
	value, _ := json.Marshal(res)
	if len(value) > 2048 {
		res.Annotation = res.Annotation[:min(len(res.Annotation), 1024)]
		value, _ = json.Marshal(res)
	}
	attrs := map[string]string{"configRuleName": ruleID, "resourceType": res.ResourceType, "resourceId": res.ResourceID, "awsRegion": region}
	if res.Annotation != "" {
		attrs["annotation"] = res.Annotation
	}
	return probity.Evidence{
		EvidenceByType:    probity.EvidenceTypeComplianceCheck,
		EventSource:       "config.amazonaws.com",
		EventName:         ruleID,
		ComplianceCheck:   string(res.ComplianceType),
		ResourcesIncluded: []probity.EvidenceResource{{ARN: arn, Value: string(value), ComplianceCheck: string(res.ComplianceType)}},
		Attributes:        attrs,
	}
}

// resultARN names the resource of an account-level result.
func resultARN(acct *ci.Account, region string, res rules.Result) string {
	p := "arn:" + awsconf.Partition(region) + ":"
	id := res.ResourceID
	account := ""
	if acct != nil {
		account = acct.AccountID
	}
	switch res.ResourceType {
	case rules.AccountResourceType:
		return p + "iam::" + id + ":root"
	case "AWS::IAM::User":
		return p + "iam::" + account + ":user/" + id
	case "AWS::KMS::Key":
		return p + "kms:" + region + ":" + account + ":key/" + id
	case "AWS::SSM::Document":
		return p + "ssm:" + region + ":" + account + ":document/" + id
	}
	if len(id) > 4 && id[:4] == "arn:" {
		return id
	}
	return ""
}
