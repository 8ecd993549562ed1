package rules

import (
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// Amazon Cognito's resource types. AWS Config records a user pool as DescribeUserPool's
// UserPool and an identity pool as DescribeIdentityPool, with CloudFormation's member
// names (UserPoolAddOns, Policies.PasswordPolicy, MfaConfiguration, DeletionProtection,
// AllowUnauthenticatedIdentities); members are read case-insensitively.
const (
	cognitoUserPool     = "AWS::Cognito::UserPool"
	cognitoIdentityPool = "AWS::Cognito::IdentityPool"
)

// userPoolCI is the part of a user pool CI the rules read.
type userPoolCI struct {
	UserPoolAddOns *struct {
		AdvancedSecurityMode            string `json:"advancedSecurityMode"`
		AdvancedSecurityAdditionalFlows *struct {
			CustomAuthMode string `json:"customAuthMode"`
		} `json:"advancedSecurityAdditionalFlows"`
	} `json:"userPoolAddOns"`
	Policies struct {
		PasswordPolicy *struct {
			MinimumLength                 *int `json:"minimumLength"`
			RequireUppercase              bool `json:"requireUppercase"`
			RequireLowercase              bool `json:"requireLowercase"`
			RequireNumbers                bool `json:"requireNumbers"`
			RequireSymbols                bool `json:"requireSymbols"`
			TemporaryPasswordValidityDays *int `json:"temporaryPasswordValidityDays"`
		} `json:"passwordPolicy"`
		SignInPolicy *struct {
			AllowedFirstAuthFactors []string `json:"allowedFirstAuthFactors"`
		} `json:"signInPolicy"`
	} `json:"policies"`
	MfaConfiguration   string `json:"mfaConfiguration"`
	DeletionProtection string `json:"deletionProtection"`
}

// securityMode returns the pool's threat protection mode for standard authentication
// (OFF when not set) and for custom authentication (AUDIT, Cognito's default, when
// threat protection is on and the pool names none; OFF when it is off).
func (p *userPoolCI) securityMode() (standard, custom string) {
	standard, custom = "OFF", "OFF"
	if p.UserPoolAddOns == nil || p.UserPoolAddOns.AdvancedSecurityMode == "" {
		return standard, custom
	}
	standard = strings.ToUpper(p.UserPoolAddOns.AdvancedSecurityMode)
	if standard == "OFF" {
		return standard, custom
	}
	custom = "AUDIT"
	if f := p.UserPoolAddOns.AdvancedSecurityAdditionalFlows; f != nil && f.CustomAuthMode != "" {
		custom = strings.ToUpper(f.CustomAuthMode)
	}
	return standard, custom
}

// userPoolRule declares a user pool rule that decides from the decoded CI.
func userPoolRule(id, desc string, params []Param, judge func(Args, *userPoolCI) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{cognitoUserPool}, Params: params,
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			p, err := cfg[userPoolCI](it)
			if err != nil {
				return "", "", err
			}
			return judge(a, p)
		}}
}

// identityPoolUnauth judges an identity pool: NON_COMPLIANT when it allows
// unauthenticated identities.
func identityPoolUnauth(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
	p, err := cfg[struct {
		AllowUnauthenticatedIdentities bool `json:"allowUnauthenticatedIdentities"`
	}](it)
	if err != nil {
		return "", "", err
	}
	return verdict(!p.AllowUnauthenticatedIdentities, "The identity pool allows unauthenticated identities.")
}

