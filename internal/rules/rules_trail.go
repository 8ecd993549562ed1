package rules

import (
	"cmp"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

const trailType = "AWS::CloudTrail::Trail"

var trailRules = []*Rule{
	{
		ID:          "CLOUD_TRAIL_ENABLED",
		Description: "At least one trail is logging, matching s3BucketName, snsTopicArn and cloudWatchLogsLogGroupArn when given.",
		Params:      trailParams(),
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			return trailExists(a, acct, false)
		},
	},
	{
		ID:          "MULTI_REGION_CLOUD_TRAIL_ENABLED",
		Description: "At least one multi-region trail is logging, matching the parameters, and excludes no management events.",
		Params: append(trailParams(),
			Param{Name: "includeManagementEvents", Type: Bool}, Param{Name: "readWriteType", Type: String}),
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			return trailExists(a, acct, true)
		},
	},
	{
		ID:          "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
		Description: "Each trail sends logs to CloudWatch Logs, delivered within expectedDeliveryWindowAge hours when given.",
		Params:      []Param{{Name: "expectedDeliveryWindowAge", Type: Int}},
		Account: perTrail(func(a Args, t ci.Trail, acct *ci.Account, now time.Time) (bool, string) {
			if t.CloudWatchLogsLogGroupArn == "" {
				return false, "The trail sends no logs to CloudWatch Logs."
			}
			if a.Set("expectedDeliveryWindowAge") {
				st, ok := acct.TrailStatus[t.TrailARN]
				last := st.LatestCloudWatchLogsDeliveryTime
				if !ok || last == nil || now.Sub(*last) > time.Duration(a.Int("expectedDeliveryWindowAge"))*time.Hour {
					return false, "No CloudWatch Logs delivery within expectedDeliveryWindowAge hours."
				}
			}
			return true, ""
		}),
	},
	{
		ID:          "CLOUD_TRAIL_ENCRYPTION_ENABLED",
		Description: "Each trail encrypts its logs with AWS KMS (KmsKeyId set).",
		Account: perTrail(func(a Args, t ci.Trail, acct *ci.Account, now time.Time) (bool, string) {
			return t.KmsKeyID != "", "The trail's logs are not encrypted with AWS KMS."
		}),
	},
	{
		ID:          "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
		Description: "Each trail has log file validation enabled.",
		Account: perTrail(func(a Args, t ci.Trail, acct *ci.Account, now time.Time) (bool, string) {
			return t.LogFileValidationEnabled, "Log file validation is not enabled."
		}),
	},
	{
		ID:          "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
		Description: "At least one trail logs S3 data events for all buckets, or for each of S3BucketNames when given.",
		Params:      []Param{{Name: "S3BucketNames", Type: CSV}},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("cloudtrail.trailList") || !acct.Has("cloudtrail.eventSelectors") {
				return nil, nil
			}
			buckets := a.List("S3BucketNames")
			for _, t := range acct.Trails {
				sel, ok := acct.EventSelectors[t.TrailARN]
				if !ok {
					continue
				}
				if len(buckets) == 0 && s3DataEvents(sel, "") {
					return []Result{accountResult(acct, Compliant, "")}, nil
				}
				all := len(buckets) > 0
				for _, b := range buckets {
					all = all && s3DataEvents(sel, b)
				}
				if all {
					return []Result{accountResult(acct, Compliant, "")}, nil
				}
			}
			return []Result{accountResult(acct, NonCompliant, "No trail logs S3 data events for the buckets.")}, nil
		},
	},
}

func trailParams() []Param {
	return []Param{{Name: "s3BucketName", Type: String}, {Name: "snsTopicArn", Type: String}, {Name: "cloudWatchLogsLogGroupArn", Type: String}}
}

// logging reports whether the trail is logging; a trail whose status was not collected
// counts as logging.
func logging(acct *ci.Account, t ci.Trail) bool {
	st, ok := acct.TrailStatus[t.TrailARN]
	return !ok || st.IsLogging
}

