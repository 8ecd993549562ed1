package rules

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	iamUser   = "AWS::IAM::User"
	iamPolicy = "AWS::IAM::Policy"
)

// principal is the part of an IAM user, role or group CI the rules read.
type principal struct {
	UserPolicyList          []struct{ PolicyName string } `json:"userPolicyList"`
	RolePolicyList          []struct{ PolicyName string } `json:"rolePolicyList"`
	GroupPolicyList         []struct{ PolicyName string } `json:"groupPolicyList"`
	AttachedManagedPolicies []struct{ PolicyArn string }  `json:"attachedManagedPolicies"`
	GroupList               []string                      `json:"groupList"`
}

type managedPolicy struct {
	Arn                           string `json:"arn"`
	DefaultVersionID              string `json:"defaultVersionId"`
	AttachmentCount               int    `json:"attachmentCount"`
	PermissionsBoundaryUsageCount int    `json:"permissionsBoundaryUsageCount"`
	PolicyVersionList             []struct {
		Document         ci.PolicyDocument `json:"document"`
		VersionID        string            `json:"versionId"`
		IsDefaultVersion bool              `json:"isDefaultVersion"`
	} `json:"policyVersionList"`
}

// defaultDocument returns the policy's default version's document (nil when absent).
func (p *managedPolicy) defaultDocument() *ci.PolicyDocument {
	for i, v := range p.PolicyVersionList {
		if v.IsDefaultVersion || (p.DefaultVersionID != "" && v.VersionID == p.DefaultVersionID) {
			return &p.PolicyVersionList[i].Document
		}
	}
	return nil
}

