package rules

import (
	"cmp"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	json "github.com/go-json-experiment/json/v1"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	iamGroup      = "AWS::IAM::Group"
	s3AccessPoint = "AWS::S3::AccessPoint"
)

// patternsOverlap reports whether some action matches both IAM action patterns (each
// with * and ?): one covers the other. Partial overlaps such as kms:De* and kms:*crypt
// are not detected.
func patternsOverlap(a, b string) bool {
	return ci.WildcardMatch(a, b) || ci.WildcardMatch(b, a)
}

// allowsPattern reports whether the statement allows an action that pattern matches,
// reading NotAction as every action it does not cover.
func allowsPattern(st ci.Statement, pattern string) bool {
	if !st.Allow() {
		return false
	}
	if len(st.NotAction) > 0 {
		for _, n := range st.NotAction {
			if ci.WildcardMatch(n, pattern) {
				return false
			}
		}
		return true
	}
	for _, act := range st.Action {
		if patternsOverlap(act, pattern) {
			return true
		}
	}
	return false
}

// allKMSKeys reports whether the statement's resources take in every KMS key: *, a
// KMS ARN pattern ending in key/* or *, or a NotResource.
func allKMSKeys(st ci.Statement) bool {
	if len(st.NotResource) > 0 {
		return true
	}
	for _, r := range st.Resource {
		l := strings.ToLower(r)
		if l == "*" || (strings.HasPrefix(l, "arn:") && strings.Contains(l, ":kms:") && (strings.HasSuffix(l, ":key/*") || strings.HasSuffix(l, ":*"))) {
			return true
		}
	}
	return false
}

// blockedKMS returns an annotation when the statement allows one of the blocked KMS
// action patterns on all KMS keys, ignoring conditions as the AWS Config rules do.
func blockedKMS(patterns []string, st ci.Statement) string {
	if !st.Allow() || !allKMSKeys(st) {
		return ""
	}
	for _, p := range patterns {
		if allowsPattern(st, p) {
			return "The policy allows " + p + " on all KMS keys."
		}
	}
	return ""
}

// inlinePolicies is the part of an IAM user, role or group CI holding its inline policies.
type inlinePolicies struct {
	UserPolicyList  []namedPolicy `json:"userPolicyList"`
	RolePolicyList  []namedPolicy `json:"rolePolicyList"`
	GroupPolicyList []namedPolicy `json:"groupPolicyList"`
	// AssumeRolePolicyDocument is a role's trust policy.
	AssumeRolePolicyDocument *ci.PolicyDocument `json:"assumeRolePolicyDocument"`
}

type namedPolicy struct {
	PolicyName     string            `json:"policyName"`
	PolicyDocument ci.PolicyDocument `json:"policyDocument"`
}

// onlyManagementAccount reports whether the role's trust policy lets only the
// organisation's management account assume it.
func onlyManagementAccount(trust *ci.PolicyDocument, org *ci.Organization) bool {
	if trust == nil || org == nil || org.MasterAccountID == "" {
		return false
	}
	seen := false
	for _, st := range trust.Statement {
		if !st.Allow() {
			continue
		}
		for kind, vals := range st.Principal {
			for _, v := range vals {
				if kind != "AWS" || principalAccount(v) != org.MasterAccountID {
					return false
				}
				seen = true
			}
		}
	}
	return seen
}

var accountARN = regexp.MustCompile(`^arn:[^:]+:(?:iam|sts)::(\d{12}):`)

// principalAccount returns the account of an AWS principal (an account id, or a user,
// role or root ARN), or "" for * and anything else.
func principalAccount(p string) string {
	if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
		return p
	}
	if m := accountARN.FindStringSubmatch(p); m != nil {
		return m[1]
	}
	return ""
}

// s3PolicyRule builds a rule on a bucket's policy; buckets without one are COMPLIANT.
func s3PolicyRule(id, desc string, params []Param, f func(a Args, it *ci.Item, p *ci.PolicyDocument) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{s3Bucket}, Params: params,
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			if b.Policy == nil || len(b.Policy.Statement) == 0 {
				return Compliant, "The bucket has no policy.", nil
			}
			return f(a, it, b.Policy)
		}}
}

