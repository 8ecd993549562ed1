package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// lifecycleRule is one rule of a bucket's BucketLifecycleConfiguration (AWS Config's
// shape, from the AWS SDK for Java).
type lifecycleRule struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	Prefix           string `json:"prefix"`
	ExpirationInDays *int   `json:"expirationInDays"`
	Filter           *struct {
		Predicate *struct {
			Type     string `json:"type"`
			Prefix   string `json:"prefix"`
			Operands []struct {
				Type   string `json:"type"`
				Prefix string `json:"prefix"`
			} `json:"operands"`
		} `json:"predicate"`
	} `json:"filter"`
	Transitions []struct {
		Days         *int   `json:"days"`
		StorageClass string `json:"storageClass"`
	} `json:"transitions"`
}

// prefix returns the object prefix the rule applies to ("" for every object).
func (r *lifecycleRule) prefix() string {
	if r.Filter != nil && r.Filter.Predicate != nil {
		p := r.Filter.Predicate
		if p.Prefix != "" {
			return p.Prefix
		}
		for _, o := range p.Operands {
			if o.Prefix != "" {
				return o.Prefix
			}
		}
	}
	return r.Prefix
}

// enabledLifecycleRules returns the bucket's lifecycle rules whose status is Enabled.
func enabledLifecycleRules(it *ci.Item) ([]lifecycleRule, error) {
	var conf struct {
		Rules []lifecycleRule `json:"rules"`
	}
	if _, err := it.DecodeSupplementary("BucketLifecycleConfiguration", &conf); err != nil {
		return nil, err
	}
	var out []lifecycleRule
	for _, r := range conf.Rules {
		if strings.EqualFold(r.Status, "Enabled") {
			out = append(out, r)
		}
	}
	return out, nil
}

// bucketNamed reports whether the bucket is one of bucketNames, or bucketNames is unset.
func bucketNamed(a Args, it *ci.Item) bool {
	return !a.Set("bucketNames") || inList(a.List("bucketNames"), it.ResourceName) || inList(a.List("bucketNames"), it.ResourceID)
}

var s3EventRules = []*Rule{
	{
		ID: "S3_LIFECYCLE_POLICY_CHECK",
		Description: "S3 buckets have an enabled lifecycle rule (supplementaryConfiguration BucketLifecycleConfiguration) that matches targetExpirationDays, " +
			"targetTransitionDays, targetTransitionStorageClass and targetPrefix when given; with bucketNames, other buckets are NOT_APPLICABLE.",
		Scope: []string{s3Bucket},
		Params: []Param{{Name: "targetTransitionDays", Type: Int}, {Name: "targetExpirationDays", Type: Int}, {Name: "targetTransitionStorageClass", Type: String},
			{Name: "targetPrefix", Type: String}, {Name: "bucketNames", Type: CSV}},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if !bucketNamed(a, it) {
				return na("The bucket is not in bucketNames.")
			}
			rules, err := enabledLifecycleRules(it)
			if err != nil {
				return "", "", err
			}
			if len(rules) == 0 {
				return NonCompliant, "The bucket has no enabled lifecycle rule.", nil
			}
			for _, r := range rules {
				if lifecycleMatches(a, &r) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No enabled lifecycle rule matches the rule's parameters.", nil
		},
	},
	{
		ID:                "S3_VERSION_LIFECYCLE_POLICY_CHECK",
		Description:       "S3 buckets with versioning enabled have an enabled lifecycle rule; other buckets, and with bucketNames buckets not named, are NOT_APPLICABLE.",
		Scope:             []string{s3Bucket},
		Params:            []Param{{Name: "bucketNames", Type: CSV}},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if !bucketNamed(a, it) {
				return na("The bucket is not in bucketNames.")
			}
			var v struct {
				Status string `json:"status"`
			}
			if _, err := it.DecodeSupplementary("BucketVersioningConfiguration", &v); err != nil {
				return "", "", err
			}
			if !strings.EqualFold(v.Status, "Enabled") {
				return na("Versioning is not enabled on the bucket.")
			}
			rules, err := enabledLifecycleRules(it)
			if err != nil {
				return "", "", err
			}
			return verdict(len(rules) > 0, "The versioned bucket has no enabled lifecycle rule.")
		},
	},
	{
		ID: "S3_EVENT_NOTIFICATIONS_ENABLED",
		Description: "S3 buckets send event notifications (supplementaryConfiguration BucketNotificationConfiguration), one of them to destinationArn " +
			"and for every event type of eventTypes when given.",
		Scope:             []string{s3Bucket},
		Params:            []Param{{Name: "destinationArn", Type: String}, {Name: "eventTypes", Type: CSV}},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var conf struct {
				Configurations map[string]struct {
					Events      []string `json:"events"`
					QueueARN    string   `json:"queueARN"`
					TopicARN    string   `json:"topicARN"`
					FunctionARN string   `json:"functionARN"`
				} `json:"configurations"`
			}
			if _, err := it.DecodeSupplementary("BucketNotificationConfiguration", &conf); err != nil {
				return "", "", err
			}
			if len(conf.Configurations) == 0 {
				return NonCompliant, "The bucket sends no event notifications.", nil
			}
			for _, name := range sortedKeys(conf.Configurations) {
				c := conf.Configurations[name]
				if a.Set("destinationArn") && a.Str("destinationArn") != c.QueueARN+c.TopicARN+c.FunctionARN {
					continue
				}
				covered := true
				for _, want := range a.List("eventTypes") {
					if !eventCovered(c.Events, want) {
						covered = false
					}
				}
				if covered {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No event notification goes to destinationArn for every event type of eventTypes.", nil
		},
	},
}

// lifecycleMatches reports whether r meets every lifecycle parameter that is set.
func lifecycleMatches(a Args, r *lifecycleRule) bool {
	if a.Set("targetPrefix") && r.prefix() != a.Str("targetPrefix") {
		return false
	}
	if a.Set("targetExpirationDays") && (r.ExpirationInDays == nil || *r.ExpirationInDays != a.Int("targetExpirationDays")) {
		return false
	}
	if !a.Set("targetTransitionDays") && !a.Set("targetTransitionStorageClass") {
		return true
	}
	for _, t := range r.Transitions {
		if a.Set("targetTransitionDays") && (t.Days == nil || *t.Days != a.Int("targetTransitionDays")) {
			continue
		}
		if a.Set("targetTransitionStorageClass") && !strings.EqualFold(t.StorageClass, a.Str("targetTransitionStorageClass")) {
			continue
		}
		return true
	}
	return false
}

// eventCovered reports whether one of events (which may end in a wildcard, as
// s3:ObjectCreated:*) covers the event type want.
func eventCovered(events []string, want string) bool {
	for _, e := range events {
		if e == want || strings.HasSuffix(e, "*") && strings.HasPrefix(want, strings.TrimSuffix(e, "*")) {
			return true
		}
	}
	return false
}
