package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	inspectortypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
)

// collectInspectorStatus records Amazon Inspector's BatchGetAccountStatus accounts for
// the snapshot's account (the fact inspector2.accounts), under the API's member names:
// accountId, state {status}, resourceState {ec2, ecr, lambda, lambdaCode,
// codeRepository: {status}}. An account that never enabled Inspector is reported
// DISABLED by AWS, so the list is the account's state either way.
func collectInspectorStatus(ctx context.Context, r *run) error {
	in := &inspector2.BatchGetAccountStatusInput{}
	if r.account != "" {
		in.AccountIds = []string{r.account}
	}
	out, err := inspector2.NewFromConfig(r.cfg).BatchGetAccountStatus(ctx, in)
	if err != nil {
		return err
	}
	state := func(s *inspectortypes.State) map[string]string {
		if s == nil {
			return nil
		}
		return map[string]string{"status": string(s.Status)}
	}
	accounts := []map[string]any{}
	for _, a := range out.Accounts {
		m := map[string]any{"accountId": aws.ToString(a.AccountId)}
		if s := state(a.State); s != nil {
			m["state"] = s
		}
		if rs := a.ResourceState; rs != nil {
			res := map[string]any{}
			for k, s := range map[string]*inspectortypes.State{"ec2": rs.Ec2, "ecr": rs.Ecr, "lambda": rs.Lambda, "lambdaCode": rs.LambdaCode, "codeRepository": rs.CodeRepository} {
				if st := state(s); st != nil {
					res[k] = st
				}
			}
			m["resourceState"] = res
		}
		accounts = append(accounts, m)
	}
	r.fact("inspector2.accounts", accounts)
	return nil
}

// collectAccessAnalyzers records IAM Access Analyzer's analyzers in the region (the
// fact accessanalyzer.analyzers: ListAnalyzers' analyzers, every type, with arn, name,
// type and status).
func collectAccessAnalyzers(ctx context.Context, r *run) error {
	analyzers := []map[string]string{}
	p := accessanalyzer.NewListAnalyzersPaginator(accessanalyzer.NewFromConfig(r.cfg), &accessanalyzer.ListAnalyzersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range out.Analyzers {
			analyzers = append(analyzers, map[string]string{"arn": aws.ToString(a.Arn), "name": aws.ToString(a.Name),
				"type": string(a.Type), "status": string(a.Status)})
		}
	}
	r.fact("accessanalyzer.analyzers", analyzers)
	return nil
}
