package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// recoveryPointsFact is the fact that says the snapshot records AWS Backup's vaults and
// their recovery points (ListBackupVaults BackupVaultList); without it, no recovery
// point says nothing.
const recoveryPointsFact = "backup.BackupVaultList"

// protectedParams are the parameters every *_RESOURCES_PROTECTED_BY_BACKUP_PLAN rule takes.
var protectedParams = []Param{
	{Name: "resourceTags", Type: String}, {Name: "resourceId", Type: String},
	{Name: "crossRegionList", Type: CSV}, {Name: "crossAccountList", Type: CSV},
	{Name: "maxRetentionDays", Type: Int}, {Name: "minRetentionDays", Type: Int},
	{Name: "backupVaultLockCheck", Type: String},
}

// arnPart returns the region (i=3) or account (i=4) of an ARN, "" when it has none.
func arnPart(arn string, i int) string {
	p := strings.SplitN(arn, ":", 6)
	if len(p) < 6 {
		return ""
	}
	return p[i]
}

// protectedRule builds a rule judging resources of resourceType by the snapshot's AWS
// Backup recovery points (AWS::Backup::RecoveryPoint items whose ResourceArn is the
// resource's ARN). applicable, when not nil, says whether a resource is one the rule
// judges (running instances, Aurora clusters).
func protectedRule(id, resourceType, what string, applicable func(it *ci.Item) (bool, string, error)) *Rule {
	return &Rule{ID: id,
		Description: what + " have a recovery point in an AWS Backup vault (" + backupRecoveryPoint + " items of the snapshot); with backupVaultLockCheck True (or " +
			"min/maxRetentionDays) in a locked vault whose lock keeps recovery points within those days; with crossRegionList and crossAccountList, made by a " +
			"plan that copies them to a vault in each region and account. resourceTags ({\"key\": \"value\"}) and resourceId narrow the resources judged.",
		Scope: []string{resourceType}, Params: protectedParams,
		Related:     []string{backupRecoveryPoint, backupVault, backupPlan},
		CheckParams: checks(oneOf("backupVaultLockCheck", "True", "False"), checkResourceTags),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lockCheck := a.Str("backupVaultLockCheck")
			if ok, why := selected(a, it); !ok {
				return na(why)
			}
			if applicable != nil {
				ok, why, err := applicable(it)
				if err != nil || !ok {
					return NotApplicable, why, err
				}
			}
			if env.Related == nil {
				return na("The input does not hold the account's recovery points (" + backupRecoveryPoint + " items of a snapshot).")
			}
			if !env.Account.Has(recoveryPointsFact) {
				return na("The snapshot does not record AWS Backup's vaults (the fact " + recoveryPointsFact + ").")
			}
			arn := it.ARN
			if arn == "" {
				arn = it.ResourceID
			}
			byResource, err := env.Related.GroupBy(backupRecoveryPoint, "byResourceArn", func(rp *ci.Item) (string, error) {
				c, err := cfg[recoveryPoint](rp)
				return c.ResourceArn, err
			})
			if err != nil {
				return "", "", err
			}
			var points []*recoveryPoint
			for _, rpi := range byResource[arn] {
				rp, _ := cfg[recoveryPoint](rpi)
				switch strings.ToUpper(rp.Status) {
				case "", "COMPLETED", "AVAILABLE", "PARTIAL":
					points = append(points, rp)
				}
			}
			if len(points) == 0 {
				return NonCompliant, "No AWS Backup recovery point protects the resource.", nil
			}
			if strings.EqualFold(lockCheck, "true") || a.Set("minRetentionDays") || a.Set("maxRetentionDays") {
				locked, err := lockedVaults(a, env.Related)
				if err != nil {
					return "", "", err
				}
				ok := false
				for _, rp := range points {
					ok = ok || locked[rp.BackupVaultArn] || locked[rp.BackupVaultName]
				}
				if !ok {
					return NonCompliant, "No recovery point of the resource is in a vault locked as the rule's parameters ask.", nil
				}
			}
			if a.Set("crossRegionList") || a.Set("crossAccountList") {
				if miss, err := missingCopies(a, env.Related, points); err != nil || miss != "" {
					if err != nil {
						return "", "", err
					}
					return NonCompliant, "No backup plan of the resource copies its recovery points to " + miss + ".", nil
				}
			}
			return Compliant, "", nil
		}}
}

