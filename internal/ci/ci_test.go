package ci

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedDir returns ../shared/data/aws-config relative to the module root, or skips.
func sharedDir(t testing.TB) string {
	t.Helper()
	return SharedDir(t)
}

func TestExampleCIsDecode(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "example-ci")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatal("no example CIs")
	}
	// Samples that are not valid CIs, with the error each must get.
	broken := map[string]string{
		"AWS_ACM_Certificate.json":                      "configurationItemCaptureTime: \"datetime.datetime(", // a Python repr, not a time
		"AWS_CloudFormation_Stack.json":                 "resourceCreationTime: \"datetime.datetime(",
		"AWS_SSM_ManagedInstanceInventory.json":         "resourceType: missing", // an inventory dump, not a CI
		"AWS_SSM_ManagedInstanceInventory_Windows.json": "resourceType: missing",
		"AWS_SSM_ManagedInstanceInventory_Linux.json":   "invalid character",
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(strings.TrimSpace(string(b)), "[") {
			continue // a list of CIs written as a bare array; not a shape Config records
		}
		var it Item
		err = json.Unmarshal(b, &it)
		if want, ok := broken[filepath.Base(f)]; ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: err %v, want %q", filepath.Base(f), err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		n++
		if it.AccountID == "" || it.ResourceID == "" || it.Version == "" {
			t.Errorf("%s: not normalised: account %q id %q version %q", filepath.Base(f), it.AccountID, it.ResourceID, it.Version)
		}
		if it.CaptureTime.IsZero() {
			t.Errorf("%s: no capture time", filepath.Base(f))
		}
	}
	t.Logf("%d example CIs decoded", n)
}

func TestDialects(t *testing.T) {
	history := `{"version":"1.2","accountId":"111122223333","arn":"arn:aws:ec2:us-east-1:111122223333:instance/i-1",
	 "configurationItemMD5Hash":"abc","configurationStateId":"17","resourceType":"AWS::EC2::Instance","resourceId":"i-1",
	 "configurationItemCaptureTime":"2024-01-02T03:04:05.000Z","configurationItemStatus":"OK","configuration":{"a":1},
	 "tags":{"k":"v"}}`
	snapshot := `{"configurationItemVersion":"1.2","awsAccountId":"111122223333","ARN":"arn:aws:ec2:us-east-1:111122223333:instance/i-1",
	 "configurationStateMd5Hash":"abc","configurationStateId":17,"resourceType":"AWS::EC2::Instance","resourceId":"i-1",
	 "configurationItemCaptureTime":1704164645,"configurationItemStatus":"OK","configuration":{"a":1},
	 "tags":[{"key":"k","value":"v"}]}`
	var a, b Item
	if err := json.Unmarshal([]byte(history), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(snapshot), &b); err != nil {
		t.Fatal(err)
	}
	for _, it := range []*Item{&a, &b} {
		got := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v", it.Version, it.AccountID, it.ARN, it.MD5Hash, it.StateID, it.CaptureTime.UTC().Format("2006-01-02T15:04:05"), it.Tags)
		want := "1.2|111122223333|arn:aws:ec2:us-east-1:111122223333:instance/i-1|abc|17|2024-01-02T03:04:05|map[k:v]"
		if got != want {
			t.Errorf("got %s\nwant %s", got, want)
		}
	}
}

func TestItemErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"resourceId":"x"}`, "resourceType: missing"},
		{`{"resourceType":"AWS::S3::Bucket","configurationItemCaptureTime":"yesterday"}`, "configurationItemCaptureTime"},
		{`{"resourceType":"AWS::S3::Bucket","configurationStateId":{}}`, "configurationStateId"},
		{`{"resourceType":"AWS::S3::Bucket","tags":3}`, "tags"},
	} {
		var it Item
		err := json.Unmarshal([]byte(tc.in), &it)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want it to mention %q", tc.in, err, tc.want)
		}
	}
}

func TestDeleted(t *testing.T) {
	for _, st := range []string{StatusDeleted, StatusDeletedNotRecorded} {
		var it Item
		in := `{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","configurationItemStatus":"` + st + `","configuration":null,"supplementaryConfiguration":{}}`
		if err := json.Unmarshal([]byte(in), &it); err != nil {
			t.Fatal(err)
		}
		if !it.Deleted() || it.HasConfiguration() {
			t.Errorf("%s: deleted %v, has configuration %v", st, it.Deleted(), it.HasConfiguration())
		}
		sg, err := Config[SecurityGroup](&it)
		if sg != nil || err != nil {
			t.Errorf("%s: view %v, %v; want nil, nil", st, sg, err)
		}
	}
}

