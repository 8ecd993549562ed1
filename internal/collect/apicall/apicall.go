// Package apicall collects AWS_API_Call evidence: the response of one read-only AWS API
// call (the source's keyword, service_Action such as iam_ListUsers), made in the task's
// account on the source's frequency, kept whole in the ledger's blob store.
package apicall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
)

// Keywords returns the allowlist, sorted: the keywords Collect calls.
func Keywords() []string {
	out := make([]string, 0, len(calls))
	for k := range calls {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Validate returns nil when kw is on the allowlist, else an EINVALID error that lists it.
func Validate(kw string) error {
	if _, ok := calls[kw]; ok {
		return nil
	}
	return probity.Errorf(probity.EINVALID, "AWS_API_Call keyword %q is not one of the read-only calls Probity makes: %s",
		kw, strings.Join(Keywords(), ", "))
}

// Collector makes the allowlisted call of a source.
//
// What a collection returns, for the task's account: one configuration-data evidence per
// region collected in (one in all for a global call: IAM, S3's ListBuckets), whose blob is
// the call's response as indented JSON (every page of a paginated call, the SDK's metadata
// left out) and whose attributes give the region, the blob's SHA-256 and size. The
// evidence's eventSource and eventName are the call's (iam.amazonaws.com, ListUsers). The
// blob is stored before the evidence is returned; a repeated collection stores the same
// bytes again only when the response changed.
type Collector struct {
	Accounts *target.Accounts
	// Blobs keeps the responses: the ledger's blob store.
	Blobs evidence.Blobs
}

var _ jobs.Collector = (*Collector)(nil)

// Collect implements jobs.Collector. It returns Validate's error for a keyword outside the
// allowlist, before any call is made; an error when there is no blob store; and the AWS
// error, with its region, when the call fails.
func (c *Collector) Collect(ctx context.Context, task jobs.Task) ([]probity.Evidence, error) {
	kw := ""
	if k := task.Source.SourceKeyword; k != nil {
		kw = k.KeywordValue
	}
	if err := Validate(kw); err != nil {
		return nil, err
	}
	if c.Blobs == nil {
		return nil, probity.Errorf(probity.EINVALID, "AWS_API_Call %s: no blob store to keep the response in (set --blobs)", kw)
	}
	cl := calls[kw]
	service, action, _ := strings.Cut(kw, "_")
	cfg, err := c.Accounts.Config(ctx, task.Target)
	if err != nil {
		return nil, err
	}
	one := func(ctx context.Context, region string) ([]probity.Evidence, error) {
		rcfg := cfg.Copy()
		rcfg.Region = region
		resp, err := cl.do(ctx, c.Accounts, rcfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kw, err)
		}
		body, err := json.MarshalIndent(resp, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: encode the response: %w", kw, err)
		}
		digest, size, err := c.Blobs.Put(ctx, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%s: keep the response: %w", kw, err)
		}
		return []probity.Evidence{{
			EvidenceByType: probity.EvidenceTypeConfigurationData,
			EventSource:    service + ".amazonaws.com",
			EventName:      action,
			AWSAccountID:   task.Target,
			Blobs:          []string{digest},
			Attributes: map[string]string{
				"region": region, "sha256": digest, "size": strconv.FormatInt(size, 10), "contentType": "application/json",
			},
		}}, nil
	}
	if cl.global {
		return one(ctx, cfg.Region)
	}
	return c.Accounts.EachRegion(ctx, cfg, one)
}
