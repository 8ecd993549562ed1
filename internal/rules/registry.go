package rules

import (
	"fmt"
	"sort"

	"github.com/probity-dev/probity"
)

// registry holds every managed rule by identifier. It is built once from the tables of
// the rules_*.go files; a duplicate identifier, or a rule with neither or both of Item
// and Account, stops the program at start-up.
var registry = func() map[string]*Rule {
	m := map[string]*Rule{}
	for _, table := range [][]*Rule{s3Rules, ec2Rules, iamRules, trailRules, otherRules, rdsRules, redshiftRules, computeRules, elbRules, dynamoRules, snsRules, searchRules, storageRules, apigwRules, secretsRules, rdsClusterRules, s3ExtraRules, codeBuildRules, ecsRules, redshiftTLSRules, wafRules, ec2StoppedRules, dynamoScalingRules, alarmRules, elastiCacheRules, lambdaRules, guardDutyRules, s3EventRules, backupRules, netfwRules, backupVaultRules, backupProtectedRules, ssmRules, networkRules, cloudFrontRules, wafClassicRules, wafV2GroupRules, shieldRules, appSyncRules, apiGwEdgeRules, elbPolicyRules, acmPCARules, stackRules, snsDeliveryRules, stepFunctionsRules, transferRules, dbEngineRules, dbAdminRules, dataServiceRules, secretAgeRules, emrRules, containerRules, appRules, policyRules, periodicRules, taggedRules, autoScalingRules, instanceRules, elbExtraRules, requiredRules, backupRecencyRules, detectionRules, trailBucketRules, cognitoRules, appMeshRules, deployRules, rdsTransitRules, settingsRules, sageMakerRules, glueRules, athenaRules, openSearchOpsRules} {
		for _, r := range table {
			if _, dup := m[r.ID]; dup {
				panic("rules: duplicate rule " + r.ID)
			}
			if (r.Item == nil) == (r.Account == nil) || (r.Item != nil) != (len(r.Scope) > 0) {
				panic("rules: " + r.ID + " must have either a scope and Item, or Account")
			}
			m[r.ID] = r
		}
	}
	return m
}()

// All returns every managed rule, by identifier.
func All() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ProcessCheck is the identifier of AWS Config's process checks: conformance-pack
// entries that record a manual attestation and that no rule evaluates. Probity has no
// rule by that identifier; a control attests a process check with a MANUAL data source,
// as the conformance-pack import makes it.
const ProcessCheck = "AWS_CONFIG_PROCESS_CHECK"

// ProcessCheckText says what a process check is, for listings and errors.
const ProcessCheckText = "AWS Config process check: a manual attestation, which no rule evaluates; a control attests it with a MANUAL data source and evidence added by people"

// Get returns the rule with the identifier. It returns an EINVALID *probity.Error for
// ProcessCheck, which names no evaluation, and an ENOTFOUND one for an unknown
// identifier.
func Get(id string) (*Rule, error) {
	if id == ProcessCheck {
		return nil, &probity.Error{Code: probity.EINVALID, Message: id + " is an " + ProcessCheckText + " (conformance-pack imports make it one), not an AWS_Config source", Resource: "rule", ResourceID: id}
	}
	r, ok := registry[id]
	if !ok {
		return nil, &probity.Error{Code: probity.ENOTFOUND, Message: fmt.Sprintf("no managed rule %q (probity rules list shows them)", id), Resource: "rule", ResourceID: id}
	}
	return r, nil
}