func TestConfigViewCached(t *testing.T) {
	var it Item
	json.Unmarshal([]byte(`{"resourceType":"AWS::EC2::SecurityGroup","configuration":{"groupId":"sg-1"}}`), &it)
	a, err := Config[SecurityGroup](&it)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Config[SecurityGroup](&it)
	if a != b || a.GroupID != "sg-1" {
		t.Errorf("views %p %p, group %q", a, b, a.GroupID)
	}
	json.Unmarshal([]byte(`{"resourceType":"AWS::EC2::SecurityGroup","configuration":{"groupId":5}}`), &it)
	if _, err := Config[SecurityGroup](&it); err == nil || !strings.Contains(err.Error(), "configuration") {
		t.Errorf("bad configuration: err %v", err)
	}
}

func TestPolicyDocumentForms(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	arr := `[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":["*"]}]}]`
	for name, in := range map[string]string{
		"object":      doc,
		"json string": strconvQuote(doc),
		"url-encoded": strconvQuote(urlEncode(doc)),
		"array":       arr,
	} {
		var d PolicyDocument
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(d.Statement) != 1 || !d.Statement[0].FullAdmin() {
			t.Errorf("%s: %+v", name, d)
		}
	}
	var d PolicyDocument
	if err := json.Unmarshal([]byte(`"%7Bnot json"`), &d); err == nil {
		t.Error("garbage policy: no error")
	}
}

func TestStatementPublic(t *testing.T) {
	for _, tc := range []struct {
		stmt string
		want bool
	}{
		{`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`, true},
		{`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject"}`, true},
		{`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":"s3:GetObject"}`, true},
		{`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:GetObject"}`, false},
		{`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject"}`, false},
		{`{"Effect":"Allow","Principal":{"Service":"*"},"Action":"s3:GetObject"}`, false},
		{`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}`, false},
		{`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`, true},
	} {
		var s Statement
		if err := json.Unmarshal([]byte(tc.stmt), &s); err != nil {
			t.Fatal(err)
		}
		if got := s.Public(); got != tc.want {
			t.Errorf("%s: Public %v, want %v", tc.stmt, got, tc.want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		p, v string
		want bool
	}{
		{"*", "s3:GetObject", true}, {"s3:*", "s3:GetObject", true}, {"s3:Get*", "s3:GetObject", true},
		{"s3:Put*", "s3:GetObject", false}, {"S3:GETOBJECT", "s3:GetObject", true}, {"s3:G?tObject", "s3:GetObject", true},
		{"s3:*Object", "s3:GetObject", true}, {"s3:*Object", "s3:GetObjectAcl", false}, {"", "x", false},
	} {
		if got := WildcardMatch(tc.p, tc.v); got != tc.want {
			t.Errorf("%q ~ %q = %v, want %v", tc.p, tc.v, got, tc.want)
		}
	}
}

func TestSecurityGroupForms(t *testing.T) {
	old := `{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]}]}`
	neu := `{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]}]}`
	both := `{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"],"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]}]}`
	for name, in := range map[string]string{"old": old, "new": neu, "both": both} {
		var sg SecurityGroup
		if err := json.Unmarshal([]byte(in), &sg); err != nil {
			t.Fatal(err)
		}
		p := sg.IPPermissions[0]
		if len(p.IPv4Ranges) != 1 || !p.OpenToWorldIPv4() || !p.CoversPort("tcp", 22) || p.CoversPort("udp", 22) || p.CoversPort("tcp", 23) {
			t.Errorf("%s: %+v", name, p)
		}
	}
	var all IPPermission
	json.Unmarshal([]byte(`{"ipProtocol":"-1","ipRanges":["10.0.0.0/8"]}`), &all)
	if !all.CoversPort("udp", 3389) || !all.AllPorts() || all.OpenToWorldIPv4() {
		t.Errorf("all-traffic rule: %+v", all)
	}
}

func TestS3BucketView(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), "example-ci", "AWS_S3_Bucket.json"))
	if err != nil {
		t.Fatal(err)
	}
	var it Item
	if err := json.Unmarshal(b, &it); err != nil {
		t.Fatal(err)
	}
	v, err := it.Bucket()
	if err != nil {
		t.Fatal(err)
	}
	if v.ACL == nil || len(v.ACL.GrantList) != 1 || v.ACL.GrantList[0].Public() {
		t.Errorf("ACL %+v", v.ACL)
	}
	if v.Policy == nil || len(v.Policy.Statement) != 1 || !v.Policy.Statement[0].Deny() {
		t.Errorf("policy %+v", v.Policy)
	}
	if v.Versioning == nil || v.Versioning.Status != "Enabled" {
		t.Errorf("versioning %+v", v.Versioning)
	}
	var bad Item
	json.Unmarshal([]byte(`{"resourceType":"AWS::S3::Bucket","supplementaryConfiguration":{"AccessControlList":"{not json"}}`), &bad)
	if _, err := bad.Bucket(); err == nil || !strings.Contains(err.Error(), "AccessControlList") {
		t.Errorf("bad ACL: err %v", err)
	}
}

