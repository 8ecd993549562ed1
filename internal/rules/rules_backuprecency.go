package rules

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

// airGappedVault is the VaultType of AWS Backup's logically air-gapped vaults
// (ListBackupVaults, ListRecoveryPointsByBackupVault).
const airGappedVault = "LOGICALLY_AIR_GAPPED_BACKUP_VAULT"

// recoveryPointTimes is the part of an AWS::Backup::RecoveryPoint item the recency and
// retention rules read, under ListRecoveryPointsByBackupVault's member names. Times are
// RFC 3339 text or epoch seconds, as the SDK and the CLI write them.
type recoveryPointTimes struct {
	ResourceArn     string  `json:"ResourceArn"`
	BackupVaultArn  string  `json:"BackupVaultArn"`
	BackupVaultName string  `json:"BackupVaultName"`
	Status          string  `json:"Status"`
	VaultType       string  `json:"VaultType"`
	CreationDate    apiTime `json:"CreationDate"`
	Lifecycle       *struct {
		DeleteAfterDays *float64 `json:"DeleteAfterDays"`
	} `json:"Lifecycle"`
	CalculatedLifecycle *struct {
		DeleteAt apiTime `json:"DeleteAt"`
	} `json:"CalculatedLifecycle"`
}

// apiTime is a timestamp as AWS APIs write it in JSON: RFC 3339 text or epoch seconds
// (a number, possibly fractional). The zero value means absent.
type apiTime struct{ time.Time }

// UnmarshalJSON accepts null, RFC 3339 text and epoch seconds.
func (t *apiTime) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null" || s == `""`:
		return nil
	case strings.HasPrefix(s, `"`):
		uq, err := strconv.Unquote(s)
		if err != nil {
			return err
		}
		if v, err := time.Parse(time.RFC3339Nano, uq); err == nil {
			t.Time = v
			return nil
		}
		if f, err := strconv.ParseFloat(uq, 64); err == nil {
			t.Time = epoch(f)
			return nil
		}
		return fmt.Errorf("%q is not an RFC 3339 time or epoch seconds", uq)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s is not an RFC 3339 time or epoch seconds", s)
	}
	t.Time = epoch(f)
	return nil
}

// usable reports whether the recovery point can restore its resource: completed (or
// partial, or of a status not recorded), not expired, deleting or failed.
func (rp *recoveryPointTimes) usable() bool {
	switch strings.ToUpper(rp.Status) {
	case "", "COMPLETED", "AVAILABLE", "PARTIAL":
		return true
	}
	return false
}

// recencyParams are the parameters of the *_LAST_BACKUP_RECOVERY_POINT_CREATED and
// *_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT rules.
var recencyParams = []Param{
	{Name: "resourceTags", Type: String}, {Name: "resourceId", Type: String},
	{Name: "recoveryPointAgeValue", Type: Int, Default: "1"}, {Name: "recoveryPointAgeUnit", Type: String, Default: "days"},
}

// period reads a value-and-unit pair of parameters (recoveryPointAgeValue and
// recoveryPointAgeUnit, say): value hours or days, the unit compared without regard to
// case. It returns the duration, and the field errors of a unit other than hours or days
// and of a value not between 1 and maxHours hours or maxDays days; CheckParams reports
// those, so that evaluations may ignore them.
func period(a Args, value, unit string, maxHours, maxDays int) (time.Duration, []probity.FieldError) {
	n := a.Int(value)
	hour, most := time.Hour, maxHours
	switch strings.ToLower(a.Str(unit)) {
	case "hours":
	case "days":
		hour, most = 24*time.Hour, maxDays
	default:
		return 0, []probity.FieldError{{Name: unit, Message: fmt.Sprintf("%q is not hours or days", a.Str(unit))}}
	}
	if n < 1 || n > most {
		return 0, []probity.FieldError{{Name: value, Message: fmt.Sprintf("%d is not between 1 and %d %s", n, most, strings.ToLower(a.Str(unit)))}}
	}
	return time.Duration(n) * hour, nil
}

// checkResourceTags checks that resourceTags, when set, is a JSON object of strings.
var checkResourceTags = parses("resourceTags", decodeTags)