// lockedVaults returns the vaults (by ARN and name) that have Vault Lock, with a minimum
// retention of at least minRetentionDays and a maximum of at most maxRetentionDays when
// those are given.
func lockedVaults(a Args, rel *Related) (map[string]bool, error) {
	out := map[string]bool{}
	for _, vi := range rel.Items(backupVault) {
		v, err := cfg[vault](vi)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", vi.ResourceType, vi.ResourceID, err)
		}
		l := v.LockConfiguration
		switch {
		case l == nil:
			continue
		case a.Set("minRetentionDays") && (l.MinRetentionDays == nil || *l.MinRetentionDays < a.Int("minRetentionDays")):
			continue
		case a.Set("maxRetentionDays") && (l.MaxRetentionDays == nil || *l.MaxRetentionDays > a.Int("maxRetentionDays")):
			continue
		}
		for _, k := range []string{v.BackupVaultArn, v.BackupVaultName, vi.ARN, vi.ResourceName} {
			if k != "" {
				out[k] = true
			}
		}
	}
	return out, nil
}

// missingCopies returns the first region of crossRegionList or account of
// crossAccountList to which no plan that made one of points copies recovery points
// (a copy action's destination vault there), "" when none is missing.
func missingCopies(a Args, rel *Related, points []*recoveryPoint) (string, error) {
	plans, err := rel.GroupBy(backupPlan, "byPlanId", func(p *ci.Item) (string, error) {
		c, err := cfg[plan](p)
		if c.BackupPlanID == "" {
			return p.ResourceID, err
		}
		return c.BackupPlanID, err
	})
	if err != nil {
		return "", err
	}
	regions, accounts := map[string]bool{}, map[string]bool{}
	for _, rp := range points {
		for _, pi := range plans[rp.CreatedBy.BackupPlanID] {
			p, _ := cfg[plan](pi)
			for _, r := range p.rules() {
				for _, c := range r.CopyActions {
					regions[arnPart(c.DestinationBackupVaultArn, 3)] = true
					accounts[arnPart(c.DestinationBackupVaultArn, 4)] = true
				}
			}
		}
	}
	for _, r := range a.List("crossRegionList") {
		if !regions[r] {
			return "region " + r, nil
		}
	}
	for _, acct := range a.List("crossAccountList") {
		if !accounts[acct] {
			return "account " + acct, nil
		}
	}
	return "", nil
}

var backupProtectedRules = []*Rule{
	protectedRule("AURORA_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::RDS::DBCluster", "Aurora DB clusters", func(it *ci.Item) (bool, string, error) {
		c, err := cfg[struct {
			Engine string `json:"engine"`
		}](it)
		if err != nil {
			return false, "", err
		}
		return strings.HasPrefix(strings.ToLower(c.Engine), "aurora"), "The cluster's engine " + c.Engine + " is not Aurora.", nil
	}),
	protectedRule("DYNAMODB_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::DynamoDB::Table", "DynamoDB tables", nil),
	protectedRule("EBS_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::EC2::Volume", "EBS volumes", nil),
	protectedRule("EC2_RESOURCES_PROTECTED_BY_BACKUP_PLAN", ec2Instance, "Running EC2 instances", func(it *ci.Item) (bool, string, error) {
		in, err := cfg[struct {
			State struct {
				Name string `json:"name"`
			} `json:"state"`
		}](it)
		if err != nil {
			return false, "", err
		}
		return in.State.Name == "running", "The instance is " + in.State.Name + ", not running.", nil
	}),
	protectedRule("EFS_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::EFS::FileSystem", "EFS file systems", nil),
	protectedRule("FSX_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::FSx::FileSystem", "FSx file systems", nil),
	protectedRule("RDS_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::RDS::DBInstance", "RDS DB instances", nil),
	protectedRule("S3_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "AWS::S3::Bucket", "S3 buckets", nil),
}
