package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const backupSelection = "AWS::Backup::BackupSelection"

// selectionCondition is one tag condition of a backup selection.
type selectionCondition struct {
	ConditionKey   string `json:"ConditionKey"`
	ConditionValue string `json:"ConditionValue"`
	ConditionType  string `json:"ConditionType"`
}

// backupSel is the part of an AWS::Backup::BackupSelection item the rules read
// (CloudFormation's member names).
type backupSel struct {
	BackupSelection struct {
		Resources    []string             `json:"Resources"`
		NotResources []string             `json:"NotResources"`
		ListOfTags   []selectionCondition `json:"ListOfTags"`
		Conditions   struct {
			StringEquals    []selectionCondition `json:"StringEquals"`
			StringLike      []selectionCondition `json:"StringLike"`
			StringNotEquals []selectionCondition `json:"StringNotEquals"`
			StringNotLike   []selectionCondition `json:"StringNotLike"`
		} `json:"Conditions"`
	} `json:"BackupSelection"`
}

// selects reports whether the selection assigns the resource (its ARN and tags) to its
// plan, as AWS Backup reads a selection: a resource that Resources names (wildcards
// allowed) or whose tags match one of ListOfTags, not named by NotResources, and meeting
// every condition of Conditions.
func (s *backupSel) selects(arn string, tags map[string]string) bool {
	b := &s.BackupSelection
	picked := false
	for _, r := range b.Resources {
		if globMatch(r, arn) {
			picked = true
		}
	}
	for _, c := range b.ListOfTags {
		if v, ok := tags[tagKey(c.ConditionKey)]; ok && v == c.ConditionValue {
			picked = true
		}
	}
	if !picked {
		return false
	}
	for _, r := range b.NotResources {
		if globMatch(r, arn) {
			return false
		}
	}
	c := &b.Conditions
	for _, x := range c.StringEquals {
		if tags[tagKey(x.ConditionKey)] != x.ConditionValue {
			return false
		}
	}
	for _, x := range c.StringLike {
		if v, ok := tags[tagKey(x.ConditionKey)]; !ok || !globMatch(x.ConditionValue, v) {
			return false
		}
	}
	for _, x := range c.StringNotEquals {
		if tags[tagKey(x.ConditionKey)] == x.ConditionValue {
			return false
		}
	}
	for _, x := range c.StringNotLike {
		if v, ok := tags[tagKey(x.ConditionKey)]; ok && globMatch(x.ConditionValue, v) {
			return false
		}
	}
	return true
}

// tagKey returns the tag key of a condition key (aws:ResourceTag/KEY, or KEY alone as
// ListOfTags may write it).
func tagKey(k string) string { return strings.TrimPrefix(k, "aws:ResourceTag/") }

// globMatch reports whether s matches pattern, where * stands for any run of characters.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// inBackupPlanRule builds a rule judging resources of resourceType by the snapshot's
// backup selections (docs/decisions/0170-related-items.md): COMPLIANT when one selects
// the resource's ARN and tags. A lone CI, and a snapshot whose facts do not say that AWS
// Backup was read (backup.BackupPlans), are NOT_APPLICABLE.
func inBackupPlanRule(id, resourceType, what string) *Rule {
	return &Rule{ID: id, Description: what + " are assigned to an AWS Backup plan (a backup selection of the snapshot, " + backupSelection + ", names or tags them).",
		Scope: []string{resourceType}, Related: []string{backupSelection},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if env.Related == nil {
				return na("The input does not hold the account's backup selections (" + backupSelection + " items of a snapshot).")
			}
			if !env.Account.Has("backup.BackupPlans") {
				return na("The snapshot does not record AWS Backup (the fact backup.BackupPlans).")
			}
			arn := it.ARN
			if arn == "" {
				arn = it.ResourceID
			}
			for _, s := range env.Related.Items(backupSelection) {
				sel, err := cfg[backupSel](s)
				if err != nil {
					return "", "", err
				}
				if sel.selects(arn, it.Tags) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No backup plan selects the resource.", nil
		}}
}

var backupRules = []*Rule{
	inBackupPlanRule("EFS_IN_BACKUP_PLAN", "AWS::EFS::FileSystem", "EFS file systems"),
	inBackupPlanRule("EBS_IN_BACKUP_PLAN", "AWS::EC2::Volume", "EBS volumes"),
	inBackupPlanRule("RDS_IN_BACKUP_PLAN", "AWS::RDS::DBInstance", "RDS DB instances"),
	inBackupPlanRule("DYNAMODB_IN_BACKUP_PLAN", "AWS::DynamoDB::Table", "DynamoDB tables"),
}
