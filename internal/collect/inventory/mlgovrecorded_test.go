package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// mlRecordedServer answers the JSON-protocol operations of responses (by X-Amz-Target)
// with the recorded body that the function returns for the request's body ("" meaning
// "forward"; a body naming an error __type is sent with status 400), and forwards every
// other request to moto.
func mlRecordedServer(t *testing.T, m *mototest.Server, responses map[string]func(body map[string]any) string) string {
	t.Helper()
	return recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		answer := responses[c.Op]
		if answer == nil {
			return 0, "", false
		}
		var body map[string]any
		_ = json.Unmarshal(c.Body, &body)
		out := answer(body)
		if strings.HasPrefix(out, `{"__type"`) {
			return http.StatusBadRequest, out, true
		}
		return http.StatusOK, out, out != ""
	})
}

// TestSageMakerStudioGlueTransformsAndStatements collects SageMaker images, app image
// configurations and feature groups, Glue ML transforms and Athena prepared statements
// from recorded responses: moto lacks ListImages, DescribeImage, ListAppImageConfigs,
// DescribeAppImageConfig, ListFeatureGroups (and its DescribeFeatureGroup fails),
// GetMLTransforms and ListPreparedStatements, so an httptest server answers them, and
// ListTags and GetTags for those resources, with AWS's documented JSON shapes (the lists
// in two pages) and forwards every other request to moto (GetPreparedStatement reads the
// statements created in moto; ListPreparedStatements refuses the workgroup closed, which
// contributes no statement). It checks the CIs and the description, encryption and tag
// rules on them.
func TestSageMakerStudioGlueTransformsAndStatements(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	sm := "arn:aws:sagemaker:" + region + ":" + account + ":"
	glueArn := "arn:aws:glue:" + region + ":" + account + ":mlTransform/"
	page := func(b map[string]any, first, second string) string {
		if b["NextToken"] == nil {
			return first
		}
		return second
	}
	tags := map[string]string{
		sm + "image/base":                  `{"Tags":[{"Key":"team","Value":"ml"}]}`,
		sm + "image/scratch":               `{"Tags":[]}`,
		sm + "app-image-config/kernel":     `{"Tags":[{"Key":"aws:cloudformation:stack-name","Value":"s"}]}`,
		sm + "feature-group/customers":     `{"Tags":[{"Key":"team","Value":"ml"}]}`,
		glueArn + "tfm-0123456789abcdef01": `{"Tags":{"team":"data"}}`,
		glueArn + "tfm-fedcba987654321001": `{"Tags":{}}`,
	}
	transform := func(id, name, encryption string) string {
		return `{"TransformId":"` + id + `","Name":"` + name + `","Status":"READY","CreatedOn":1714521600,"LastModifiedOn":1714521600,` +
			`"InputRecordTables":[{"DatabaseName":"crm","TableName":"people"}],` +
			`"Parameters":{"TransformType":"FIND_MATCHES","FindMatchesParameters":{"PrimaryKeyColumnName":"id","PrecisionRecallTradeoff":0.5,"AccuracyCostTradeoff":0.5,"EnforceProvidedLabels":false}},` +
			`"EvaluationMetrics":{"TransformType":"FIND_MATCHES"},"LabelCount":0,"Schema":[{"Name":"id","DataType":"string"}],` +
			`"Role":"arn:aws:iam::123456789012:role/glue","GlueVersion":"2.0","WorkerType":"G.1X","NumberOfWorkers":10,"Timeout":2880,"MaxRetries":0,` +
			`"TransformEncryption":` + encryption + `}`
	}
	responses := map[string]func(map[string]any) string{
		"SageMaker.ListImages": func(b map[string]any) string {
			return page(b, `{"Images":[{"ImageName":"base","ImageArn":"`+sm+`image/base","ImageStatus":"CREATED","CreationTime":1714521600}],"NextToken":"2"}`,
				`{"Images":[{"ImageName":"scratch","ImageArn":"`+sm+`image/scratch","ImageStatus":"CREATED","CreationTime":1714521600}]}`)
		},
		"SageMaker.DescribeImage": func(b map[string]any) string {
			name := b["ImageName"].(string)
			desc := `"Description":"Base image for training","DisplayName":"Base",`
			if name == "scratch" {
				desc = ""
			}
			return `{"ImageName":"` + name + `","ImageArn":"` + sm + `image/` + name + `",` + desc + `"RoleArn":"arn:aws:iam::123456789012:role/sm","ImageStatus":"CREATED","CreationTime":1714521600,"LastModifiedTime":1714521600}`
		},
		"SageMaker.ListAppImageConfigs": func(b map[string]any) string {
			return `{"AppImageConfigs":[{"AppImageConfigName":"kernel","AppImageConfigArn":"` + sm + `app-image-config/kernel","CreationTime":1714521600}]}`
		},
		"SageMaker.DescribeAppImageConfig": func(b map[string]any) string {
			return `{"AppImageConfigName":"kernel","AppImageConfigArn":"` + sm + `app-image-config/kernel","CreationTime":1714521600,` +
				`"KernelGatewayImageConfig":{"KernelSpecs":[{"Name":"python3","DisplayName":"Python 3"}],"FileSystemConfig":{"MountPath":"/home/sagemaker-user","DefaultUid":1000,"DefaultGid":100}}}`
		},
		"SageMaker.ListFeatureGroups": func(b map[string]any) string {
			return `{"FeatureGroupSummaries":[{"FeatureGroupName":"customers","FeatureGroupArn":"` + sm + `feature-group/customers","CreationTime":1714521600,"FeatureGroupStatus":"Created"}]}`
		},
		"SageMaker.DescribeFeatureGroup": func(b map[string]any) string {
			return `{"FeatureGroupName":"customers","FeatureGroupArn":"` + sm + `feature-group/customers","RecordIdentifierFeatureName":"id","EventTimeFeatureName":"t",` +
				`"FeatureDefinitions":[{"FeatureName":"id","FeatureType":"String"},{"FeatureName":"t","FeatureType":"String"}],"CreationTime":1714521600,` +
				`"OnlineStoreConfig":{"EnableOnlineStore":true},"FeatureGroupStatus":"Created","NextToken":""}`
		},
		"SageMaker.ListTags": func(b map[string]any) string { return tags[b["ResourceArn"].(string)] },
		"AWSGlue.GetMLTransforms": func(b map[string]any) string {
			return page(b, `{"Transforms":[`+transform("tfm-0123456789abcdef01", "dedupe", `{"MlUserDataEncryption":{"MlUserDataEncryptionMode":"SSE-KMS","KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/k"}}`)+`],"NextToken":"2"}`,
				`{"Transforms":[`+transform("tfm-fedcba987654321001", "plain", `{"MlUserDataEncryption":{"MlUserDataEncryptionMode":"DISABLED"}}`)+`]}`)
		},
		"AWSGlue.GetTags": func(b map[string]any) string { return tags[b["ResourceArn"].(string)] },
		"AmazonAthena.ListPreparedStatements": func(b map[string]any) string {
			switch b["WorkGroup"] {
			case "closed":
				return `{"__type":"InvalidRequestException","Message":"WorkGroup closed is disabled"}`
			case "primary":
			default:
				return `{"PreparedStatements":[]}`
			}
			return page(b, `{"PreparedStatements":[{"StatementName":"top10","LastModifiedTime":1714521600}],"NextToken":"2"}`,
				`{"PreparedStatements":[{"StatementName":"adhoc","LastModifiedTime":1714521600}]}`)
		},
	}
	a := athena.NewFromConfig(m.Config())
	_, err := a.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("closed")})
	must(t, err)
	_, err = a.CreatePreparedStatement(ctx, &athena.CreatePreparedStatementInput{StatementName: aws.String("top10"), WorkGroup: aws.String("primary"),
		QueryStatement: aws.String("SELECT * FROM sales LIMIT 10"), Description: aws.String("Ten best sellers")})
	must(t, err)
	_, err = a.CreatePreparedStatement(ctx, &athena.CreatePreparedStatementInput{StatementName: aws.String("adhoc"), WorkGroup: aws.String("primary"),
		QueryStatement: aws.String("SELECT ?")})
	must(t, err)

	cfg := m.ConfigPassing("SageMaker.ListImages", "SageMaker.ListAppImageConfigs", "SageMaker.ListFeatureGroups", "AWSGlue.GetMLTransforms", "AmazonAthena.ListPreparedStatements")
	cfg.BaseEndpoint = aws.String(mlRecordedServer(t, m, responses))
	items, _ := mlSnapshotWith(t, cfg)

	dataDiff(t, "images", map[string]mlCI{
		"base": {ARN: sm + "image/base", Name: "base", Tags: map[string]string{"team": "ml"},
			Config:  map[string]string{"ImageName": `"base"`, "ImageDescription": `"Base image for training"`, "ImageDisplayName": `"Base"`, "ImageRoleArn": `"arn:aws:iam::123456789012:role/sm"`},
			Results: map[string]string{"SAGEMAKER_IMAGE_DESCRIPTION": "COMPLIANT", "SAGEMAKER_IMAGE_TAGGED": "COMPLIANT"}},
		"scratch": {ARN: sm + "image/scratch", Name: "scratch", Config: map[string]string{"ImageName": `"scratch"`, "ImageRoleArn": `"arn:aws:iam::123456789012:role/sm"`},
			Results: map[string]string{"SAGEMAKER_IMAGE_DESCRIPTION": "NON_COMPLIANT", "SAGEMAKER_IMAGE_TAGGED": "NON_COMPLIANT"}},
	}, mlView(t, items, "AWS::SageMaker::Image", []string{"SAGEMAKER_IMAGE_DESCRIPTION", "SAGEMAKER_IMAGE_TAGGED"}, nil,
		"ImageName", "ImageDescription", "ImageDisplayName", "ImageRoleArn", "Description"))
	dataDiff(t, "app image configurations", map[string]mlCI{
		"kernel": {ARN: sm + "app-image-config/kernel", Name: "kernel", Tags: map[string]string{"aws:cloudformation:stack-name": "s"},
			Config:  map[string]string{"AppImageConfigName": `"kernel"`, "KernelGatewayImageConfig": `{"FileSystemConfig":{"DefaultGid":100,"DefaultUid":1000,"MountPath":"/home/sagemaker-user"},"KernelSpecs":[{"DisplayName":"Python 3","Name":"python3"}]}`},
			Results: map[string]string{"SAGEMAKER_APP_IMAGE_CONFIG_TAGGED": "NON_COMPLIANT"}},
	}, mlView(t, items, "AWS::SageMaker::AppImageConfig", []string{"SAGEMAKER_APP_IMAGE_CONFIG_TAGGED"}, nil, "AppImageConfigName", "KernelGatewayImageConfig"))
	dataDiff(t, "feature groups", map[string]mlCI{
		"customers": {ARN: sm + "feature-group/customers", Name: "customers", Tags: map[string]string{"team": "ml"},
			Config:  map[string]string{"FeatureGroupName": `"customers"`, "OnlineStoreConfig": `{"EnableOnlineStore":true}`},
			Results: map[string]string{"SAGEMAKER_FEATURE_GROUP_TAGGED": "COMPLIANT"}},
	}, mlView(t, items, "AWS::SageMaker::FeatureGroup", []string{"SAGEMAKER_FEATURE_GROUP_TAGGED"}, nil, "FeatureGroupName", "OnlineStoreConfig"))

	// The ML transforms' whole configuration, in AWS Config's example CI's shape.
	wantTransform := func(id, name, encryption, tags string) string {
		return `{"Id":"` + id + `","Name":"` + name + `","InputRecordTables":{"GlueTables":[{"DatabaseName":"crm","TableName":"people"}]},` +
			`"TransformParameters":{"TransformType":"FIND_MATCHES","FindMatchesParameters":{"PrimaryKeyColumnName":"id","PrecisionRecallTradeoff":0.5,"AccuracyCostTradeoff":0.5,"EnforceProvidedLabels":false}},` +
			`"Role":"arn:aws:iam::123456789012:role/glue","GlueVersion":"2.0","WorkerType":"G.1X","NumberOfWorkers":10,"Timeout":2880,"MaxRetries":0,` +
			`"TransformEncryption":` + encryption + `,"Tags":` + tags + `}`
	}
	transforms := map[string]string{}
	for _, it := range items {
		if it.ResourceType == "AWS::Glue::MLTransform" {
			transforms[it.ResourceID] = mlCanonicalJSON(t, string(it.Configuration))
		}
	}
	dataDiff(t, "ML transform configurations", map[string]string{
		"tfm-0123456789abcdef01": mlCanonicalJSON(t, wantTransform("tfm-0123456789abcdef01", "dedupe",
			`{"MLUserDataEncryption":{"MLUserDataEncryptionMode":"SSE-KMS","KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/k"}}`, `{"team":"data"}`)),
		"tfm-fedcba987654321001": mlCanonicalJSON(t, wantTransform("tfm-fedcba987654321001", "plain", `{"MLUserDataEncryption":{"MLUserDataEncryptionMode":"DISABLED"}}`, `{}`)),
	}, transforms)
	dataDiff(t, "ML transforms", map[string]mlCI{
		"tfm-0123456789abcdef01": {ARN: glueArn + "tfm-0123456789abcdef01", Name: "dedupe", Tags: map[string]string{"team": "data"}, Config: map[string]string{},
			Results: map[string]string{"GLUE_ML_TRANSFORM_ENCRYPTED_AT_REST": "COMPLIANT", "GLUE_ML_TRANSFORM_TAGGED": "COMPLIANT"}},
		"tfm-fedcba987654321001": {ARN: glueArn + "tfm-fedcba987654321001", Name: "plain", Config: map[string]string{},
			Results: map[string]string{"GLUE_ML_TRANSFORM_ENCRYPTED_AT_REST": "NON_COMPLIANT", "GLUE_ML_TRANSFORM_TAGGED": "NON_COMPLIANT"}},
	}, mlView(t, items, "AWS::Glue::MLTransform", []string{"GLUE_ML_TRANSFORM_ENCRYPTED_AT_REST", "GLUE_ML_TRANSFORM_TAGGED"}, nil))
	dataDiff(t, "prepared statements", map[string]mlCI{
		"top10|primary": {Name: "top10", Config: map[string]string{"StatementName": `"top10"`, "WorkGroup": `"primary"`, "Description": `"Ten best sellers"`},
			Results: map[string]string{"ATHENA_PREPARED_STATEMENT_DESCRIPTION": "COMPLIANT"}},
		"adhoc|primary": {Name: "adhoc", Config: map[string]string{"StatementName": `"adhoc"`, "WorkGroup": `"primary"`},
			Results: map[string]string{"ATHENA_PREPARED_STATEMENT_DESCRIPTION": "NON_COMPLIANT"}},
	}, mlView(t, items, "AWS::Athena::PreparedStatement", []string{"ATHENA_PREPARED_STATEMENT_DESCRIPTION"}, nil, "StatementName", "WorkGroup", "Description", "WorkGroupName"))
}

// mlCanonicalJSON re-encodes s with sorted keys, for comparing JSON texts.
func mlCanonicalJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	must(t, json.Unmarshal([]byte(s), &v))
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}

// mlSnapshotWith is dataSnapshot with the AWS configuration cfg.
func mlSnapshotWith(t *testing.T, cfg aws.Config) ([]*ci.Item, *ci.Account) {
	t.Helper()
	snap, err := (&inventory.Inventory{}).Snapshot(context.Background(), cfg, inventory.Options{Account: dataAccount, Region: mototest.Region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	dec := ci.NewDecoder(&buf)
	var items []*ci.Item
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return items, dec.Account()
		}
		must(t, err)
		items = append(items, it)
	}
}
