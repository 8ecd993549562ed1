package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

// ec2Host is the part of an EC2 instance CI the instance rules of this file read.
type ec2Host struct {
	InstanceType       string `json:"instanceType"`
	ImageID            string `json:"imageId"`
	VirtualizationType string `json:"virtualizationType"`
	State              struct {
		Name string `json:"name"`
	} `json:"state"`
	Placement struct {
		Tenancy string `json:"tenancy"`
		HostID  string `json:"hostId"`
	} `json:"placement"`
	hopLimited
}

// hostRule builds a rule on EC2 instances.
func hostRule(id, desc string, params []Param, f func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{ec2Instance}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[ec2Host](it)
			if err != nil {
				return "", "", err
			}
			return f(a, in, it, env)
		}}
}

// tenancies are DESIRED_INSTANCE_TENANCY's tenancy values.
var tenancies = []string{"DEDICATED", "HOST", "DEFAULT"}

// amiTagFilter is one item of amisByTagKeyAndValue: a tag key, and a value when the
// item is key:value.
type amiTagFilter struct{ key, value string }

// amiTagFilters parses amisByTagKeyAndValue, items "key" or "key:value" (the first
// colon splits them).
func amiTagFilters(a Args) []amiTagFilter {
	var out []amiTagFilter
	for _, s := range a.List("amisByTagKeyAndValue") {
		k, v, _ := strings.Cut(s, ":")
		out = append(out, amiTagFilter{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
}

var instanceRules = []*Rule{
	checked(hostRule("EC2_TOKEN_HOP_LIMIT_CHECK",
		"EC2 instances let the instance metadata token travel tokenHopLimit hops at most (metadataOptions.httpPutResponseHopLimit); "+
			"an instance whose CI records no hop limit is NOT_APPLICABLE.",
		[]Param{{Name: "tokenHopLimit", Type: Int, Default: "1"}},
		func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error) {
			want := a.Int("tokenHopLimit")
			n, ok := in.limit()
			if !ok {
				return na("The instance's metadata options record no hop limit.")
			}
			return verdict(n <= want, fmt.Sprintf("The metadata response hop limit is %d, above %d.", n, want))
		}), between("tokenHopLimit", 1, 64)),
	hostRule("EC2_PARAVIRTUAL_INSTANCE_CHECK",
		"EC2 instances do not use paravirtual virtualization (virtualizationType).", nil,
		func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error) {
			return verdict(!strings.EqualFold(in.VirtualizationType, "paravirtual"), "The instance uses paravirtual virtualization.")
		}),
	hostRule("DESIRED_INSTANCE_TYPE",
		"EC2 instances are of one of the instanceType types.",
		[]Param{{Name: "instanceType", Type: CSV, Required: true}},
		func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error) {
			return verdict(inList(a.List("instanceType"), in.InstanceType), "The instance type "+in.InstanceType+" is not in instanceType.")
		}),
	checked(hostRule("DESIRED_INSTANCE_TENANCY",
		"EC2 instances have the tenancy (DEDICATED, HOST or DEFAULT, compared without regard to case) and, with hostId, run on one of those "+
			"Dedicated Hosts; with imageId, instances launched from other AMIs are NOT_APPLICABLE.",
		[]Param{{Name: "tenancy", Type: String, Required: true}, {Name: "imageId", Type: CSV}, {Name: "hostId", Type: CSV}},
		func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error) {
			want := strings.ToUpper(a.Str("tenancy"))
			if a.Set("imageId") && !inList(a.List("imageId"), in.ImageID) {
				return na("The instance was launched from " + in.ImageID + ", not an AMI of imageId.")
			}
			got := in.Placement.Tenancy
			if got == "" {
				got = "default"
			}
			if !strings.EqualFold(got, want) {
				return NonCompliant, "The instance's tenancy is " + got + ", not " + strings.ToLower(want) + ".", nil
			}
			if a.Set("hostId") && !inList(a.List("hostId"), in.Placement.HostID) {
				return NonCompliant, "The instance runs on the host " + cmp.Or(in.Placement.HostID, "(none)") + ", not one of hostId.", nil
			}
			return Compliant, "", nil
		}), func(a Args) []probity.FieldError {
		if want := strings.ToUpper(a.Str("tenancy")); a.Set("tenancy") && !inList(tenancies, want) {
			return []probity.FieldError{{Name: "tenancy", Message: fmt.Sprintf("%q is not one of %s", a.Str("tenancy"), strings.Join(tenancies, ", "))}}
		}
		return nil
	}),
	hostRule("APPROVED_AMIS_BY_TAG",
		"Running EC2 instances were launched from an AMI that carries one of the tags of amisByTagKeyAndValue (key, or key:value); "+
			"needs the snapshot's ec2.Images. Instances not running are NOT_APPLICABLE.",
		[]Param{{Name: "amisByTagKeyAndValue", Type: CSV, Default: "tag-key:tag-value,other-tag-key"}},
		func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error) {
			if in.State.Name != "" && in.State.Name != "running" {
				return na("The instance is " + in.State.Name + ", not running.")
			}
			if !env.Account.Has("ec2.Images") {
				return na("The AMIs of the instances were not collected (ec2.Images).")
			}
			var img *ci.Image
			for i := range env.Account.Images {
				if env.Account.Images[i].ImageID == in.ImageID {
					img = &env.Account.Images[i]
				}
			}
			if img == nil {
				return NonCompliant, "The AMI " + in.ImageID + " is not visible to the account (deregistered or no longer shared), so it has none of the tags.", nil
			}
			for _, f := range amiTagFilters(a) {
				for _, t := range img.Tags {
					if t.Key == f.key && (f.value == "" || t.Value == f.value) {
						return Compliant, "", nil
					}
				}
			}
			return NonCompliant, "The AMI " + in.ImageID + " has none of the tags of amisByTagKeyAndValue.", nil
		}),
	hostRule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI",
		"EC2 instances in a state of InstanceStateNameList (running and stopped when not given) were launched from an AMI that meets the "+
			"Allowed AMIs criteria (ec2.InstanceImageMetadata imageAllowed); NOT_APPLICABLE while Allowed AMIs is disabled "+
			"(ec2.AllowedImagesSettings) or when the facts were not collected.",
		[]Param{{Name: "InstanceStateNameList", Type: CSV}},
		func(a Args, in *ec2Host, it *ci.Item, env Env) (Compliance, string, error) {
			states := a.List("InstanceStateNameList")
			if len(states) == 0 {
				states = []string{"running", "stopped"}
			}
			if !slices.ContainsFunc(states, func(s string) bool { return strings.EqualFold(s, in.State.Name) }) {
				return na("The instance is " + cmp.Or(in.State.Name, "in no recorded state") + ", not in InstanceStateNameList.")
			}
			acct := env.Account
			if !acct.Has("ec2.AllowedImagesSettings") || !acct.Has("ec2.InstanceImageMetadata") || acct.AllowedImages == nil {
				return na("The Allowed AMIs settings and instance image metadata were not collected (ec2.AllowedImagesSettings, ec2.InstanceImageMetadata).")
			}
			if st := acct.AllowedImages.State; st == "" || strings.EqualFold(st, "disabled") {
				return na("Allowed AMIs is disabled in the region.")
			}
			for _, m := range acct.InstanceImageMetadata {
				if m.InstanceID != it.ResourceID {
					continue
				}
				if m.ImageMetadata == nil || m.ImageMetadata.ImageAllowed == nil {
					return na("The instance's image metadata does not say whether its AMI is allowed.")
				}
				return verdict(*m.ImageMetadata.ImageAllowed, "The AMI "+in.ImageID+" does not meet the Allowed AMIs criteria.")
			}
			return na("The instance image metadata does not list the instance.")
		}),
	{
		ID: "EC2_ENIS_SOURCE_DESTINATION_CHECK_ENABLED",
		Description: "Network interfaces that users manage have source/destination checking on (sourceDestCheck); interfaces that AWS " +
			"services manage (requesterManaged) are NOT_APPLICABLE.",
		Scope: []string{ec2ENI},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				RequesterManaged bool   `json:"requesterManaged"`
				SourceDestCheck  *bool  `json:"sourceDestCheck"`
				InterfaceType    string `json:"interfaceType"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if n.RequesterManaged {
				return na("An AWS service manages the interface.")
			}
			if n.SourceDestCheck == nil {
				return na("The interface's CI does not record sourceDestCheck.")
			}
			return verdict(*n.SourceDestCheck, "Source/destination checking is off.")
		},
	},
}
