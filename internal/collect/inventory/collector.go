package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
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
// is not cached, so the task's retry collects it again. The first task of an assessment
// to need a snapshot evaluates, in one pass over it, its own rule and the rules of its
// siblings (Task.Siblings) not yet evaluated there, and the entry keeps every rule's
// results (or error) for the tasks that follow: the snapshot is decoded once per
// assessment, not once per rule. Results are as of that pass's clock.
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
	batch := batchOf(check, task.Siblings)
	regions := c.Accounts.RegionsOf(cfg)
	perRegion := make([][]probity.Evidence, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(regionConcurrency)
	for i, region := range regions {
		g.Go(func() error {
			var err error
			perRegion[i], err = c.regionEvidence(gctx, cfg, task, region, i == 0, check, batch)
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

// regionEvidence returns the evidence of check in the snapshot of (task's target, region,
// window): from the results the snapshot's entry keeps, or from a pass over it that
// evaluates check together with every check of batch not yet evaluated there.
func (c *Collector) regionEvidence(ctx context.Context, cfg aws.Config, task jobs.Task, region string, global bool, check *rules.Check, batch []*rules.Check) ([]probity.Evidence, error) {
	e, err := c.cached(ctx, cfg, task.Target, region, global, task.Window.String())
	if err != nil {
		return nil, err
	}
	ev := e.evaluated(check, batch, region, rules.Env{Now: c.now()})
	if ev.err != nil {
		return nil, ev.err
	}
	return ev.evidence(check.Rule.ID, region), nil
}

// batchOf returns the checks a pass over a snapshot evaluates for check: check, then
// the managed rules that the AWS_Config siblings name and that run with their defaults
// (any other sibling fails its own task, not this one), each once.
func batchOf(check *rules.Check, siblings []probity.ControlMappingSource) []*rules.Check {
	batch := []*rules.Check{check}
	seen := map[string]bool{check.Rule.ID: true}
	for _, s := range siblings {
		if s.SourceType != probity.SourceTypeConfig || s.SourceKeyword == nil || seen[s.SourceKeyword.KeywordValue] {
			continue
		}
		seen[s.SourceKeyword.KeywordValue] = true
		rule, err := rules.Get(s.SourceKeyword.KeywordValue)
		if err != nil {
			continue
		}
		if c, err := rule.Bind(nil); err == nil {
			batch = append(batch, c)
		}
	}
	return batch
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

// cached returns the cache entry of the encoded snapshot of (account, region, window),
// collecting the snapshot when no task has.
func (c *Collector) cached(ctx context.Context, cfg aws.Config, account, region string, global bool, window string) (*cacheEntry, error) {
	size := c.CacheSize
	if size <= 0 {
		size = DefaultCacheSize
	}
	return c.cache.entry(ctx, size, cacheKey{account, region, window}, func(ctx context.Context) ([]byte, error) {
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
	evs, errs := EvaluateAll([]*rules.Check{check}, snapshot, region, env)
	return evs[0], errs[0]
}

// EvaluateAll evaluates every check against an encoded snapshot of region in one pass,
// decoding each item once and running on it only the checks whose rules are in scope of
// its resource type. For each check it returns, at the check's index, what Evaluate
// returns for that check alone: its evidence, or the error that stopped it (one check's
// error does not stop the others). A snapshot that does not decode fails every check.
func EvaluateAll(checks []*rules.Check, snapshot []byte, region string, env rules.Env) ([][]probity.Evidence, []error) {
	evals := evaluatePass(checks, snapshot, region, env)
	evs, errs := make([][]probity.Evidence, len(checks)), make([]error, len(checks))
	for i, ev := range evals {
		if errs[i] = ev.err; ev.err == nil {
			evs[i] = ev.evidence(checks[i].Rule.ID, region)
		}
	}
	return evs, errs
}

// evaluation is what a pass over a snapshot gave one check: its results, each with the
// ARN of its resource, in the snapshot's order, or the error that stopped the check.
type evaluation struct {
	results []located
	err     error
	// account is the account facts the check's last item saw, as its env.Account.
	account *ci.Account
	saw     bool
}

type located struct {
	res rules.Result
	arn string
}

// evidence returns the evaluation's evidence, one per result.
func (ev *evaluation) evidence(ruleID, region string) []probity.Evidence {
	var out []probity.Evidence
	for _, l := range ev.results {
		out = append(out, evidenceOf(ruleID, l.res, l.arn, region))
	}
	return out
}

// evaluatePass decodes the snapshot once and evaluates the checks on it, dispatching each
// item to the checks in scope of its resource type, then runs the account-level checks on
// the snapshot's account facts. The evaluations are at the checks' indexes. Checks whose
// rules read related items (load balancers and their listeners) need the whole snapshot
// before they judge an item: each has a pass of its own (evaluateRelated).
func evaluatePass(checks []*rules.Check, snapshot []byte, region string, env rules.Env) []evaluation {
	out := make([]evaluation, len(checks))
	byType := map[string][]int{}
	related := make([]bool, len(checks))
	for i, c := range checks {
		if len(c.Rule.Related) > 0 {
			related[i] = true
			out[i] = evaluateRelated(c, snapshot, region, env)
			continue
		}
		for _, t := range c.Rule.Scope {
			if !slices.Contains(byType[t], i) {
				byType[t] = append(byType[t], i)
			}
		}
	}
	initial := env.Account
	dec := ci.NewDecoder(bytes.NewReader(snapshot))
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			for i := range out {
				if out[i].err == nil && !related[i] {
					out[i] = evaluation{err: err}
				}
			}
			return out
		}
		for _, i := range byType[it.ResourceType] {
			if out[i].err != nil {
				continue
			}
			if env.Account == nil {
				env.Account = dec.Account()
			}
			res, err := checks[i].EvaluateItem(it, env)
			if err != nil {
				out[i] = evaluation{err: err}
				continue
			}
			out[i].results = append(out[i].results, located{res, it.ARN})
			out[i].account, out[i].saw = env.Account, true
		}
	}
	acct := dec.Account()
	for i, c := range checks {
		if out[i].err != nil || related[i] {
			continue
		}
		// As in a pass of its own, the check's env holds the account facts as they
		// were at its last item (the facts precede the items in a collector's snapshot).
		cenv := rules.Env{Now: env.Now, Account: initial}
		if out[i].saw {
			cenv.Account = out[i].account
		}
		results, err := c.EvaluateAccount(acct, cenv)
		if err != nil {
			out[i] = evaluation{err: err}
			continue
		}
		for _, res := range results {
			out[i].results = append(out[i].results, located{res, resultARN(acct, region, res)})
		}
	}
	return out
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

// evaluateRelated evaluates a check whose rule reads related items with
// rules.EvaluateRelated, on a decoder of its own.
func evaluateRelated(check *rules.Check, snapshot []byte, region string, env rules.Env) evaluation {
	var ev evaluation
	dec := ci.NewDecoder(bytes.NewReader(snapshot))
	ev.err = rules.EvaluateRelated(check, dec, env, func(it *ci.Item, res rules.Result) error {
		arn := resultARN(dec.Account(), region, res)
		if it != nil {
			arn = it.ARN
		}
		ev.results = append(ev.results, located{res, arn})
		return nil
	})
	if ev.err != nil {
		ev.results = nil
	}
	return ev
}
