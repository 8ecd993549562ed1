package inventory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestCognitoPools seeds a hardened and a lax user pool and two identity pools (one
// allowing unauthenticated identities) in moto, collects a snapshot, checks their CIs
// (ids, names, ARNs, tags, the members the rules read) and evaluates the Cognito rules
// and COGNITO_USER_POOL_TAGGED on them.
func TestCognitoPools(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account = "123456789012"
	idp := cognitoidentityprovider.NewFromConfig(m.Config())
	strict, err := idp.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{PoolName: aws.String("strict"),
		DeletionProtection: ciptypes.DeletionProtectionTypeActive, MfaConfiguration: ciptypes.UserPoolMfaTypeOn,
		UserPoolAddOns: &ciptypes.UserPoolAddOnsType{AdvancedSecurityMode: ciptypes.AdvancedSecurityModeTypeEnforced},
		Policies: &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{MinimumLength: aws.Int32(14), RequireLowercase: true,
			RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 3}},
		UserPoolTags: map[string]string{"team": "id"}})
	must(t, err)
	lax, err := idp.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{PoolName: aws.String("lax"),
		Policies: &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{MinimumLength: aws.Int32(6), TemporaryPasswordValidityDays: 7}}})
	must(t, err)
	cid := cognitoidentity.NewFromConfig(m.Config())
	closed, err := cid.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("closed"),
		AllowUnauthenticatedIdentities: false, IdentityPoolTags: map[string]string{"team": "id"}})
	must(t, err)
	open, err := cid.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("open"), AllowUnauthenticatedIdentities: true})
	must(t, err)

	_, items, raw := collectTypes(t, m, account, "AWS::Cognito::UserPool", "AWS::Cognito::IdentityPool")
	type pool struct {
		Type, ARN, Name string
		Tags            map[string]string
		Conf            map[string]any
	}
	got := map[string]pool{}
	for id, it := range items {
		var conf map[string]any
		must(t, json.Unmarshal(it.Configuration, &conf))
		keep := map[string]any{}
		for _, k := range []string{"Id", "Name", "DeletionProtection", "MfaConfiguration", "UserPoolAddOns", "Policies", "UserPoolTags",
			"IdentityPoolId", "IdentityPoolName", "AllowUnauthenticatedIdentities", "IdentityPoolTags"} {
			if v, ok := conf[k]; ok {
				keep[k] = v
			}
		}
		got[id] = pool{it.ResourceType, it.ARN, it.ResourceName, it.Tags, keep}
	}
	sid, lid := aws.ToString(strict.UserPool.Id), aws.ToString(lax.UserPool.Id)
	cidID, oid := aws.ToString(closed.IdentityPoolId), aws.ToString(open.IdentityPoolId)
	pp := func(min, days float64, all bool) map[string]any {
		return map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": min, "RequireLowercase": all, "RequireUppercase": all,
			"RequireNumbers": all, "RequireSymbols": all, "TemporaryPasswordValidityDays": days}}
	}
	want := map[string]pool{
		sid: {"AWS::Cognito::UserPool", "arn:aws:cognito-idp:us-east-1:" + account + ":userpool/" + sid, "strict", map[string]string{"team": "id"},
			map[string]any{"Id": sid, "Name": "strict", "DeletionProtection": "ACTIVE", "MfaConfiguration": "ON",
				"UserPoolAddOns": map[string]any{"AdvancedSecurityMode": "ENFORCED"}, "Policies": pp(14, 3, true), "UserPoolTags": map[string]any{"team": "id"}}},
		lid: {"AWS::Cognito::UserPool", "arn:aws:cognito-idp:us-east-1:" + account + ":userpool/" + lid, "lax", nil,
			map[string]any{"Id": lid, "Name": "lax", "MfaConfiguration": "OFF", "Policies": pp(6, 7, false)}}, // moto leaves out DeletionProtection INACTIVE
		cidID: {"AWS::Cognito::IdentityPool", "arn:aws:cognito-identity:us-east-1:" + account + ":identitypool/" + cidID, "closed", map[string]string{"team": "id"},
			map[string]any{"IdentityPoolId": cidID, "IdentityPoolName": "closed", "AllowUnauthenticatedIdentities": false, "IdentityPoolTags": map[string]any{"team": "id"}}},
		oid: {"AWS::Cognito::IdentityPool", "arn:aws:cognito-identity:us-east-1:" + account + ":identitypool/" + oid, "open", nil,
			map[string]any{"IdentityPoolId": oid, "IdentityPoolName": "open", "AllowUnauthenticatedIdentities": true, "IdentityPoolTags": map[string]any{}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pools (-want +got):\n%s", d)
	}

	for rule, want := range map[string]map[string]string{
		"COGNITO_USER_POOL_ADVANCED_SECURITY_ENABLED":   {sid: "COMPLIANT", lid: "NON_COMPLIANT"},
		"COGNITO_USER_POOL_DELETION_PROTECTION_ENABLED": {sid: "COMPLIANT", lid: "NON_COMPLIANT"},
		"COGNITO_USER_POOL_MFA_ENABLED":                 {sid: "COMPLIANT", lid: "NON_COMPLIANT"},
		"COGNITO_USER_POOL_PASSWORD_POLICY_CHECK":       {sid: "COMPLIANT", lid: "NON_COMPLIANT"},
		"COGNITO_USERPOOL_CUST_AUTH_THREAT_FULL_CHECK":  {sid: "NON_COMPLIANT", lid: "NON_COMPLIANT"}, // custom auth is AUDIT unless named
		"COGNITO_USER_POOL_TAGGED":                      {sid: "COMPLIANT", lid: "NON_COMPLIANT"},
		"COGNITO_IDENTITY_POOL_UNAUTH_ACCESS_CHECK":     {cidID: "COMPLIANT", oid: "NON_COMPLIANT"},
		"COGNITO_IDENTITY_POOL_UNAUTHENTICATED_LOGINS":  {cidID: "COMPLIANT", oid: "NON_COMPLIANT"},
	} {
		if d := cmp.Diff(want, evaluateRule(t, raw, rule, nil)); d != "" {
			t.Errorf("%s (-want +got):\n%s", rule, d)
		}
	}
}
