package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// awsDataCatalog is the catalog Athena gives every account, backed by the Glue Data
// Catalog; no one creates, describes or deletes it, so it is not recorded.
const awsDataCatalog = "AwsDataCatalog"

// collectAthenaDataCatalogs records Athena data catalogs (AWS::Athena::DataCatalog, the
// name as resource id) with GetDataCatalog's members (Name, Description, Type,
// Parameters) and their tags.
func collectAthenaDataCatalogs(ctx context.Context, r *run) error {
	c := athena.NewFromConfig(r.cfg)
	var names []string
	p := athena.NewListDataCatalogsPaginator(c, &athena.ListDataCatalogsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, d := range out.DataCatalogsSummary {
			if name := aws.ToString(d.CatalogName); name != awsDataCatalog {
				names = append(names, name)
			}
		}
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.GetDataCatalog(ctx, &athena.GetDataCatalogInput{Name: aws.String(names[i])})
		if errorCode(err) == "InvalidRequestException" || errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		conf, err := apiMembersJSON(out.DataCatalog)
		if err != nil {
			return err
		}
		arn := r.arn("athena", r.region, "datacatalog/"+names[i])
		tags, err := athenaTags(ctx, c, arn)
		if err != nil {
			return err
		}
		r.add(Item{ARN: arn, ResourceType: "AWS::Athena::DataCatalog", ResourceID: names[i], ResourceName: names[i], Zone: "Regional", Tags: tags, Configuration: conf})
		return nil
	})
}

// collectAthenaPreparedStatements records the prepared statements of every workgroup
// (AWS::Athena::PreparedStatement, resource id STATEMENT|WORKGROUP, CloudFormation's
// identifier) with GetPreparedStatement's members under CloudFormation's names
// (StatementName, WorkGroup, QueryStatement, Description). A workgroup whose statements
// Athena refuses to list (InvalidRequestException) contributes none. A statement has no ARN of its
// own, so the CI has none.
func collectAthenaPreparedStatements(ctx context.Context, r *run) error {
	c := athena.NewFromConfig(r.cfg)
	var groups []string
	wp := athena.NewListWorkGroupsPaginator(c, &athena.ListWorkGroupsInput{})
	for wp.HasMorePages() {
		out, err := wp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, w := range out.WorkGroups {
			groups = append(groups, aws.ToString(w.Name))
		}
	}
	type statement struct{ name, group string }
	var stmts []statement
	for _, g := range groups {
		sp := athena.NewListPreparedStatementsPaginator(c, &athena.ListPreparedStatementsInput{WorkGroup: aws.String(g)})
		for sp.HasMorePages() {
			out, err := sp.NextPage(ctx)
			if errorCode(err) == "InvalidRequestException" {
				break // a workgroup that cannot hold statements (disabled, or deleted since listed)
			}
			if err != nil {
				return err
			}
			for _, s := range out.PreparedStatements {
				stmts = append(stmts, statement{aws.ToString(s.StatementName), g})
			}
		}
	}
	return r.each(ctx, len(stmts), func(ctx context.Context, i int) error {
		s := stmts[i]
		out, err := c.GetPreparedStatement(ctx, &athena.GetPreparedStatementInput{StatementName: aws.String(s.name), WorkGroup: aws.String(s.group)})
		if errorCode(err) == "ResourceNotFoundException" || errorCode(err) == "InvalidRequestException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		m, err := genericObject(out.PreparedStatement)
		if err != nil {
			return err
		}
		delete(m, "LastModifiedTime")
		if v, ok := m["WorkGroupName"]; ok {
			m["WorkGroup"] = v
			delete(m, "WorkGroupName")
		}
		conf, err := json.Marshal(dropEmpty(m))
		if err != nil {
			return err
		}
		id := s.name + "|" + s.group
		r.add(Item{ResourceType: "AWS::Athena::PreparedStatement", ResourceID: id, ResourceName: s.name,
			Zone: "Regional", Configuration: conf})
		return nil
	})
}

// athenaTags returns the tags of an Athena resource (ListTagsForResource, every page).
func athenaTags(ctx context.Context, c *athena.Client, arn string) (map[string]string, error) {
	var tags []athenatypes.Tag
	p := athena.NewListTagsForResourcePaginator(c, &athena.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		tags = append(tags, out.Tags...)
	}
	return tagMap(tags, func(t athenatypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}