var iamRules = []*Rule{
	{
		ID:          "IAM_NO_INLINE_POLICY_CHECK",
		Description: "IAM users, roles and groups have no inline policies.",
		Scope:       []string{iamUser, "AWS::IAM::Role", "AWS::IAM::Group"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[principal](it)
			if err != nil {
				return "", "", err
			}
			return verdict(len(p.UserPolicyList)+len(p.RolePolicyList)+len(p.GroupPolicyList) == 0, "The identity has inline policies.")
		},
	},
	{
		ID:          "IAM_USER_NO_POLICIES_CHECK",
		Description: "IAM users have no policies (managed or inline) attached directly.",
		Scope:       []string{iamUser},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[principal](it)
			if err != nil {
				return "", "", err
			}
			return verdict(len(p.UserPolicyList)+len(p.AttachedManagedPolicies) == 0, "The user has policies attached directly.")
		},
	},
	{
		ID:          "IAM_USER_GROUP_MEMBERSHIP_CHECK",
		Description: "IAM users are members of at least one group, one of groupNames when given.",
		Scope:       []string{iamUser},
		Params:      []Param{{Name: "groupNames", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[principal](it)
			if err != nil {
				return "", "", err
			}
			if !a.Set("groupNames") {
				return verdict(len(p.GroupList) > 0, "The user is in no group.")
			}
			for _, g := range p.GroupList {
				if inList(a.List("groupNames"), g) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "The user is in none of groupNames.", nil
		},
	},
	{
		ID:          "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
		Description: "The default version of customer managed policies has no Allow of Action * on Resource *; AWS managed policies are NOT_APPLICABLE, and so are permissions boundaries when excludePermissionBoundaryPolicy is true.",
		Scope:       []string{iamPolicy},
		Params:      []Param{{Name: "excludePermissionBoundaryPolicy", Type: Bool}},
		Item: customerPolicyItem(func(st ci.Statement) string {
			if st.FullAdmin() {
				return "The policy allows Action * on Resource *."
			}
			return ""
		}),
	},
	{
		ID:          "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
		Description: "The default version of customer managed policies has no Allow of every action of a service (service:* or *); prefixes such as ec2:Describe* are fine. AWS managed policies are NOT_APPLICABLE, and so are permissions boundaries when excludePermissionBoundaryPolicy is true.",
		Scope:       []string{iamPolicy},
		Params:      []Param{{Name: "excludePermissionBoundaryPolicy", Type: Bool}},
		Item: customerPolicyItem(func(st ci.Statement) string {
			if !st.Allow() {
				return ""
			}
			for _, act := range st.Action {
				if act == "*" || strings.HasSuffix(act, ":*") {
					return "The policy allows full access to a service (" + act + ")."
				}
			}
			return ""
		}),
	},
	{
		ID:          "IAM_POLICY_IN_USE",
		Description: "The policy policyARN is attached (to a user, group or role; to the kind policyUsageType names when given: IAM_USER, IAM_GROUP, IAM_ROLE or ANY); other policies are NOT_APPLICABLE.",
		Scope:       []string{iamPolicy},
		Params:      []Param{{Name: "policyARN", Type: String, Required: true}, {Name: "policyUsageType", Type: String, Default: "ANY"}},
		CheckParams: oneOf("policyUsageType", "IAM_USER", "IAM_GROUP", "IAM_ROLE", "ANY"),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[managedPolicy](it)
			if err != nil {
				return "", "", err
			}
			if cmp.Or(p.Arn, it.ARN) != a.Str("policyARN") {
				return na("Not the policy policyARN.")
			}
			kind := map[string]string{"IAM_USER": "AWS::IAM::User", "IAM_GROUP": "AWS::IAM::Group", "IAM_ROLE": "AWS::IAM::Role"}[strings.ToUpper(a.Str("policyUsageType"))]
			if kind == "" {
				return verdict(p.AttachmentCount > 0 || len(it.Relationships) > 0, "The policy is not attached.")
			}
			for _, r := range it.Relationships {
				if r.ResourceType == kind {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "The policy is not attached to any " + kind + ".", nil
		},
	},
	{
		ID:          "IAM_ROOT_ACCESS_KEY_CHECK",
		Description: "The root user has no access keys (AccountSummary AccountAccessKeysPresent).",
		Account: summaryRule(func(s map[string]int) (bool, string) {
			return s["AccountAccessKeysPresent"] == 0, "The root user has access keys."
		}),
	},
	{
		ID:          "ROOT_ACCOUNT_MFA_ENABLED",
		Description: "The root user has MFA (AccountSummary AccountMFAEnabled).",
		Account: summaryRule(func(s map[string]int) (bool, string) {
			return s["AccountMFAEnabled"] == 1, "The root user has no MFA."
		}),
	},
	{
		ID:          "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED",
		Description: "The root user has MFA and it is not a virtual device.",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if acct.AccountSummary == nil || !acct.Has("iam.VirtualMFADevices") {
				return nil, nil
			}
			if acct.AccountSummary["AccountMFAEnabled"] != 1 {
				return []Result{accountResult(acct, NonCompliant, "The root user has no MFA.")}, nil
			}
			for _, d := range acct.VirtualMFADevices {
				if strings.HasSuffix(d.SerialNumber, ":mfa/root-account-mfa-device") || (d.User != nil && strings.HasSuffix(d.User.Arn, ":root")) {
					return []Result{accountResult(acct, NonCompliant, "The root user's MFA is a virtual device.")}, nil
				}
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
	{
		ID:          "IAM_PASSWORD_POLICY",
		Description: "The account password policy meets every parameter; no policy is NON_COMPLIANT.",
		Params: []Param{
			{Name: "RequireUppercaseCharacters", Type: Bool, Default: "true"}, {Name: "RequireLowercaseCharacters", Type: Bool, Default: "true"},
			{Name: "RequireSymbols", Type: Bool, Default: "true"}, {Name: "RequireNumbers", Type: Bool, Default: "true"},
			{Name: "MinimumPasswordLength", Type: Int, Default: "14"}, {Name: "PasswordReusePrevention", Type: Int, Default: "24"},
			{Name: "MaxPasswordAge", Type: Int, Default: "90"},
		},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("iam.PasswordPolicy") {
				return nil, nil
			}
			p := acct.PasswordPolicy
			if p == nil {
				return []Result{accountResult(acct, NonCompliant, "The account has no password policy.")}, nil
			}
			var bad []string
			need := func(ok bool, name string) {
				if !ok {
					bad = append(bad, name)
				}
			}
			need(!a.Bool("RequireUppercaseCharacters") || p.RequireUppercaseCharacters, "RequireUppercaseCharacters")
			need(!a.Bool("RequireLowercaseCharacters") || p.RequireLowercaseCharacters, "RequireLowercaseCharacters")
			need(!a.Bool("RequireSymbols") || p.RequireSymbols, "RequireSymbols")
			need(!a.Bool("RequireNumbers") || p.RequireNumbers, "RequireNumbers")
			need(p.MinimumPasswordLength >= a.Int("MinimumPasswordLength"), "MinimumPasswordLength")
			need(!a.Set("PasswordReusePrevention") || p.PasswordReusePrevention >= a.Int("PasswordReusePrevention"), "PasswordReusePrevention")
			need(!a.Set("MaxPasswordAge") || (p.ExpirePasswords || p.MaxPasswordAge > 0) && p.MaxPasswordAge > 0 && p.MaxPasswordAge <= a.Int("MaxPasswordAge"), "MaxPasswordAge")
			c, note, _ := verdict(len(bad) == 0, "Not met: "+strings.Join(bad, ", ")+".")
			return []Result{accountResult(acct, c, note)}, nil
		},
	},
	{
		ID:          "ACCESS_KEYS_ROTATED",
		Description: "Active access keys are younger than maxAccessKeyAge days; one result per user.",
		Params:      []Param{{Name: "maxAccessKeyAge", Type: Int, Default: "90", Required: true}},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if acct.AccessKeysByUser == nil {
				return nil, nil
			}
			var out []Result
			for _, user := range sortedKeys(acct.AccessKeysByUser) {
				var old []string
				for _, k := range acct.AccessKeysByUser[user] {
					if k.Status == "Active" && olderThan(k.CreateDate, env.Now, a.Int("maxAccessKeyAge")) {
						old = append(old, k.AccessKeyID)
					}
				}
				c, note, _ := verdict(len(old) == 0, "Access keys not rotated in "+a.Str("maxAccessKeyAge")+" days: "+strings.Join(old, ", ")+".")
				out = append(out, Result{ResourceType: iamUser, ResourceID: user, ComplianceType: c, Annotation: note})
			}
			return out, nil
		},
	},
	{
		ID:          "IAM_USER_MFA_ENABLED",
		Description: "Every IAM user has MFA (credential report mfa_active).",
		Account: reportRule(func(a Args, row map[string]string, now time.Time) (Compliance, string) {
			c, note, _ := verdict(row["mfa_active"] == "true", "The user has no MFA device.")
			return c, note
		}),
	},
	{
		ID:          "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
		Description: "IAM users with a console password have MFA; users without one are NOT_APPLICABLE.",
		Account: reportRule(func(a Args, row map[string]string, now time.Time) (Compliance, string) {
			if row["password_enabled"] != "true" {
				return NotApplicable, "The user has no console password."
			}
			c, note, _ := verdict(row["mfa_active"] == "true", "The user has console access without MFA.")
			return c, note
		}),
	},
	{
		ID:          "IAM_USER_UNUSED_CREDENTIALS_CHECK",
		Description: "No IAM user has a password or active access key unused for more than maxCredentialUsageAge days (credential report).",
		Params:      []Param{{Name: "maxCredentialUsageAge", Type: Int, Default: "90", Required: true}},
		Account: reportRule(func(a Args, row map[string]string, now time.Time) (Compliance, string) {
			days := a.Int("maxCredentialUsageAge")
			stale := func(lastUsed, fallback string) bool {
				t, ok := reportTime(row[lastUsed])
				if !ok {
					t, ok = reportTime(row[fallback])
				}
				return ok && olderThan(t, now, days)
			}
			var bad []string
			if row["password_enabled"] == "true" && stale("password_last_used", "password_last_changed") {
				bad = append(bad, "password")
			}
			for _, k := range []string{"1", "2"} {
				if row["access_key_"+k+"_active"] == "true" && stale("access_key_"+k+"_last_used_date", "access_key_"+k+"_last_rotated") {
					bad = append(bad, "access key "+k)
				}
			}
			if len(bad) > 0 {
				return NonCompliant, "Unused for more than " + a.Str("maxCredentialUsageAge") + " days: " + strings.Join(bad, ", ") + "."
			}
			return Compliant, ""
		}),
	},
}

// summaryRule builds an account rule over GetAccountSummary.
func summaryRule(ok func(map[string]int) (bool, string)) func(Args, *ci.Account, Env) ([]Result, error) {
	return func(a Args, acct *ci.Account, env Env) ([]Result, error) {
		if acct.AccountSummary == nil {
			return nil, nil
		}
		good, bad := ok(acct.AccountSummary)
		c, note, _ := verdict(good, bad)
		return []Result{accountResult(acct, c, note)}, nil
	}
}

// reportRule builds a per-user rule over the credential report; the root row is skipped.
func reportRule(f func(Args, map[string]string, time.Time) (Compliance, string)) func(Args, *ci.Account, Env) ([]Result, error) {
	return func(a Args, acct *ci.Account, env Env) ([]Result, error) {
		if acct.CredentialReport == nil {
			return nil, nil
		}
		var out []Result
		for _, row := range acct.CredentialReport {
			if row["user"] == "<root_account>" {
				continue
			}
			c, note := f(a, row, env.Now)
			out = append(out, Result{ResourceType: iamUser, ResourceID: row["user"], ComplianceType: c, Annotation: note})
		}
		return out, nil
	}
}

// reportTime parses a credential report time; "N/A", "no_information" and "not_supported" are absent.
func reportTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// customerPolicyItem evaluates the default version of customer managed policies: a
// statement for which bad returns an annotation makes the policy NON_COMPLIANT. AWS
// managed policies are NOT_APPLICABLE, and so are permissions boundaries when the rule's
// excludePermissionBoundaryPolicy is true.
func customerPolicyItem(bad func(ci.Statement) string) func(Args, *ci.Item, Env) (Compliance, string, error) {
	return func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
		p, err := cfg[managedPolicy](it)
		if err != nil {
			return "", "", err
		}
		switch {
		case strings.Contains(cmp.Or(p.Arn, it.ARN), ":iam::aws:policy/"):
			return na("AWS managed policy.")
		case a.Bool("excludePermissionBoundaryPolicy") && p.PermissionsBoundaryUsageCount > 0:
			return na("Used as a permissions boundary.")
		}
		doc := p.defaultDocument()
		if doc == nil {
			return "", "", fmt.Errorf("configuration.policyVersionList: no default version")
		}
		for _, st := range doc.Statement {
			if why := bad(st); why != "" {
				return NonCompliant, why, nil
			}
		}
		return Compliant, "", nil
	}
}
