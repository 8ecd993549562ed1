package rules_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/rules"
)

// costItems are one item per CEL copy of a managed rule, each in scope and applicable.
var costItems = map[string]string{
	"Custom_CEL_S3_BUCKET_VERSIONING_ENABLED":               `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::S3::Bucket","resourceId":"b1","configuration":{"name":"b1"},"supplementaryConfiguration":{"BucketVersioningConfiguration":{"status":"Enabled","isMfaDeleteEnabled":null}}}`,
	"Custom_CEL_INCOMING_SSH_DISABLED":                      `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","configuration":{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":["0.0.0.0/0"]},{"ipProtocol":"tcp","fromPort":80,"toPort":80,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]},{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["10.0.0.0/8"]},{"ipProtocol":"tcp","fromPort":3306,"toPort":3306,"ipv4Ranges":[{"cidrIp":"192.168.1.0/24"}]}]}}`,
	"Custom_CEL_ENCRYPTED_VOLUMES":                          `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::Volume","resourceId":"vol-1","configuration":{"volumeId":"vol-1","encrypted":true,"kmsKeyId":"arn:aws:kms:us-east-1:111122223333:key/k1","attachments":[{"instanceId":"i-1"}]}}`,
	"Custom_CEL_IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::IAM::Policy","resourceId":"p1","configuration":{"arn":"arn:aws:iam::111122223333:policy/p1","defaultVersionId":"v1","permissionsBoundaryUsageCount":0,"policyVersionList":[{"versionId":"v1","isDefaultVersion":true,"document":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}]}}`,
	"Custom_CEL_EC2_IMDSV2_CHECK":                           `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::Instance","resourceId":"i-1","configuration":{"instanceId":"i-1","metadataOptions":{"httpTokens":"optional","httpEndpoint":"enabled"}}}`,
}

// BenchmarkCustomCostLimit times each CEL copy of a managed rule on one item compiled
// without and with the runtime cost limit, one after the other in the same run, so
// that the limit's overhead is a paired measurement.
func BenchmarkCustomCostLimit(b *testing.B) {
	files, err := doc.ReadPaths([]string{filepath.Join("testdata", "custom", "rules")}, doc.ReadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defs, diags := catalog.LoadRules(files)
	if len(diags) > 0 {
		b.Fatal(diags)
	}
	env := rules.Env{Now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	for _, def := range defs {
		raw, ok := costItems[def.Keyword()]
		if !ok {
			continue
		}
		it := new(ci.Item)
		if err := json.Unmarshal([]byte(raw), it); err != nil {
			b.Fatal(err)
		}
		for _, lim := range []struct {
			name  string
			limit uint64
		}{{"nolimit", 0}, {"limit", rules.CostLimit}} {
			r, err := rules.CompileWithCostLimit(def, lim.limit)
			if err != nil {
				b.Fatal(err)
			}
			check, err := r.Bind(map[string]string{})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(def.Keyword()+"/"+lim.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := check.EvaluateItem(it, env); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
