package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

const (
	backupRecoveryPoint = "AWS::Backup::RecoveryPoint"
	backupVault         = "AWS::Backup::BackupVault"
	backupPlan          = "AWS::Backup::BackupPlan"
)

// recoveryPoint is the part of an AWS::Backup::RecoveryPoint item the rules read (AWS
// Config's member names, DescribeRecoveryPoint's).
type recoveryPoint struct {
	RecoveryPointArn string `json:"RecoveryPointArn"`
	ResourceArn      string `json:"ResourceArn"`
	BackupVaultArn   string `json:"BackupVaultArn"`
	BackupVaultName  string `json:"BackupVaultName"`
	IsEncrypted      bool   `json:"IsEncrypted"`
	Status           string `json:"Status"`
	CreatedBy        struct {
		BackupPlanID string `json:"BackupPlanId"`
	} `json:"CreatedBy"`
}

// vault is the part of an AWS::Backup::BackupVault item the rules read: CloudFormation's
// member names, the access policy as a document (object or JSON text) and the Vault Lock
// settings as LockConfiguration (absent when the vault is not locked).
type vault struct {
	BackupVaultArn    string             `json:"BackupVaultArn"`
	BackupVaultName   string             `json:"BackupVaultName"`
	AccessPolicy      *ci.PolicyDocument `json:"AccessPolicy"`
	LockConfiguration *struct {
		MinRetentionDays *int `json:"MinRetentionDays"`
		MaxRetentionDays *int `json:"MaxRetentionDays"`
	} `json:"LockConfiguration"`
}

// planRule is one rule of a backup plan. AWS Config records the rules under
// BackupPlanRule (CloudFormation's name) and GetBackupPlan under Rules; both are read.
type planRule struct {
	RuleName           string `json:"RuleName"`
	ScheduleExpression string `json:"ScheduleExpression"`
	Lifecycle          *struct {
		DeleteAfterDays *float64 `json:"DeleteAfterDays"`
	} `json:"Lifecycle"`
	CopyActions []struct {
		DestinationBackupVaultArn string `json:"DestinationBackupVaultArn"`
	} `json:"CopyActions"`
}

// plan is the part of an AWS::Backup::BackupPlan item the rules read.
type plan struct {
	BackupPlanID string `json:"BackupPlanId"`
	BackupPlan   struct {
		BackupPlanRule []planRule `json:"BackupPlanRule"`
		Rules          []planRule `json:"Rules"`
	} `json:"BackupPlan"`
}

func (p *plan) rules() []planRule {
	return append(append([]planRule{}, p.BackupPlan.BackupPlanRule...), p.BackupPlan.Rules...)
}

// deletionActions are the actions a vault's access policy must deny to everyone for
// BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED.
var deletionActions = []string{"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle", "backup:PutBackupVaultAccessPolicy"}

// preventsDeletion reports whether s is a Deny of every deletion action to every
// principal ("*") on every resource ("*"), with no condition other than exceptions for
// the principals of allowed (aws:PrincipalArn in an ArnNotEquals, ArnNotLike,
// StringNotEquals or StringNotLike condition, each value of which is in allowed).
func preventsDeletion(s ci.Statement, allowed []string) bool {
	if !s.Deny() || !s.Principal.Public() || !s.Resource.Has("*") {
		return false
	}
	for _, a := range deletionActions {
		if !s.ActionMatches(a) {
			return false
		}
	}
	for op, keys := range s.Condition {
		switch strings.ToLower(op) {
		case "arnnotequals", "arnnotlike", "stringnotequals", "stringnotlike":
		default:
			return false
		}
		for k, vals := range keys {
			if !strings.EqualFold(k, "aws:PrincipalArn") {
				return false
			}
			for _, v := range vals {
				if !inList(allowed, v) {
					return false
				}
			}
		}
	}
	return true
}

// scheduleHours returns how many hours apart a backup rule's schedule starts backups
// (the longest gap, for an irregular schedule), from a cron(minute hour day-of-month
// month day-of-week year) or rate(N unit) expression. ok is false for an expression it
// cannot read.
func scheduleHours(expr string) (hours float64, ok bool) {
	expr = strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		f := strings.Fields(expr[5 : len(expr)-1])
		if len(f) != 2 {
			return 0, false
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n <= 0 {
			return 0, false
		}
		switch strings.TrimSuffix(f[1], "s") {
		case "minute":
			return float64(n) / 60, true
		case "hour":
			return float64(n), true
		case "day":
			return float64(n) * 24, true
		}
		return 0, false
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		f := strings.Fields(expr[5 : len(expr)-1])
		if len(f) != 6 {
			return 0, false
		}
		hour, dom, month, dow := f[1], f[2], f[3], f[4]
		every := func(s string) bool { return s == "*" || s == "?" }
		switch {
		case !every(month):
			return 366 * 24, true // in given months only: a year apart at worst
		case !every(dow):
			days, ok := weekdayGap(dow)
			return float64(days) * 24, ok
		case every(dom):
		case strings.Contains(dom, "/"):
			n, err := strconv.Atoi(dom[strings.Index(dom, "/")+1:])
			if err != nil || n <= 0 {
				return 0, false
			}
			return float64(n) * 24, true
		default:
			return 31 * 24, true // on given days of the month: a month apart at worst
		}
		return hourGap(hour)
	}
	return 0, false
}