// selected applies resourceTags and resourceId: ok is false (with the reason) for a
// resource the parameters leave out.
func selected(a Args, it *ci.Item) (ok bool, why string) {
	if a.Set("resourceTags") {
		tags, _ := decodeTags(a.Str("resourceTags"))
		for k, v := range tags {
			if got, has := it.Tags[k]; !has || got != v {
				return false, "The resource does not carry the tags of resourceTags."
			}
		}
	}
	if a.Set("resourceId") && a.Str("resourceId") != it.ResourceID && a.Str("resourceId") != it.ResourceName {
		return false, "The resource is not resourceId."
	}
	return true, ""
}

// recencyRule builds a rule judging resources of resourceType by the newest usable
// recovery point of the snapshot (AWS::Backup::RecoveryPoint items whose ResourceArn is
// the resource's ARN) that inVault accepts: it must be at most the parameters' age old.
// applicable, when not nil, says whether a resource is one the rule judges.
func recencyRule(id, resourceType, what, where string, maxHours, maxDays int,
	inVault func(rp *recoveryPointTimes, airGapped map[string]bool) bool, applicable func(it *ci.Item) (bool, string, error)) *Rule {
	return &Rule{ID: id,
		Description: what + " have a recovery point " + where + " created within recoveryPointAgeValue recoveryPointAgeUnit (default 1 days; at most " +
			strconv.Itoa(maxHours) + " hours or " + strconv.Itoa(maxDays) + " days), among the snapshot's " + backupRecoveryPoint +
			" items. resourceTags ({\"key\": \"value\"}) and resourceId narrow the resources judged.",
		Scope: []string{resourceType}, Params: recencyParams,
		Related: []string{backupRecoveryPoint, backupVault},
		CheckParams: checks(checkResourceTags, func(a Args) []probity.FieldError {
			_, bad := period(a, "recoveryPointAgeValue", "recoveryPointAgeUnit", maxHours, maxDays)
			return bad
		}),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			age, _ := period(a, "recoveryPointAgeValue", "recoveryPointAgeUnit", maxHours, maxDays)
			if ok, why := selected(a, it); !ok {
				return na(why)
			}
			if applicable != nil {
				if ok, why, err := applicable(it); err != nil || !ok {
					return NotApplicable, why, err
				}
			}
			if env.Related == nil {
				return na("The input does not hold the account's recovery points (" + backupRecoveryPoint + " items of a snapshot).")
			}
			if !env.Account.Has(recoveryPointsFact) {
				return na("The snapshot does not record AWS Backup's vaults (the fact " + recoveryPointsFact + ").")
			}
			airGapped, err := airGappedVaults(env.Related)
			if err != nil {
				return "", "", err
			}
			byResource, err := env.Related.GroupBy(backupRecoveryPoint, "byResourceArn", func(rp *ci.Item) (string, error) {
				c, err := cfg[recoveryPoint](rp)
				return c.ResourceArn, err
			})
			if err != nil {
				return "", "", err
			}
			var newest time.Time
			found := false
			for _, rpi := range byResource[cmp.Or(it.ARN, it.ResourceID)] {
				rp, err := cfg[recoveryPointTimes](rpi)
				if err != nil {
					return "", "", fmt.Errorf("%s %s: %w", rpi.ResourceType, rpi.ResourceID, err)
				}
				if !rp.usable() || !inVault(rp, airGapped) {
					continue
				}
				found = true
				if rp.CreationDate.After(newest) {
					newest = rp.CreationDate.Time
				}
			}
			switch {
			case !found:
				return NonCompliant, "No recovery point " + where + " protects the resource.", nil
			case env.Now.Sub(newest) > age:
				return NonCompliant, "The newest recovery point " + where + " was created " + newest.UTC().Format(time.RFC3339) + ", longer ago than the rule allows.", nil
			}
			return Compliant, "", nil
		}}
}

// airGappedVaults returns the logically air-gapped vaults of the snapshot (by ARN and
// name), from the VaultType of their AWS::Backup::BackupVault items.
func airGappedVaults(rel *Related) (map[string]bool, error) {
	out := map[string]bool{}
	for _, vi := range rel.Items(backupVault) {
		v, err := cfg[struct {
			BackupVaultArn  string `json:"BackupVaultArn"`
			BackupVaultName string `json:"BackupVaultName"`
			VaultType       string `json:"VaultType"`
		}](vi)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", vi.ResourceType, vi.ResourceID, err)
		}
		if strings.EqualFold(v.VaultType, airGappedVault) {
			for _, k := range []string{v.BackupVaultArn, v.BackupVaultName, vi.ARN} {
				if k != "" {
					out[k] = true
				}
			}
		}
	}
	return out, nil
}

