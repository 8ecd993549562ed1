package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// secretsSecret is the resource type of Secrets Manager secrets.
const secretsSecret = "AWS::SecretsManager::Secret"

// secret is the part of a secret's CI the rules read: DescribeSecret's members with
// their leading capitals in lower case, as the inventory records them (encoding/json
// also matches DescribeSecret's own capitalised names).
type secret struct {
	KmsKeyID        string `json:"kmsKeyId"`
	RotationEnabled bool   `json:"rotationEnabled"`
	RotationRules   struct {
		AutomaticallyAfterDays int    `json:"automaticallyAfterDays"`
		ScheduleExpression     string `json:"scheduleExpression"`
		Duration               string `json:"duration"`
	} `json:"rotationRules"`
	LastRotatedDate  json.RawMessage `json:"lastRotatedDate"`
	NextRotationDate json.RawMessage `json:"nextRotationDate"`
	CreatedDate      json.RawMessage `json:"createdDate"`
}

// rateExpr is a rotation schedule written as a rate: rate(10 days), rate(4 hours).
var rateExpr = regexp.MustCompile(`^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$`)

// frequency returns how often the secret rotates, false when its schedule is a cron
// expression (whose interval is not a single number) or absent.
func (s *secret) frequency() (time.Duration, bool) {
	if m := rateExpr.FindStringSubmatch(strings.TrimSpace(s.RotationRules.ScheduleExpression)); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := 24 * time.Hour
		if strings.HasPrefix(m[2], "hour") {
			unit = time.Hour
		}
		return time.Duration(n) * unit, true
	}
	if d := s.RotationRules.AutomaticallyAfterDays; d > 0 {
		return time.Duration(d) * 24 * time.Hour, true
	}
	return 0, false
}

// awsManagedSecretsKey reports whether a key reference names the AWS managed key of
// Secrets Manager, aws/secretsmanager.
func awsManagedSecretsKey(key string) bool {
	return key == "" || key == "alias/aws/secretsmanager" || strings.HasSuffix(key, ":alias/aws/secretsmanager")
}

var secretsRules = []*Rule{
	{
		ID: "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
		Description: "Secrets Manager secrets have automatic rotation enabled, rotating at least every maximumAllowedRotationFrequency days " +
			"and maximumAllowedRotationFrequencyInHours hours when given (a cron schedule is not compared).",
		Scope:  []string{secretsSecret},
		Params: []Param{{Name: "maximumAllowedRotationFrequency", Type: Int}, {Name: "maximumAllowedRotationFrequencyInHours", Type: Int}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[secret](it)
			if err != nil {
				return "", "", err
			}
			if !s.RotationEnabled {
				return NonCompliant, "Rotation is not enabled.", nil
			}
			every, known := s.frequency()
			if !known {
				return Compliant, "", nil
			}
			if a.Set("maximumAllowedRotationFrequency") && every > time.Duration(a.Int("maximumAllowedRotationFrequency"))*24*time.Hour {
				return NonCompliant, fmt.Sprintf("The secret rotates every %s, less often than every %d days.", span(every), a.Int("maximumAllowedRotationFrequency")), nil
			}
			if a.Set("maximumAllowedRotationFrequencyInHours") && every > time.Duration(a.Int("maximumAllowedRotationFrequencyInHours"))*time.Hour {
				return NonCompliant, fmt.Sprintf("The secret rotates every %s, less often than every %d hours.", span(every), a.Int("maximumAllowedRotationFrequencyInHours")), nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "SECRETSMANAGER_USING_CMK",
		Description: "Secrets Manager secrets are encrypted with a customer managed KMS key (kmsKeyId), not aws/secretsmanager; " +
			"with kmsKeyArns, one of those keys.",
		Scope:  []string{secretsSecret},
		Params: []Param{{Name: "kmsKeyArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[secret](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case awsManagedSecretsKey(s.KmsKeyID):
				return NonCompliant, "The secret is encrypted with the AWS managed key aws/secretsmanager.", nil
			case a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), s.KmsKeyID):
				return NonCompliant, "The secret's key " + s.KmsKeyID + " is not in kmsKeyArns.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
		Description: "Secrets Manager secrets that rotate were rotated by their scheduled date (nextRotationDate, else the last rotation " +
			"or creation plus the rotation interval) and its rotation window; secrets without rotation are NOT_APPLICABLE.",
		Scope: []string{secretsSecret},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[secret](it)
			if err != nil {
				return "", "", err
			}
			if !s.RotationEnabled {
				return na("Rotation is not enabled.")
			}
			due, err := s.due()
			if err != nil {
				return "", "", err
			}
			if due.IsZero() {
				return na("The secret's rotation date is not known.")
			}
			return verdict(!env.Now.After(due.Add(s.window())),
				"The secret was not rotated as scheduled on "+due.UTC().Format(time.RFC3339)+".")
		},
	},
}

// due returns when the secret's next rotation should have started: nextRotationDate as
// Secrets Manager computes it, else the last rotation (or the creation) plus the
// interval; the zero time when neither can be known.
func (s *secret) due() (time.Time, error) {
	next, err := instant(s.NextRotationDate)
	if err != nil || !next.IsZero() {
		return next, wrapField("nextRotationDate", err)
	}
	every, ok := s.frequency()
	if !ok {
		return time.Time{}, nil
	}
	from, err := instant(s.LastRotatedDate)
	if err != nil {
		return time.Time{}, wrapField("lastRotatedDate", err)
	}
	if from.IsZero() {
		if from, err = instant(s.CreatedDate); err != nil || from.IsZero() {
			return time.Time{}, wrapField("createdDate", err)
		}
	}
	return from.Add(every), nil
}

// window returns how long after the due date a rotation may still happen: the
// schedule's duration (2h, 24h...), else one day, within which Secrets Manager rotates
// a secret scheduled by days.
func (s *secret) window() time.Duration {
	if d, err := time.ParseDuration(s.RotationRules.Duration); err == nil && d > 0 {
		return d
	}
	return 24 * time.Hour
}

func wrapField(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// span writes a rotation interval in days, or hours when it is not whole days.
func span(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d hours", d/time.Hour)
}
