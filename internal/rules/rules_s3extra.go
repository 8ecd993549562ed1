package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// The S3 rules below read supplementaryConfiguration members that AWS Config writes in
// the form of the AWS SDK for Java's S3 models, as it writes the ACL and versioning:
//
//	BucketReplicationConfiguration {roleARN, rules: {ID: {status, prefix, destinationConfig: {bucketARN}}}}
//	ObjectLockConfiguration        {objectLockEnabled: "Enabled", rule: {defaultRetention: {mode, days, years}}}
//	BucketOwnershipControls        {ownershipControls: {rules: [{ownership: "BucketOwnerEnforced"}]}}
//
// Replication rules are accepted as a list as well as by ID.

// replicationRule is one replication rule; only its status is judged.
type replicationRule struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// replicationRules decodes the rules of a replication configuration, keyed by ID or
// listed, in ID order.
type replicationRules []replicationRule

func (r *replicationRules) UnmarshalJSON(b []byte) error {
	var byID map[string]replicationRule
	if err := json.Unmarshal(b, &byID); err == nil {
		for _, id := range sortedKeys(byID) {
			rule := byID[id]
			rule.ID = id
			*r = append(*r, rule)
		}
		return nil
	}
	var list []replicationRule
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("rules: want an object by rule ID or a list")
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	*r = list
	return nil
}

// bucketOwnerEnforced is the object ownership setting that disables ACLs.
const bucketOwnerEnforced = "BucketOwnerEnforced"

var s3ExtraRules = []*Rule{
	{
		ID: "S3_BUCKET_REPLICATION_ENABLED",
		Description: "S3 buckets have replication rules (BucketReplicationConfiguration), every one enabled. " +
			"ReplicationType (the destination's region) is not supported, as a CI does not record it.",
		Scope:             []string{s3Bucket},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var conf struct {
				Rules replicationRules `json:"rules"`
			}
			ok, err := it.DecodeSupplementary("BucketReplicationConfiguration", &conf)
			if err != nil {
				return "", "", err
			}
			if !ok || len(conf.Rules) == 0 {
				return NonCompliant, "The bucket has no replication rule.", nil
			}
			var off []string
			for _, r := range conf.Rules {
				if !strings.EqualFold(r.Status, "Enabled") {
					off = append(off, r.ID)
				}
			}
			return verdict(len(off) == 0, "These replication rules are not enabled: "+strings.Join(off, ", ")+".")
		},
	},
	{
		ID: "S3_BUCKET_DEFAULT_LOCK_ENABLED",
		Description: "S3 buckets have Object Lock enabled (ObjectLockConfiguration); with mode (GOVERNANCE or COMPLIANCE), a default " +
			"retention in that mode.",
		Scope:             []string{s3Bucket},
		FromSupplementary: true,
		Params:            []Param{{Name: "mode", Type: String}},
		CheckParams:       oneOf("mode", "GOVERNANCE", "COMPLIANCE"),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			mode := strings.ToUpper(a.Str("mode"))
			var conf struct {
				ObjectLockEnabled string `json:"objectLockEnabled"`
				Rule              *struct {
					DefaultRetention *struct {
						Mode string `json:"mode"`
					} `json:"defaultRetention"`
				} `json:"rule"`
			}
			ok, err := it.DecodeSupplementary("ObjectLockConfiguration", &conf)
			if err != nil {
				return "", "", err
			}
			if !ok || !strings.EqualFold(conf.ObjectLockEnabled, "Enabled") {
				return NonCompliant, "Object Lock is not enabled.", nil
			}
			if mode == "" {
				return Compliant, "", nil
			}
			if conf.Rule == nil || conf.Rule.DefaultRetention == nil || !strings.EqualFold(conf.Rule.DefaultRetention.Mode, mode) {
				return NonCompliant, "The bucket has no default retention in " + mode + " mode.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "S3_BUCKET_ACL_PROHIBITED",
		Description: "S3 buckets do not give user permissions through ACLs: ACLs are disabled (object ownership BucketOwnerEnforced), " +
			"or the ACL grants nothing to anyone but the bucket owner.",
		Scope:             []string{s3Bucket},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var own struct {
				OwnershipControls struct {
					Rules []struct {
						Ownership       string `json:"ownership"`
						ObjectOwnership string `json:"objectOwnership"`
					} `json:"rules"`
				} `json:"ownershipControls"`
			}
			if _, err := it.DecodeSupplementary("BucketOwnershipControls", &own); err != nil {
				return "", "", err
			}
			for _, r := range own.OwnershipControls.Rules {
				if r.Ownership == bucketOwnerEnforced || r.ObjectOwnership == bucketOwnerEnforced {
					return Compliant, "", nil
				}
			}
			var acl struct {
				GrantList []ci.S3Grant `json:"grantList"`
				Owner     struct {
					ID string `json:"id"`
				} `json:"owner"`
			}
			if _, err := it.DecodeSupplementary("AccessControlList", &acl); err != nil {
				return "", "", err
			}
			var others []string
			for _, g := range acl.GrantList {
				if g.Grantee != acl.Owner.ID {
					others = append(others, g.Grantee+" "+g.Permission)
				}
			}
			return verdict(len(others) == 0, "ACLs are enabled and grant access to others than the owner: "+strings.Join(others, ", ")+".")
		},
	},
}