// trailExists decides CLOUD_TRAIL_ENABLED and, with multi, MULTI_REGION_CLOUD_TRAIL_ENABLED.
func trailExists(a Args, acct *ci.Account, multi bool) ([]Result, error) {
	if !acct.Has("cloudtrail.trailList") {
		return nil, nil
	}
	for _, t := range acct.Trails {
		if !logging(acct, t) || (multi && !t.IsMultiRegionTrail) ||
			(a.Set("s3BucketName") && t.S3BucketName != a.Str("s3BucketName")) ||
			(a.Set("snsTopicArn") && t.SnsTopicARN != a.Str("snsTopicArn")) ||
			(a.Set("cloudWatchLogsLogGroupArn") && t.CloudWatchLogsLogGroupArn != a.Str("cloudWatchLogsLogGroupArn")) {
			continue
		}
		if multi && !managementEventsOK(a, acct.EventSelectors[t.TrailARN]) {
			continue
		}
		return []Result{accountResult(acct, Compliant, "")}, nil
	}
	what := "No logging trail matches the parameters."
	if multi {
		what = "No logging multi-region trail matches the parameters."
	}
	return []Result{accountResult(acct, NonCompliant, what)}, nil
}

// managementEventsOK checks a multi-region trail's basic event selectors: no excluded
// management event sources, and the management events and read/write type asked for.
// A trail with advanced selectors or none collected passes.
func managementEventsOK(a Args, sel ci.EventSelectors) bool {
	if len(sel.EventSelectors) == 0 {
		return true
	}
	for _, s := range sel.EventSelectors {
		if len(s.ExcludeManagementEventSources) > 0 {
			return false
		}
		include := s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
		if a.Set("includeManagementEvents") && a.Bool("includeManagementEvents") != include {
			continue
		}
		if a.Set("readWriteType") && !strings.EqualFold(cmp.Or(s.ReadWriteType, "All"), a.Str("readWriteType")) {
			continue
		}
		return true
	}
	return false
}

// s3DataEvents reports whether the selectors log S3 object events for bucket, or for
// every bucket when bucket is "".
func s3DataEvents(sel ci.EventSelectors, bucket string) bool {
	covers := func(v string) bool {
		v = strings.TrimSuffix(v, "/")
		return v == "arn:aws:s3" || v == "arn:aws:s3:::" || (bucket != "" && v == "arn:aws:s3:::"+bucket)
	}
	for _, s := range sel.EventSelectors {
		for _, d := range s.DataResources {
			if d.Type != "AWS::S3::Object" {
				continue
			}
			for _, v := range d.Values {
				if covers(v) {
					return true
				}
			}
		}
	}
	for _, s := range sel.AdvancedEventSelectors {
		data, s3, arnLimited := false, false, false
		for _, f := range s.FieldSelectors {
			switch f.Field {
			case "eventCategory":
				data = inList(f.Equals, "Data")
			case "resources.type":
				s3 = inList(f.Equals, "AWS::S3::Object")
			case "resources.ARN":
				arnLimited = true
				for _, v := range append(f.StartsWith, f.Equals...) {
					if covers(v) || (bucket != "" && strings.HasPrefix("arn:aws:s3:::"+bucket+"/", v)) {
						arnLimited = false
					}
				}
			}
		}
		if data && s3 && !arnLimited {
			return true
		}
	}
	return false
}

// perTrail builds a rule with one result per trail.
func perTrail(ok func(Args, ci.Trail, *ci.Account, time.Time) (bool, string)) func(Args, *ci.Account, Env) ([]Result, error) {
	return func(a Args, acct *ci.Account, env Env) ([]Result, error) {
		if !acct.Has("cloudtrail.trailList") {
			return nil, nil
		}
		if len(acct.Trails) == 0 {
			return []Result{accountResult(acct, NotApplicable, "The account has no trails.")}, nil
		}
		var out []Result
		for _, t := range acct.Trails {
			good, bad := ok(a, t, acct, env.Now)
			c, note, _ := verdict(good, bad)
			out = append(out, Result{ResourceType: trailType, ResourceID: cmp.Or(t.TrailARN, t.Name), ComplianceType: c, Annotation: note})
		}
		return out, nil
	}
}