var cognitoRules = []*Rule{
	{
		ID:          "COGNITO_IDENTITY_POOL_UNAUTHENTICATED_LOGINS",
		Description: "Cognito identity pools do not allow unauthenticated identities (AllowUnauthenticatedIdentities false).",
		Scope:       []string{cognitoIdentityPool},
		Item:        identityPoolUnauth,
	},
	{
		ID:          "COGNITO_IDENTITY_POOL_UNAUTH_ACCESS_CHECK",
		Description: "Cognito identity pools do not allow unauthenticated identities (AllowUnauthenticatedIdentities false).",
		Scope:       []string{cognitoIdentityPool},
		Item:        identityPoolUnauth,
	},
	checked(userPoolRule("COGNITO_USER_POOL_ADVANCED_SECURITY_ENABLED",
		"Cognito user pools have threat protection for standard authentication in the mode SecurityMode (ENFORCED by default, or AUDIT): UserPoolAddOns.AdvancedSecurityMode.",
		[]Param{{Name: "SecurityMode", Type: String, Default: "ENFORCED"}},
		func(a Args, p *userPoolCI) (Compliance, string, error) {
			want := strings.ToUpper(strings.TrimSpace(a.Str("SecurityMode")))
			mode, _ := p.securityMode()
			return verdict(mode == want, "Threat protection for standard authentication is "+mode+", not "+want+".")
		}), oneOf("SecurityMode", "ENFORCED", "AUDIT")),
	userPoolRule("COGNITO_USERPOOL_CUST_AUTH_THREAT_FULL_CHECK",
		"Cognito user pools have threat protection on with full-function enforcement for custom authentication (UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode ENFORCED; AUDIT when threat protection is on and no mode is named).",
		nil,
		func(_ Args, p *userPoolCI) (Compliance, string, error) {
			_, custom := p.securityMode()
			return verdict(custom == "ENFORCED", "Threat protection for custom authentication is "+custom+", not ENFORCED.")
		}),
	userPoolRule("COGNITO_USER_POOL_DELETION_PROTECTION_ENABLED",
		"Cognito user pools have deletion protection on (DeletionProtection ACTIVE).",
		nil,
		func(_ Args, p *userPoolCI) (Compliance, string, error) {
			return verdict(strings.EqualFold(p.DeletionProtection, "ACTIVE"), "Deletion protection is not active.")
		}),
	userPoolRule("COGNITO_USER_POOL_MFA_ENABLED",
		"Cognito user pools whose sign-in policy allows only passwords as first factor (the default when none is recorded) have MFA on or optional (MfaConfiguration ON or OPTIONAL); pools that allow other first factors are NOT_APPLICABLE.",
		nil,
		func(_ Args, p *userPoolCI) (Compliance, string, error) {
			if sp := p.Policies.SignInPolicy; sp != nil && len(sp.AllowedFirstAuthFactors) > 0 {
				for _, f := range sp.AllowedFirstAuthFactors {
					if !strings.EqualFold(f, "PASSWORD") {
						return na("The sign-in policy allows first factors other than a password: " + strings.Join(sp.AllowedFirstAuthFactors, ", ") + ".")
					}
				}
			}
			m := strings.ToUpper(p.MfaConfiguration)
			return verdict(m == "ON" || m == "OPTIONAL", "MFA is off for a pool that signs in with passwords only.")
		}),
	userPoolRule("COGNITO_USER_POOL_PASSWORD_POLICY_CHECK",
		"Cognito user pools' password policy requires at least minLength characters (default 8), symbols, numbers, upper and lower case letters where the parameters say so (all true by default), "+
			"and temporary passwords valid for at most temporaryPasswordValidity days (default 7).",
		[]Param{
			{Name: "requireSymbols", Type: Bool, Default: "true"},
			{Name: "temporaryPasswordValidity", Type: Int, Default: "7"},
			{Name: "minLength", Type: Int, Default: "8"},
			{Name: "requireNumbers", Type: Bool, Default: "true"},
			{Name: "requireUppercase", Type: Bool, Default: "true"},
			{Name: "requireLowercase", Type: Bool, Default: "true"},
		},
		func(a Args, p *userPoolCI) (Compliance, string, error) {
			pp := p.Policies.PasswordPolicy
			if pp == nil {
				return NonCompliant, "The user pool records no password policy.", nil
			}
			var bad []string
			// Cognito's defaults: 8 characters, temporary passwords valid 7 days.
			length, validity := 8, 7
			if pp.MinimumLength != nil {
				length = *pp.MinimumLength
			}
			if pp.TemporaryPasswordValidityDays != nil {
				validity = *pp.TemporaryPasswordValidityDays
			}
			if length < a.Int("minLength") {
				bad = append(bad, "minimum length "+strconv.Itoa(length)+" < "+a.Str("minLength"))
			}
			if validity > a.Int("temporaryPasswordValidity") {
				bad = append(bad, "temporary passwords valid "+strconv.Itoa(validity)+" days > "+a.Str("temporaryPasswordValidity"))
			}
			for _, r := range []struct {
				param string
				on    bool
				what  string
			}{
				{"requireSymbols", pp.RequireSymbols, "symbols"},
				{"requireNumbers", pp.RequireNumbers, "numbers"},
				{"requireUppercase", pp.RequireUppercase, "upper case letters"},
				{"requireLowercase", pp.RequireLowercase, "lower case letters"},
			} {
				if a.Bool(r.param) && !r.on {
					bad = append(bad, r.what+" not required")
				}
			}
			return verdict(len(bad) == 0, "The password policy falls short: "+strings.Join(bad, "; ")+".")
		}),
}
