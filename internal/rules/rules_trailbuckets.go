package rules

import (
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// s3DataEventsOf reports whether the selectors log S3 object events of every current
// and future bucket for reads (read) or writes (!read): a basic selector of
// ReadWriteType All, or ReadOnly / WriteOnly as asked, on AWS::S3::Object for
// "arn:aws:s3" (every bucket); or an advanced selector on Data events of
// AWS::S3::Object, not narrowed by resources.ARN or eventName, whose readOnly field, if
// any, lets the asked kind through.
func s3DataEventsOf(sel ci.EventSelectors, read bool) bool {
	every := func(v string) bool {
		v = strings.TrimSuffix(v, "/")
		return v == "arn:aws:s3" || v == "arn:aws:s3:::"
	}
	want := "WriteOnly"
	if read {
		want = "ReadOnly"
	}
	for _, s := range sel.EventSelectors {
		if rw := s.ReadWriteType; rw != "" && !strings.EqualFold(rw, "All") && !strings.EqualFold(rw, want) {
			continue
		}
		for _, d := range s.DataResources {
			if d.Type != "AWS::S3::Object" {
				continue
			}
			for _, v := range d.Values {
				if every(v) {
					return true
				}
			}
		}
	}
	for _, s := range sel.AdvancedEventSelectors {
		data, s3, narrowed := false, false, false
		for _, f := range s.FieldSelectors {
			switch f.Field {
			case "eventCategory":
				data = inList(f.Equals, "Data")
			case "resources.type":
				s3 = inList(f.Equals, "AWS::S3::Object")
			case "readOnly":
				if len(f.Equals) > 0 && !inList(f.Equals, strconv.FormatBool(read)) {
					narrowed = true
				}
				if len(f.NotEquals) > 0 && inList(f.NotEquals, strconv.FormatBool(read)) {
					narrowed = true
				}
			case "resources.ARN":
				all := false
				for _, v := range append(append([]string{}, f.StartsWith...), f.Equals...) {
					all = all || every(v)
				}
				narrowed = narrowed || !all || len(f.NotEquals) > 0 || len(f.NotStartsWith) > 0
			case "eventName", "eventSource", "userIdentity.arn":
				narrowed = true
			}
		}
		if data && s3 && !narrowed {
			return true
		}
	}
	return false
}

// allS3DataEventsRule builds CLOUDTRAIL_ALL_READ_S3_DATA_EVENT_CHECK (read) or its
// write twin: some logging multi-region trail logs those S3 data events for every
// bucket.
func allS3DataEventsRule(id string, read bool) *Rule {
	what := "write"
	if read {
		what = "read"
	}
	return &Rule{ID: id,
		Description: "A logging multi-region trail logs every " + what + " S3 data event of all current and future buckets (its event selectors).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("cloudtrail.trailList") || !acct.Has("cloudtrail.eventSelectors") {
				return nil, nil
			}
			for _, t := range acct.Trails {
				if !t.IsMultiRegionTrail || !logging(acct, t) {
					continue
				}
				if sel, ok := acct.EventSelectors[t.TrailARN]; ok && s3DataEventsOf(sel, read) {
					return []Result{accountResult(acct, Compliant, "")}, nil
				}
			}
			return []Result{accountResult(acct, NonCompliant, "No logging multi-region trail logs "+what+" S3 data events for all buckets.")}, nil
		}}
}

// trailBucketRule builds a rule judging a trail by the AWS::S3::Bucket item of the
// bucket it delivers logs to. A trail whose bucket the snapshot does not hold (another
// account's) is NOT_APPLICABLE: nothing says how that bucket is set.
func trailBucketRule(id, desc string, judge func(bucket *ci.Item, env Env) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{trailType}, Related: []string{s3Bucket},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			t, err := cfg[struct {
				S3BucketName string `json:"s3BucketName"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if t.S3BucketName == "" {
				return na("The trail names no S3 bucket.")
			}
			if env.Related == nil {
				return na("The input does not hold the account's buckets (" + s3Bucket + " items of a snapshot).")
			}
			byName, err := env.Related.GroupBy(s3Bucket, "byName", func(b *ci.Item) (string, error) {
				return cmpOrName(b), nil
			})
			if err != nil {
				return "", "", err
			}
			buckets := byName[t.S3BucketName]
			if len(buckets) == 0 || buckets[0].Deleted() || !buckets[0].HasConfiguration() {
				return na("The snapshot does not hold the trail's bucket " + t.S3BucketName + " (another account's?).")
			}
			return judge(buckets[0], env)
		}}
}

// cmpOrName is a bucket item's name: its resource name, else its resource id.
func cmpOrName(b *ci.Item) string {
	if b.ResourceName != "" {
		return b.ResourceName
	}
	return b.ResourceID
}

var trailBucketRules = []*Rule{
	allS3DataEventsRule("CLOUDTRAIL_ALL_READ_S3_DATA_EVENT_CHECK", true),
	allS3DataEventsRule("CLOUDTRAIL_ALL_WRITE_S3_DATA_EVENT_CHECK", false),
	trailBucketRule("CLOUDTRAIL_S3_BUCKET_ACCESS_LOGGING",
		"The S3 bucket a trail delivers its logs to has server access logging enabled; a trail whose bucket the snapshot does not hold is NOT_APPLICABLE.",
		func(b *ci.Item, env Env) (Compliance, string, error) {
			bk, err := b.Bucket()
			if err != nil {
				return "", "", err
			}
			return verdict(bk.Logging != nil && bk.Logging.DestinationBucketName != "", "The trail's bucket "+cmpOrName(b)+" has no server access logging.")
		}),
	trailBucketRule("CLOUDTRAIL_S3_BUCKET_PUBLIC_ACCESS_PROHIBITED",
		"The S3 bucket a trail delivers its logs to allows no public read or write access through its policy or ACL, unless Block Public Access "+
			"(bucket or account) stops it; a trail whose bucket the snapshot does not hold is NOT_APPLICABLE.",
		func(b *ci.Item, env Env) (Compliance, string, error) {
			for _, k := range []struct {
				actions, perms []string
				what           string
			}{{readActions, readPerms, "read"}, {writeActions, writePerms, "write"}} {
				c, note, err := publicAccess(b, env, k.actions, k.perms, k.what)
				if err != nil || c != Compliant {
					return c, "The trail's bucket " + cmpOrName(b) + ": " + note, err
				}
			}
			return Compliant, "", nil
		}),
}
