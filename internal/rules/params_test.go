package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
)

// valueCases are, per rule, a parameter value CheckParams refuses and one it accepts. A
// rule starting with "*" names every rule whose ID ends with the rest.
var valueCases = []struct {
	rule  string
	bad   map[string]string
	field string
	value string // what the field's message must hold: the bad value as written
	good  map[string]string
}{
	{"*_TAGGED", map[string]string{"requiredKeyTags": "team,aws:owner"}, "requiredKeyTags", `"aws:owner"`,
		map[string]string{"requiredKeyTags": "team,owner"}},
	{"*_RESOURCES_PROTECTED_BY_BACKUP_PLAN", map[string]string{"backupVaultLockCheck": "yes"}, "backupVaultLockCheck", `"yes"`,
		map[string]string{"backupVaultLockCheck": "True"}},
	{"*_RESOURCES_PROTECTED_BY_BACKUP_PLAN", map[string]string{"resourceTags": "backup=yes"}, "resourceTags", `"backup=yes"`,
		map[string]string{"resourceTags": `{"backup": "yes"}`}},
	{"*_LAST_BACKUP_RECOVERY_POINT_CREATED", map[string]string{"recoveryPointAgeUnit": "weekly"}, "recoveryPointAgeUnit", `"weekly"`,
		map[string]string{"recoveryPointAgeUnit": "Hours", "recoveryPointAgeValue": "744"}},
	{"*_LAST_BACKUP_RECOVERY_POINT_CREATED", map[string]string{"recoveryPointAgeValue": "32"}, "recoveryPointAgeValue", "32 is not between 1 and 31 days",
		map[string]string{"recoveryPointAgeValue": "31"}},
	{"*_LAST_BACKUP_RECOVERY_POINT_CREATED", map[string]string{"recoveryPointAgeValue": "745", "recoveryPointAgeUnit": "hours"}, "recoveryPointAgeValue", "745",
		map[string]string{"recoveryPointAgeValue": "1", "recoveryPointAgeUnit": "hours"}},
	{"*_LAST_BACKUP_RECOVERY_POINT_CREATED", map[string]string{"resourceTags": "[]"}, "resourceTags", `"[]"`,
		map[string]string{"resourceTags": `{}`}},
	{"*_IN_LOGICALLY_AIR_GAPPED_VAULT", map[string]string{"recoveryPointAgeValue": "92"}, "recoveryPointAgeValue", "92 is not between 1 and 91 days",
		map[string]string{"recoveryPointAgeValue": "91"}},
	{"*_IN_LOGICALLY_AIR_GAPPED_VAULT", map[string]string{"recoveryPointAgeValue": "2185", "recoveryPointAgeUnit": "hours"}, "recoveryPointAgeValue", "2185",
		map[string]string{"recoveryPointAgeValue": "2184", "recoveryPointAgeUnit": "hours"}},
	{"*_IN_LOGICALLY_AIR_GAPPED_VAULT", map[string]string{"recoveryPointAgeUnit": "weeks"}, "recoveryPointAgeUnit", `"weeks"`,
		map[string]string{"recoveryPointAgeUnit": "DAYS"}},
	{"*_IN_LOGICALLY_AIR_GAPPED_VAULT", map[string]string{"resourceTags": `{"a": 1}`}, "resourceTags", `"{\"a\": 1}"`,
		map[string]string{"resourceTags": `{"a": "1"}`}},
	{"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", map[string]string{"requiredFrequencyUnit": "weeks"}, "requiredFrequencyUnit", `"weeks"`,
		map[string]string{"requiredFrequencyUnit": "hours"}},
	{"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", map[string]string{"requiredFrequencyValue": "25", "requiredFrequencyUnit": "hours"}, "requiredFrequencyValue", "25 is not between 1 and 24 hours",
		map[string]string{"requiredFrequencyValue": "24", "requiredFrequencyUnit": "hours"}},
	{"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", map[string]string{"requiredFrequencyValue": "0"}, "requiredFrequencyValue", "0 is not between 1 and 31 days",
		map[string]string{"requiredFrequencyValue": "31"}},
	{"IAM_POLICY_IN_USE", map[string]string{"policyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess", "policyUsageType": "IAM_USERS"}, "policyUsageType", `"IAM_USERS"`,
		map[string]string{"policyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess", "policyUsageType": "iam_role"}},
	{"COGNITO_USER_POOL_ADVANCED_SECURITY_ENABLED", map[string]string{"SecurityMode": "OFF"}, "SecurityMode", `"OFF"`,
		map[string]string{"SecurityMode": "audit"}},
	{"EKS_CLUSTER_OLDEST_SUPPORTED_VERSION", map[string]string{"oldestVersionSupported": "latest"}, "oldestVersionSupported", `"latest"`,
		map[string]string{"oldestVersionSupported": "1.29"}},
	{"EKS_CLUSTER_SUPPORTED_VERSION", map[string]string{"oldestVersionSupported": "1"}, "oldestVersionSupported", `"1"`,
		map[string]string{"oldestVersionSupported": "v1.30"}},
	{"RDS_INSTANCE_DEFAULT_ADMIN_CHECK", map[string]string{"validAdminUserNames": "dbowner,Admin"}, "validAdminUserNames", `"Admin"`,
		map[string]string{"validAdminUserNames": "dbowner"}},
	{"RDS_CLUSTER_DEFAULT_ADMIN_CHECK", map[string]string{"validAdminUserNames": "postgres"}, "validAdminUserNames", `"postgres"`,
		map[string]string{"validAdminUserNames": "dbowner,admin2"}},
	{"REDSHIFT_DEFAULT_ADMIN_CHECK", map[string]string{"validAdminUserNames": "AWSUser"}, "validAdminUserNames", `"AWSUser"`,
		map[string]string{"validAdminUserNames": "admin"}},
	{"NEPTUNE_CLUSTER_BACKUP_RETENTION_CHECK", map[string]string{"minimumBackupRetentionPeriod": "36"}, "minimumBackupRetentionPeriod", "36 is not between 1 and 35",
		map[string]string{"minimumBackupRetentionPeriod": "35"}},
	{"VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", map[string]string{"authorizedTcpPorts": "443,90-80"}, "authorizedTcpPorts", `"90-80"`,
		map[string]string{"authorizedTcpPorts": "443,1020-1025"}},
	{"VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", map[string]string{"authorizedUdpPorts": "70000"}, "authorizedUdpPorts", `"70000"`,
		map[string]string{"authorizedUdpPorts": "0-65535"}},
	{"GLUE_SPARK_JOB_SUPPORTED_VERSION", map[string]string{"minimumSupportedGlueVersion": "4.x"}, "minimumSupportedGlueVersion", `"4.x"`,
		map[string]string{"minimumSupportedGlueVersion": "4.0"}},
	{"EC2_TOKEN_HOP_LIMIT_CHECK", map[string]string{"tokenHopLimit": "65"}, "tokenHopLimit", "65 is not between 1 and 64",
		map[string]string{"tokenHopLimit": "64"}},
	{"DESIRED_INSTANCE_TENANCY", map[string]string{"tenancy": "SHARED"}, "tenancy", `"SHARED"`,
		map[string]string{"tenancy": "dedicated"}},
	{"NETFW_LOGGING_ENABLED", map[string]string{"logType": "all"}, "logType", `"all"`,
		map[string]string{"logType": "Both"}},
	{"CLOUDWATCH_ALARM_RESOURCE_CHECK", map[string]string{"resourceType": "AWS::EC2::VPC", "metricName": "CPUUtilization"}, "resourceType", `"AWS::EC2::VPC"`,
		map[string]string{"resourceType": "AWS::EC2::Instance", "metricName": "CPUUtilization"}},
	{"S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE", map[string]string{"controlPolicy": `{"Version": "2012-10-17"}`}, "controlPolicy", `"{\"Version\": \"2012-10-17\"}"`,
		map[string]string{"controlPolicy": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`}},
	{"RDS_LOGGING_ENABLED", map[string]string{"additionalLogs": "mysql: audit; postgresql"}, "additionalLogs", `"postgresql"`,
		map[string]string{"additionalLogs": "mysql: audit, error; postgres: upgrade"}},
	{"S3_BUCKET_DEFAULT_LOCK_ENABLED", map[string]string{"mode": "STRICT"}, "mode", `"STRICT"`,
		map[string]string{"mode": "governance"}},
	{"*SEARCH_LOGS_TO_CLOUDWATCH", map[string]string{"logTypes": "search,audit"}, "logTypes", `"audit"`,
		map[string]string{"logTypes": "search, INDEX, error"}},
	{"STEP_FUNCTIONS_STATE_MACHINE_LOGGING_ENABLED", map[string]string{"logLevel": "OFF"}, "logLevel", `"OFF"`,
		map[string]string{"logLevel": "error"}},
	{"API_GWV2_AUTHORIZATION_TYPE_CONFIGURED", map[string]string{"authorizationType": "NONE"}, "authorizationType", `"NONE"`,
		map[string]string{"authorizationType": "jwt"}},
}

// matches reports whether the rule id is one a valueCases rule names.
func matches(pattern, id string) bool {
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(id, suffix)
	}
	return id == pattern
}

// TestBindChecksValues: a parameter value a rule cannot use is refused at Bind, naming
// the parameter and the value, and a good one is accepted; every rule with
// CheckParams has a case.
func TestBindChecksValues(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range valueCases {
		n := 0
		for _, rule := range All() {
			if !matches(tc.rule, rule.ID) {
				continue
			}
			n++
			covered[rule.ID] = true
			_, err := rule.Bind(tc.bad)
			fields := probity.ErrorFields(err)
			if probity.ErrorCode(err) != probity.EINVALID || len(fields) != 1 || fields[0].Name != tc.field || !strings.Contains(fields[0].Message, tc.value) {
				t.Errorf("%s: Bind(%v) = %v, want one field error on %s naming %s", rule.ID, tc.bad, err, tc.field, tc.value)
			}
			if _, err := rule.Bind(tc.good); err != nil {
				t.Errorf("%s: Bind(%v) = %v, want it accepted", rule.ID, tc.good, err)
			}
		}
		if n == 0 {
			t.Errorf("%s: no such rule", tc.rule)
		}
	}
	for _, rule := range All() {
		if rule.CheckParams != nil && !covered[rule.ID] {
			t.Errorf("%s: CheckParams without a case in valueCases", rule.ID)
		}
	}
}

// TestBindReportsEveryProblem: Bind reports unknown parameters, wrong types and values
// CheckParams refuses at once, sorted by name; a value of the wrong type is not also
// reported by CheckParams.
func TestBindReportsEveryProblem(t *testing.T) {
	rule, err := Get("EBS_LAST_BACKUP_RECOVERY_POINT_CREATED")
	if err != nil {
		t.Fatal(err)
	}
	_, err = rule.Bind(map[string]string{"resourceTags": "x", "recoveryPointAgeValue": "soon", "bogus": "1"})
	got := probity.ErrorFields(err)
	want := []probity.FieldError{
		{Name: "bogus", Message: "unknown parameter (the rule takes resourceTags, resourceId, recoveryPointAgeValue, recoveryPointAgeUnit)"},
		{Name: "recoveryPointAgeValue", Message: `"soon" is not a non-negative integer`},
		{Name: "resourceTags", Message: `"x" is not a JSON object of strings ({"key": "value"})`},
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v\nwant %v", got, want)
	}
}

// TestDefaultsPassChecks: every rule binds with its defaults (as AWS_Config sources
// bind them), unless a parameter without a default is required.
func TestDefaultsPassChecks(t *testing.T) {
	for _, rule := range All() {
		_, err := rule.Bind(nil)
		for _, f := range probity.ErrorFields(err) {
			if f.Message != "required" {
				t.Errorf("%s: Bind(nil): %s", rule.ID, f)
			}
		}
	}
}