// TestSchemaHasViewFields checks that the member paths the typed views read exist in
// AWS Config's resource schemas, so a misspelt member cannot silently read as empty.
func TestSchemaHasViewFields(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "resource-schema")
	want := map[string][]string{
		"AWS_EC2_SecurityGroup": {"configuration.ipPermissions.ipRanges", "configuration.ipPermissions.ipv4Ranges.cidrIp",
			"configuration.ipPermissions.ipv6Ranges.cidrIpv6", "configuration.ipPermissions.fromPort", "configuration.ipPermissionsEgress.ipProtocol",
			"configuration.groupName", "configuration.groupId"},
		"AWS_S3_Bucket": {"supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicAcls",
			"supplementaryConfiguration.ServerSideEncryptionConfiguration.rules.applyServerSideEncryptionByDefault.sseAlgorithm",
			"supplementaryConfiguration.ServerSideEncryptionConfiguration.rules.applyServerSideEncryptionByDefault.kmsMasterKeyID",
			"supplementaryConfiguration.BucketLoggingConfiguration.destinationBucketName", "supplementaryConfiguration.BucketVersioningConfiguration.isMfaDeleteEnabled"},
		"AWS_EC2_Volume":     {"configuration.encrypted", "configuration.kmsKeyId", "configuration.attachments.deleteOnTermination"},
		"AWS_IAM_User":       {"configuration.groupList", "configuration.attachedManagedPolicies.policyArn", "configuration.userPolicyList.policyName"},
		"AWS_RDS_DBInstance": {"configuration.publiclyAccessible", "configuration.storageEncrypted", "configuration.kmsKeyId"},
	}
	for res, paths := range want {
		b, err := os.ReadFile(filepath.Join(dir, res+".properties.json"))
		if err != nil {
			t.Fatal(err)
		}
		var props map[string]string
		if err := json.Unmarshal(b, &props); err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			if _, ok := props[p]; !ok {
				t.Errorf("%s: schema has no %s", res, p)
			}
		}
	}
}