// granteeAllowed reports whether an Allow statement's access is restricted to the
// grantees the parameters list: every principal listed (AWS principals by ARN or by
// account), or the caller confined by aws:SourceIp to networks within ipAddresses or
// by aws:SourceVpc to vpcIds.
func granteeAllowed(a Args, st ci.Statement) bool {
	if conditionConfines(a, st) {
		return true
	}
	if len(st.Principal) == 0 {
		return false
	}
	for kind, vals := range st.Principal {
		for _, v := range vals {
			var ok bool
			switch kind {
			case "AWS":
				ok = awsPrincipalListed(a.List("awsPrincipals"), v)
			case "Service":
				ok = inList(a.List("servicePrincipals"), v)
			case "Federated":
				ok = inList(a.List("federatedUsers"), v)
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// awsPrincipalListed reports whether p is one of list, or an account's root that list
// names by account id or root ARN (so 111122223333 and arn:aws:iam::111122223333:root match).
func awsPrincipalListed(list []string, p string) bool {
	if p == "*" {
		return false
	}
	for _, l := range list {
		if l == p {
			return true
		}
		if acct := principalAccount(l); acct != "" && acct == principalAccount(p) && isAccountRoot(l) && isAccountRoot(p) {
			return true
		}
	}
	return false
}

func isAccountRoot(p string) bool {
	return principalAccount(p) == p || strings.HasSuffix(p, ":root")
}

// conditionConfines reports whether the statement's conditions confine callers to the
// networks of ipAddresses (every aws:SourceIp value within one) or to vpcIds.
func conditionConfines(a Args, st ci.Statement) bool {
	for op, keys := range st.Condition {
		if strings.HasPrefix(strings.ToLower(op), "forallvalues:") || strings.Contains(strings.ToLower(op), "not") {
			continue
		}
		for k, vals := range keys {
			switch {
			case strings.EqualFold(k, "aws:SourceIp") && a.Set("ipAddresses") && len(vals) > 0:
				if allWithin(vals, a.List("ipAddresses")) {
					return true
				}
			case strings.EqualFold(k, "aws:SourceVpc") && a.Set("vpcIds") && len(vals) > 0:
				all := true
				for _, v := range vals {
					all = all && inList(a.List("vpcIds"), v)
				}
				if all {
					return true
				}
			}
		}
	}
	return false
}

// allWithin reports whether every address or network of vals lies within one of nets.
func allWithin(vals, nets []string) bool {
	for _, v := range vals {
		p, ok := prefixOf(v)
		if !ok {
			return false
		}
		in := false
		for _, n := range nets {
			q, ok := prefixOf(n)
			if ok && q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// prefixOf parses a CIDR or a bare address (a network of one).
func prefixOf(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if addr, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(addr, addr.BitLen()), true
	}
	return netip.Prefix{}, false
}

// covered reports whether one of the control policy's Allow statements grants at least
// what st grants to principal p: the principal (or *), every action and every resource
// of st by pattern, and conditions that st also carries.
func covered(control *ci.PolicyDocument, st ci.Statement, kind, p string) bool {
	for _, c := range control.Statement {
		if !c.Allow() || !principalCovers(c.Principal, kind, p) || !patternsCover(c.Action, st.Action) || !patternsCover(c.Resource, st.Resource) {
			continue
		}
		if len(st.NotAction) > 0 || len(st.NotResource) > 0 {
			continue
		}
		if conditionsWithin(c.Condition, st.Condition) {
			return true
		}
	}
	return false
}

func principalCovers(pr ci.Principal, kind, p string) bool {
	if pr.Public() {
		return true
	}
	for _, v := range pr[kind] {
		if v == p || (kind == "AWS" && awsPrincipalListed([]string{v}, p)) {
			return true
		}
	}
	return false
}

// patternsCover reports whether each of want is matched, as a pattern, by one of have.
func patternsCover(have, want ci.Strings) bool {
	if len(want) == 0 {
		return len(have) == 0
	}
	for _, w := range want {
		ok := false
		for _, h := range have {
			if ci.WildcardMatch(h, w) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// conditionsWithin reports whether every condition of control is also on the
// statement, with values among control's, so that the statement is at most as broad.
func conditionsWithin(control, st map[string]map[string]ci.Strings) bool {
	for op, keys := range control {
		for k, vals := range keys {
			got, ok := lookupCondition(st, op, k)
			if !ok || len(got) == 0 {
				return false
			}
			for _, v := range got {
				if !vals.Has(v) {
					return false
				}
			}
		}
	}
	return true
}

func lookupCondition(c map[string]map[string]ci.Strings, op, key string) (ci.Strings, bool) {
	for o, keys := range c {
		if !strings.EqualFold(o, op) {
			continue
		}
		for k, v := range keys {
			if strings.EqualFold(k, key) {
				return v, true
			}
		}
	}
	return nil, false
}

var policyRules = []*Rule{
	{
		ID: "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS",
		Description: "The default version of customer managed policies allows none of blockedActionsPatterns on all KMS keys (conditions are not read); " +
			"AWS managed policies are NOT_APPLICABLE, and so are permissions boundaries when excludePermissionBoundaryPolicy is true.",
		Scope:  []string{iamPolicy},
		Params: []Param{{Name: "blockedActionsPatterns", Type: CSV, Required: true}, {Name: "excludePermissionBoundaryPolicy", Type: Bool}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			patterns := a.List("blockedActionsPatterns")
			return customerPolicyItem(func(st ci.Statement) string { return blockedKMS(patterns, st) })(a, it, env)
		},
	},
	{
		ID: "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS",
		Description: "The inline policies of IAM users, roles and groups allow none of blockedActionsPatterns on all KMS keys; identities without inline policies are COMPLIANT. " +
			"With excludeRoleByManagementAccount true, roles that only the organisation's management account may assume are NOT_APPLICABLE.",
		Scope:  []string{iamUser, "AWS::IAM::Role", iamGroup},
		Params: []Param{{Name: "blockedActionsPatterns", Type: CSV, Required: true}, {Name: "excludeRoleByManagementAccount", Type: Bool}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[inlinePolicies](it)
			if err != nil {
				return "", "", err
			}
			if a.Bool("excludeRoleByManagementAccount") && it.ResourceType == "AWS::IAM::Role" && env.Account != nil &&
				onlyManagementAccount(p.AssumeRolePolicyDocument, env.Account.Organization) {
				return na("Only the organization's management account may assume the role.")
			}
			for _, list := range [][]namedPolicy{p.UserPolicyList, p.RolePolicyList, p.GroupPolicyList} {
				for _, pol := range list {
					for _, st := range pol.PolicyDocument.Statement {
						if why := blockedKMS(a.List("blockedActionsPatterns"), st); why != "" {
							return NonCompliant, "Inline policy " + pol.PolicyName + ": " + why, nil
						}
					}
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "IAM_GROUP_HAS_USERS_CHECK",
		Description: "IAM groups have at least one user: a user of the snapshot lists the group in its groupList, or the group's relationships name a user. " +
			"A lone group CI without such relationships is NOT_APPLICABLE, since the input holds no users.",
		Scope:   []string{iamGroup},
		Related: []string{iamUser},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			for _, r := range it.Relationships {
				if r.ResourceType == iamUser {
					return Compliant, "", nil
				}
			}
			if env.Related == nil {
				return na("The input holds no IAM users (" + iamUser + " items of a snapshot).")
			}
			g, err := cfg[struct {
				GroupName string `json:"groupName"`
			}](it)
			if err != nil {
				return "", "", err
			}
			name := cmp.Or(g.GroupName, it.ResourceName)
			for _, u := range env.Related.Items(iamUser) {
				p, err := cfg[principal](u)
				if err != nil {
					return "", "", err
				}
				if inList(p.GroupList, name) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "The group has no users.", nil
		},
	},
	{
		ID:          "S3_ACCESS_POINT_PUBLIC_ACCESS_BLOCKS",
		Description: "S3 access points have every Block Public Access setting on, unless named in excludedAccessPoints.",
		Scope:       []string{s3AccessPoint},
		Params:      []Param{{Name: "excludedAccessPoints", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			ap, err := cfg[struct {
				Name                           string                `json:"name"`
				PublicAccessBlockConfiguration *ci.PublicAccessBlock `json:"publicAccessBlockConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if inList(a.List("excludedAccessPoints"), cmp.Or(ap.Name, it.ResourceName, it.ResourceID)) {
				return Compliant, "The access point is listed in excludedAccessPoints.", nil
			}
			return verdict(allBlocked(ap.PublicAccessBlockConfiguration), "Block Public Access is not fully enabled on the access point.")
		},
	},
	{
		ID:                "S3_BUCKET_MFA_DELETE_ENABLED",
		Description:       "Buckets have MFA Delete enabled in their versioning configuration.",
		Scope:             []string{s3Bucket},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			v := b.Versioning
			return verdict(v != nil && v.IsMfaDeleteEnabled != nil && *v.IsMfaDeleteEnabled, "MFA Delete is not enabled.")
		},
	},
	s3PolicyRule("S3_BUCKET_BLACKLISTED_ACTIONS_PROHIBITED",
		"Bucket policies allow none of blacklistedActionPattern to principals of other AWS accounts (* or another account's ARN or id; conditions are not read).",
		[]Param{{Name: "blacklistedActionPattern", Type: CSV, Required: true}},
		func(a Args, it *ci.Item, p *ci.PolicyDocument) (Compliance, string, error) {
			for _, st := range p.Statement {
				if !st.Allow() || !otherAccount(st.Principal, it.AccountID) {
					continue
				}
				for _, pat := range a.List("blacklistedActionPattern") {
					if allowsPattern(st, pat) {
						return NonCompliant, "The bucket policy allows " + pat + " to another account.", nil
					}
				}
			}
			return Compliant, "", nil
		}),
	s3PolicyRule("S3_BUCKET_POLICY_GRANTEE_CHECK",
		"Each Allow statement of a bucket policy grants only to principals of awsPrincipals (ARNs, or accounts by id), servicePrincipals or federatedUsers, "+
			"or confines callers by aws:SourceIp to ipAddresses or by aws:SourceVpc to vpcIds; buckets without a policy are COMPLIANT.",
		[]Param{{Name: "awsPrincipals", Type: CSV}, {Name: "servicePrincipals", Type: CSV}, {Name: "federatedUsers", Type: CSV},
			{Name: "ipAddresses", Type: CSV}, {Name: "vpcIds", Type: CSV}},
		func(a Args, it *ci.Item, p *ci.PolicyDocument) (Compliance, string, error) {
			for i, st := range p.Statement {
				if st.Allow() && !granteeAllowed(a, st) {
					return NonCompliant, fmt.Sprintf("Statement %s grants access beyond the listed grantees.", cmp.Or(st.Sid, fmt.Sprint(i+1))), nil
				}
			}
			return Compliant, "", nil
		}),
	checked(s3PolicyRule("S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE",
		"Every Allow of a bucket policy (each principal, its actions and resources by pattern) is granted by an Allow of controlPolicy, carrying at least controlPolicy's conditions; "+
			"buckets without a policy are COMPLIANT.",
		[]Param{{Name: "controlPolicy", Type: String, Required: true}},
		func(a Args, it *ci.Item, p *ci.PolicyDocument) (Compliance, string, error) {
			control, _ := controlPolicy(a.Str("controlPolicy"))
			for i, st := range p.Statement {
				if !st.Allow() {
					continue
				}
				for kind, vals := range st.Principal {
					for _, v := range vals {
						if !covered(control, st, kind, v) {
							return NonCompliant, fmt.Sprintf("Statement %s grants %s more than controlPolicy allows.", cmp.Or(st.Sid, fmt.Sprint(i+1)), v), nil
						}
					}
				}
			}
			return Compliant, "", nil
		}), parses("controlPolicy", controlPolicy)),
}

// controlPolicy reads S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE's controlPolicy, a bucket
// policy with at least one statement; the error names the value.
func controlPolicy(s string) (*ci.PolicyDocument, error) {
	var control ci.PolicyDocument
	if err := json.Unmarshal([]byte(s), &control); err != nil || len(control.Statement) == 0 {
		return nil, fmt.Errorf("the value must be an Amazon S3 bucket policy, not %q", s)
	}
	return &control, nil
}

// otherAccount reports whether the principal takes in callers outside account: everyone,
// or an AWS principal of another account (any AWS principal when account is unknown).
func otherAccount(pr ci.Principal, account string) bool {
	if pr.Public() {
		return true
	}
	for _, v := range pr["AWS"] {
		if acct := principalAccount(v); acct == "" || acct != account {
			return true
		}
	}
	return false
}