// anyVault accepts a recovery point in any vault.
func anyVault(*recoveryPointTimes, map[string]bool) bool { return true }

// inAirGappedVault accepts a recovery point in a logically air-gapped vault: by its own
// VaultType, or by its vault's.
func inAirGappedVault(rp *recoveryPointTimes, airGapped map[string]bool) bool {
	return strings.EqualFold(rp.VaultType, airGappedVault) || airGapped[rp.BackupVaultArn] || (rp.BackupVaultArn == "" && airGapped[rp.BackupVaultName])
}

// auroraCluster says whether a DB cluster runs an Aurora engine.
func auroraCluster(it *ci.Item) (bool, string, error) {
	c, err := cfg[struct {
		Engine string `json:"engine"`
	}](it)
	if err != nil {
		return false, "", err
	}
	return strings.HasPrefix(strings.ToLower(c.Engine), "aurora"), "The cluster's engine " + c.Engine + " is not Aurora.", nil
}

const (
	lastWhere      = "in an AWS Backup vault"
	airGappedWhere = "in a logically air-gapped vault"
)

var backupRecencyRules = []*Rule{
	recencyRule("DYNAMODB_LAST_BACKUP_RECOVERY_POINT_CREATED", "AWS::DynamoDB::Table", "DynamoDB tables", lastWhere, 744, 31, anyVault, nil),
	recencyRule("EBS_LAST_BACKUP_RECOVERY_POINT_CREATED", "AWS::EC2::Volume", "EBS volumes", lastWhere, 744, 31, anyVault, nil),
	recencyRule("EFS_LAST_BACKUP_RECOVERY_POINT_CREATED", "AWS::EFS::FileSystem", "EFS file systems", lastWhere, 744, 31, anyVault, nil),
	recencyRule("RDS_LAST_BACKUP_RECOVERY_POINT_CREATED", "AWS::RDS::DBInstance", "RDS DB instances", lastWhere, 744, 31, anyVault, nil),
	recencyRule("AURORA_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT", "AWS::RDS::DBCluster", "Aurora DB clusters", airGappedWhere, 2184, 91, inAirGappedVault, auroraCluster),
	recencyRule("EBS_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT", "AWS::EC2::Volume", "EBS volumes", airGappedWhere, 2184, 91, inAirGappedVault, nil),
	recencyRule("EC2_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT", ec2Instance, "EC2 instances", airGappedWhere, 2184, 91, inAirGappedVault, nil),
	recencyRule("EFS_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT", "AWS::EFS::FileSystem", "EFS file systems", airGappedWhere, 2184, 91, inAirGappedVault, nil),
	recencyRule("S3_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT", s3Bucket, "S3 buckets", airGappedWhere, 2184, 91, inAirGappedVault, nil),
	protectedRule("VIRTUALMACHINE_RESOURCES_PROTECTED_BY_BACKUP_PLAN", backupGatewayVM, "AWS Backup gateway virtual machines", nil),
	{
		ID: "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK",
		Description: "AWS Backup recovery points are kept at least requiredRetentionDays days (default 35): Lifecycle.DeleteAfterDays, or else " +
			"CalculatedLifecycle.DeleteAt less CreationDate; a recovery point that never expires is COMPLIANT.",
		Scope:  []string{backupRecoveryPoint},
		Params: []Param{{Name: "requiredRetentionDays", Type: Int, Default: "35"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			rp, err := cfg[recoveryPointTimes](it)
			if err != nil {
				return "", "", err
			}
			want := float64(a.Int("requiredRetentionDays"))
			var days float64
			switch {
			case rp.Lifecycle != nil && rp.Lifecycle.DeleteAfterDays != nil:
				days = *rp.Lifecycle.DeleteAfterDays
			case rp.CalculatedLifecycle != nil && !rp.CalculatedLifecycle.DeleteAt.IsZero() && !rp.CreationDate.IsZero():
				days = rp.CalculatedLifecycle.DeleteAt.Sub(rp.CreationDate.Time).Hours() / 24
			default:
				return Compliant, "The recovery point does not expire.", nil
			}
			return verdict(days >= want, fmt.Sprintf("The recovery point is kept %s days, fewer than %d.", strconv.FormatFloat(days, 'f', -1, 64), a.Int("requiredRetentionDays")))
		},
	},
}

// backupGatewayVM is the resource type of AWS Backup gateway's virtual machines.
const backupGatewayVM = "AWS::BackupGateway::VirtualMachine"
