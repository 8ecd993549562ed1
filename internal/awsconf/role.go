package awsconf

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/probity-dev/probity"
)

// DefaultRoleName is the role Probity assumes in the accounts it monitors unless told
// otherwise. Each monitored account creates it, trusting the account Probity runs in.
const DefaultRoleName = "ProbityCollector"

// Role is the IAM role Probity assumes to act in another account. The zero Role
// assumes DefaultRoleName without an external id, for STS's default 15 minutes, as
// session "probity-HOST".
type Role struct {
	// Name is the role's name, with its path if it has one
	// ("service-role/ProbityCollector"); default DefaultRoleName.
	Name string
	// ExternalID is passed to AssumeRole when set, for roles whose trust policy
	// requires sts:ExternalId (as third-party access should).
	ExternalID string
	// SessionName names the session in the monitored account's CloudTrail; default
	// "probity-" and the host name, so that the instance that acted can be told.
	SessionName string
	// Duration is how long each set of credentials lasts (15 min to 12 h; default
	// STS's 15 min). They are refreshed shortly before they expire.
	Duration time.Duration
}

var (
	roleNamePattern = regexp.MustCompile(`^([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	externalPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // 2 to 1224 long
	sessionPattern  = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// Validate returns an EINVALID error when a member of r breaks IAM's rules for it.
func (r Role) Validate() error {
	switch {
	case r.Name != "" && (len(r.Name) > 512 || !roleNamePattern.MatchString(r.Name)):
		return probity.Errorf(probity.EINVALID, "role name %q: want at most 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional path (PATH/NAME)", r.Name)
	case r.ExternalID != "" && (len(r.ExternalID) < 2 || len(r.ExternalID) > 1224 || !externalPattern.MatchString(r.ExternalID)):
		return probity.Errorf(probity.EINVALID, "external id: want 2 to 1224 of A-Z a-z 0-9 + = , . @ : / _ -")
	case r.SessionName != "" && !sessionPattern.MatchString(r.SessionName):
		return probity.Errorf(probity.EINVALID, "session name %q: want 2 to 64 of A-Z a-z 0-9 + = , . @ _ -", r.SessionName)
	case r.Duration != 0 && (r.Duration < 15*time.Minute || r.Duration > 12*time.Hour):
		return probity.Errorf(probity.EINVALID, "role session duration %v: want 15m to 12h", r.Duration)
	}
	return nil
}

// ARN returns the role's ARN in account, in the partition of region:
// arn:PARTITION:iam::ACCOUNT:role/NAME.
func (r Role) ARN(region, account string) string {
	name := r.Name
	if name == "" {
		name = DefaultRoleName
	}
	return "arn:" + Partition(region) + ":iam::" + account + ":role/" + name
}

// ForAccount returns a copy of base whose credentials come from assuming r in account
// (12 digits) with base's own credentials, through STS in base's region. The
// credentials are cached and refreshed before they expire, for as long as the
// configuration is used. ForAccount assumes the role once before it returns, so that a
// role that is missing or does not trust Probity is reported here: it returns an
// EINVALID error for a bad account, role or missing region, and STS's error, wrapped
// with the role's ARN, when the role cannot be assumed.
func (r Role) ForAccount(ctx context.Context, base aws.Config, account string) (aws.Config, error) {
	if err := r.Validate(); err != nil {
		return aws.Config{}, err
	}
	if !probity.IsAccountID(account) {
		return aws.Config{}, probity.Errorf(probity.EINVALID, "AWS account %q: want 12 digits", account)
	}
	if base.Region == "" {
		return aws.Config{}, probity.Errorf(probity.EINVALID, "assume a role in account %s: no AWS region", account)
	}
	arn := r.ARN(base.Region, account)
	session := r.SessionName
	if session == "" {
		host, _ := os.Hostname()
		session = sessionName(host)
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = session
		if r.ExternalID != "" {
			o.ExternalID = aws.String(r.ExternalID)
		}
		if r.Duration != 0 {
			o.Duration = r.Duration
		}
	})
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(provider)
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("assume role %s: %w", arn, err)
	}
	return cfg, nil
}

// sessionName returns "probity-HOST", with the characters a session name may not hold
// replaced by '-' and cut to 64 characters; "probity" without a host name.
func sessionName(host string) string {
	if host == "" {
		return "probity"
	}
	s := "probity-" + strings.Map(func(c rune) rune {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("+=,.@_-", c) {
			return c
		}
		return '-'
	}, host)
	return s[:min(len(s), 64)] // only ASCII is left, so bytes are characters
}