func TestDecoderShapes(t *testing.T) {
	ci := func(id string) string {
		return `{"resourceType":"AWS::EC2::Volume","resourceId":"` + id + `","configurationItemStatus":"OK","configuration":{}}`
	}
	acct := `{"accountId":"111122223333","iam.PasswordPolicy":null}`
	for _, tc := range []struct {
		name, in string
		ids      string
		account  bool
	}{
		{"snapshot", `{"account":` + acct + `,"items":[` + ci("a") + `,` + ci("b") + `]}`, "a,b", true},
		{"account last", `{"items":[` + ci("a") + `],"extra":[1,2],"account":` + acct + `}`, "a", true},
		{"empty items", `{"items":[],"account":` + acct + `}`, "", true},
		{"history", `{"configurationItems":[` + ci("a") + `],"nextToken":"x"}`, "a", false},
		{"invoking event", `{"messageType":"ConfigurationItemChangeNotification","configurationItem":` + ci("a") + `}`, "a", false},
		{"single", ci("a"), "a", false},
	} {
		d := NewDecoder(strings.NewReader(tc.in))
		var ids []string
		for {
			it, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			ids = append(ids, it.ResourceID)
		}
		if got := strings.Join(ids, ","); got != tc.ids {
			t.Errorf("%s: ids %q, want %q", tc.name, got, tc.ids)
		}
		if (d.Account() != nil) != tc.account {
			t.Errorf("%s: account %v", tc.name, d.Account())
		}
		if tc.account && (!d.Account().Has("iam.PasswordPolicy") || d.Account().PasswordPolicy != nil || d.Account().Has("ec2.FlowLogs")) {
			t.Errorf("%s: null fact not told from absent", tc.name)
		}
	}
}

func TestDecoderErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[1]`, "want a JSON object"},
		{`{}`, "empty object"},
		{`{"items":[{"resourceId":"x"}]}`, "items[0]"},
		{`{"items":{}}`, "want an array"},
		{`{"items":[` + `{"resourceType":"T"}` + `,{"resourceType":`, "items[1]"},
		{`{"account":{"iam.AccountSummary":"x"}}`, "account"},
		{`nope`, "not JSON"},
	} {
		d := NewDecoder(strings.NewReader(tc.in))
		var err error
		for err == nil {
			_, err = d.Next()
		}
		if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.in, err, tc.want)
		}
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func urlEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// TestFastPathsAgree checks the decoding shortcuts (jsonString, plainStrings, which skip
// encoding/json for plain ASCII text) against encoding/json on every kind of input:
// plain, escaped, non-ASCII, numbers and booleans, nested values, odd whitespace.
func TestFastPathsAgree(t *testing.T) {
	for _, in := range []string{
		`"abc"`, `""`, `"a\"b"`, `"a\\b"`, `"\u00e9"`, `"é"`, `"a/b*c:d"`, `"tab\there"`,
		`[]`, `[ ]`, `["a"]`, `["a","b"]`, ` [ "a" , "b" ] `, `["a\"b","c"]`, `["é"]`, `[1,"a"]`, `[true]`,
		`["a",["b"]]`, `[{"a":1}]`, `[null]`, `["s3:Get*", "s3:List*"]`,
	} {
		var want []string
		var one string
		if err := json.Unmarshal([]byte(in), &one); err == nil {
			got, err := jsonString([]byte(strings.TrimSpace(in)))
			if err != nil || got != one {
				t.Errorf("jsonString(%s) = %q, %v; want %q", in, got, err, one)
			}
			continue
		}
		var raws []json.RawMessage
		if err := json.Unmarshal([]byte(in), &raws); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		for _, r := range raws {
			v, err := scalarString(r)
			if err != nil {
				v = strings.Trim(string(bytes.TrimSpace(r)), `"`)
			}
			want = append(want, v)
		}
		var got Strings
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if !slices.Equal([]string(got), want) {
			t.Errorf("Strings(%s) = %q, want %q", in, got, want)
		}
		if fast, ok := plainStrings(bytes.TrimSpace([]byte(in))); ok && !slices.Equal([]string(fast), want) {
			t.Errorf("plainStrings(%s) = %q, want %q", in, fast, want)
		}
	}
}