// weekdayGap returns the longest gap in days between the days of the week a cron
// day-of-week field names (1-7 or SUN-SAT, lists and ranges; 7 for one day a week).
func weekdayGap(field string) (int, bool) {
	names := []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	day := func(s string) (int, bool) {
		s = strings.ToUpper(strings.SplitN(s, "#", 2)[0])
		for i, n := range names {
			if s == n {
				return i, true
			}
		}
		d, err := strconv.Atoi(s)
		return d - 1, err == nil && d >= 1 && d <= 7
	}
	var set [7]bool
	for _, p := range strings.Split(field, ",") {
		lo, hi, isRange := strings.Cut(p, "-")
		a, ok := day(lo)
		if !ok {
			return 0, false
		}
		b := a
		if isRange {
			if b, ok = day(hi); !ok || b < a {
				return 0, false
			}
		}
		for d := a; d <= b; d++ {
			set[d] = true
		}
	}
	gap := 0
	for d := range 7 {
		if !set[d] {
			continue
		}
		n := 1
		for !set[(d+n)%7] {
			n++
		}
		gap = max(gap, n)
	}
	return gap, true
}

// hourGap returns the longest gap in hours between the hours a cron hour field names
// within a day (24 for one hour a day).
func hourGap(field string) (float64, bool) {
	if field == "*" {
		return 1, true
	}
	if i := strings.Index(field, "/"); i >= 0 {
		n, err := strconv.Atoi(field[i+1:])
		if err != nil || n <= 0 {
			return 0, false
		}
		return float64(min(n, 24)), true
	}
	var hours []int
	for _, p := range strings.Split(field, ",") {
		lo, hi, isRange := strings.Cut(p, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 || a > 23 {
			return 0, false
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b > 23 {
				return 0, false
			}
		}
		for h := a; h <= b; h++ {
			hours = append(hours, h)
		}
	}
	gap := 0
	for i, h := range hours {
		d := (hours[(i+1)%len(hours)] - h + 24) % 24
		if d == 0 {
			d = 24
		}
		gap = max(gap, d)
	}
	return float64(gap), true
}

var backupVaultRules = []*Rule{
	{
		ID:          "BACKUP_RECOVERY_POINT_ENCRYPTED",
		Description: "AWS Backup recovery points are encrypted (IsEncrypted).",
		Scope:       []string{backupRecoveryPoint},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			rp, err := cfg[recoveryPoint](it)
			if err != nil {
				return "", "", err
			}
			return verdict(rp.IsEncrypted, "The recovery point is not encrypted.")
		},
	},
	{
		ID: "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
		Description: "Backup vaults have an access policy with a Deny statement to every principal (\"*\") on every resource (\"*\") of backup:DeleteRecoveryPoint, " +
			"backup:UpdateRecoveryPointLifecycle and backup:PutBackupVaultAccessPolicy; principalArnList names the principals that statement may except (aws:PrincipalArn conditions).",
		Scope:  []string{backupVault},
		Params: []Param{{Name: "principalArnList", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			v, err := cfg[vault](it)
			if err != nil {
				return "", "", err
			}
			if v.AccessPolicy == nil || len(v.AccessPolicy.Statement) == 0 {
				return NonCompliant, "The vault has no access policy.", nil
			}
			for _, s := range v.AccessPolicy.Statement {
				if preventsDeletion(s, a.List("principalArnList")) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No statement of the vault's access policy denies everyone the deletion of recovery points.", nil
		},
	},
	{
		ID: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
		Description: "Backup plans have a rule that backs up at least every requiredFrequencyValue requiredFrequencyUnit (hours or days) " +
			"and keeps recovery points at least requiredRetentionDays days.",
		Scope: []string{backupPlan},
		Params: []Param{{Name: "requiredFrequencyValue", Type: Int, Default: "1"}, {Name: "requiredRetentionDays", Type: Int, Default: "35"},
			{Name: "requiredFrequencyUnit", Type: String, Default: "days"}},
		CheckParams: func(a Args) []probity.FieldError {
			_, bad := period(a, "requiredFrequencyValue", "requiredFrequencyUnit", 24, 31)
			return bad
		},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			unit, n := strings.ToLower(a.Str("requiredFrequencyUnit")), a.Int("requiredFrequencyValue")
			every, _ := period(a, "requiredFrequencyValue", "requiredFrequencyUnit", 24, 31)
			want := every.Hours()
			p, err := cfg[plan](it)
			if err != nil {
				return "", "", err
			}
			rules := p.rules()
			if len(rules) == 0 {
				return NonCompliant, "The backup plan has no rule.", nil
			}
			for _, r := range rules {
				h, ok := scheduleHours(r.ScheduleExpression)
				kept := r.Lifecycle == nil || r.Lifecycle.DeleteAfterDays == nil || *r.Lifecycle.DeleteAfterDays >= float64(a.Int("requiredRetentionDays"))
				if ok && h <= want && kept {
					return Compliant, "", nil
				}
			}
			return NonCompliant, fmt.Sprintf("No rule of the backup plan backs up every %d %s and keeps recovery points %d days.",
				n, unit, a.Int("requiredRetentionDays")), nil
		},
	},
}

// decodeTags reads the resourceTags parameter, a JSON object of tag keys to values.
func decodeTags(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf(`%q is not a JSON object of strings ({"key": "value"})`, s)
	}
	return m, nil
}
