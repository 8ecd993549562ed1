package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/backoff"
	"github.com/probity-dev/probity/internal/rules"
)

// Source says where a snapshot's configuration items come from (--collect-source).
// Account facts always come from the describe and list APIs: AWS Config records no
// credential report, password policy or trail status.
type Source string

const (
	// SourceInventory builds every item from the describe and list APIs. It is the
	// default (docs/decisions/0200-config-as-a-source.md).
	SourceInventory Source = "inventory"
	// SourceConfig reads the resource types AWS Config records in the account and region
	// from Config (ListDiscoveredResources, BatchGetResourceConfig) and the others from
	// the inventory. A region where no recorder is recording fails the snapshot.
	SourceConfig Source = "config"
	// SourceAuto is SourceConfig where a recorder is recording, and SourceInventory
	// where none is, none exists, or the recorders cannot be read (recorded in Skipped).
	SourceAuto Source = "auto"
)

// Sources lists the valid Sources, the default first.
var Sources = []Source{SourceInventory, SourceConfig, SourceAuto}

// ParseSource returns the Source named s; "" is SourceInventory. It returns an EINVALID
// error naming the valid ones for anything else.
func ParseSource(s string) (Source, error) {
	if s == "" {
		return SourceInventory, nil
	}
	if slices.Contains(Sources, Source(s)) {
		return Source(s), nil
	}
	return "", probity.Errorf(probity.EINVALID, "collection source %q: must be inventory, config or auto", s)
}

// configPart names the reading of AWS Config in Skipped and in errors.
const configPart = "config"

// configBatch is the most keys BatchGetResourceConfig takes, and configPage the most
// identifiers ListDiscoveredResources returns per page.
const configBatch, configPage = 100, 100

// defaultConfigRetry retries BatchGetResourceConfig's unprocessed keys.
var defaultConfigRetry = backoff.Policy{Min: 200 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.5, MaxAttempts: 6}

// globalTypes are the resource types AWS Config records once per account, in the region
// that records global resources; a snapshot holds them only when Options.Global is set.
var globalTypes = map[string]bool{
	"AWS::IAM::User": true, "AWS::IAM::Group": true, "AWS::IAM::Role": true, "AWS::IAM::Policy": true,
}

// itemParts are the parts whose only output is items of these resource types. A part
// whose types AWS Config records all is not run; every other part runs, and its items
// of recorded types are dropped (Recorded), since its account facts are still needed.
var itemParts = map[string][]string{
	"s3":                 {"AWS::S3::Bucket"},
	"ec2.instances":      {"AWS::EC2::Instance"},
	"ec2.securityGroups": {"AWS::EC2::SecurityGroup"},
	"ec2.volumes":        {"AWS::EC2::Volume"},
	"autoscaling":        {"AWS::AutoScaling::LaunchConfiguration"},
	"iam.identities":     {"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"},
}

// configTypes are the resource types read from AWS Config when it records them: those
// the managed rules evaluate or read as related items, and that AWS Config knows. Custom
// rules' other types are not read from Config.
var configTypes = func() []string {
	known := map[string]bool{}
	for _, t := range cstypes.ResourceType("").Values() {
		known[string(t)] = true
	}
	set := map[string]bool{}
	for _, r := range rules.All() {
		for _, t := range append(slices.Clone(r.Scope), r.Related...) {
			if known[t] {
				set[t] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}()

// Recorder is what one AWS Config configuration recorder records in an account and
// region, from DescribeConfigurationRecorders and DescribeConfigurationRecorderStatus.
type Recorder struct {
	Name      string
	Recording bool
	// AllSupported records every type AWS Config supports; IncludeGlobal adds the
	// global IAM types to it.
	AllSupported, IncludeGlobal bool
	// Types are the recorded types of an inclusion list, Excluded the types left out
	// of an exclusion list (which records the global types unless it excludes them).
	Types, Excluded []string
}

// Records reports whether the recorder is recording resourceType.
func (rc Recorder) Records(resourceType string) bool {
	switch {
	case !rc.Recording:
		return false
	case rc.AllSupported:
		return rc.IncludeGlobal || !globalTypes[resourceType]
	case len(rc.Excluded) > 0:
		return !slices.Contains(rc.Excluded, resourceType)
	default:
		return slices.Contains(rc.Types, resourceType)
	}
}

// Recorders returns the configuration recorders of cfg's account and region with their
// status; none when AWS Config has never been set up there. It returns the AWS error of
// either call.
func Recorders(ctx context.Context, cfg aws.Config) ([]Recorder, error) {
	c := configservice.NewFromConfig(cfg)
	recs, err := c.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		return nil, fmt.Errorf("DescribeConfigurationRecorders: %w", err)
	}
	if len(recs.ConfigurationRecorders) == 0 {
		return nil, nil
	}
	st, err := c.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		return nil, fmt.Errorf("DescribeConfigurationRecorderStatus: %w", err)
	}
	recording := map[string]bool{}
	for _, s := range st.ConfigurationRecordersStatus {
		recording[aws.ToString(s.Name)] = s.Recording
	}
	out := make([]Recorder, 0, len(recs.ConfigurationRecorders))
	for _, r := range recs.ConfigurationRecorders {
		rc := Recorder{Name: aws.ToString(r.Name), Recording: recording[aws.ToString(r.Name)]}
		if g := r.RecordingGroup; g == nil {
			rc.AllSupported = true // the API's default recording group
		} else {
			rc.AllSupported, rc.IncludeGlobal = g.AllSupported, g.IncludeGlobalResourceTypes
			for _, t := range g.ResourceTypes {
				rc.Types = append(rc.Types, string(t))
			}
			if g.ExclusionByResourceTypes != nil {
				for _, t := range g.ExclusionByResourceTypes.ResourceTypes {
					rc.Excluded = append(rc.Excluded, string(t))
				}
			}
		}
		out = append(out, rc)
	}
	return out, nil
}

// recordedTypes returns the types of configTypes that one of recs records and that a
// snapshot with global (Options.Global) holds; nil when none is recording.
func recordedTypes(recs []Recorder, global bool) []string {
	var out []string
	for _, t := range configTypes {
		if globalTypes[t] && !global {
			continue
		}
		if slices.ContainsFunc(recs, func(rc Recorder) bool { return rc.Records(t) }) {
			out = append(out, t)
		}
	}
	return out
}

// configPlan decides, for a snapshot of source, which resource types come from AWS
// Config. It returns nil for the inventory alone. With SourceAuto, recorders that cannot
// be read are recorded in r's Skipped and the inventory is used; with SourceConfig they,
// or a region where nothing records, fail the snapshot.
func configPlan(ctx context.Context, r *run, source Source, global bool) ([]string, error) {
	if source == SourceInventory || source == "" {
		return nil, nil
	}
	recs, err := Recorders(ctx, r.cfg)
	if err != nil {
		if source == SourceAuto && unavailable(err) && ctx.Err() == nil {
			r.skip(configPart, err)
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", configPart, err)
	}
	types := recordedTypes(recs, global)
	if len(types) == 0 && source == SourceConfig {
		return nil, probity.Errorf(probity.EINVALID, "%s: AWS Config records none of the types the rules read in account %s, region %s (%s); --collect-source auto falls back to the inventory",
			configPart, r.account, r.region, describeRecorders(recs))
	}
	return types, nil
}

// describeRecorders says in a few words what recs are, for errors.
func describeRecorders(recs []Recorder) string {
	if len(recs) == 0 {
		return "no configuration recorder"
	}
	s := ""
	for i, rc := range recs {
		if i > 0 {
			s += ", "
		}
		state := "stopped"
		if rc.Recording {
			state = "recording"
		}
		s += fmt.Sprintf("recorder %q %s", rc.Name, state)
	}
	return s
}

// skipsPart reports whether the part's items all come from AWS Config in this run.
func (r *run) skipsPart(name string) bool {
	types, ok := itemParts[name]
	return ok && len(r.recorded) > 0 && !slices.ContainsFunc(types, func(t string) bool { return !r.recorded[t] })
}

// collectConfig reads the items of the run's recorded types from AWS Config: the
// identifiers of each type (ListDiscoveredResources, live resources only), then their
// configuration items in batches of 100 (BatchGetResourceConfig, whose unprocessed keys
// are asked again with retry's backoff).
func collectConfig(ctx context.Context, r *run, retry backoff.Policy) error {
	c := configservice.NewFromConfig(r.cfg)
	types := make([]string, 0, len(r.recorded))
	for t := range r.recorded {
		types = append(types, t)
	}
	sort.Strings(types)
	keys := make([][]cstypes.ResourceKey, len(types))
	err := r.each(ctx, len(types), func(ctx context.Context, i int) error {
		p := configservice.NewListDiscoveredResourcesPaginator(c, &configservice.ListDiscoveredResourcesInput{
			ResourceType: cstypes.ResourceType(types[i]), Limit: configPage})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("ListDiscoveredResources %s: %w", types[i], err)
			}
			for _, id := range page.ResourceIdentifiers {
				keys[i] = append(keys[i], cstypes.ResourceKey{ResourceType: id.ResourceType, ResourceId: id.ResourceId})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var all []cstypes.ResourceKey
	for _, k := range keys {
		all = append(all, k...)
	}
	batches := slices.Collect(slices.Chunk(all, configBatch))
	return r.each(ctx, len(batches), func(ctx context.Context, i int) error {
		items, err := batchGet(ctx, c, batches[i], retry)
		if err != nil {
			return err
		}
		r.addRecorded(items...)
		return nil
	})
}

// errUnprocessed is the error retried while BatchGetResourceConfig leaves keys
// unprocessed.
var errUnprocessed = errors.New("BatchGetResourceConfig left resource keys unprocessed")

// batchGet returns the configuration items of keys, asking again for the keys AWS Config
// leaves unprocessed (throttled inside the batch) until none is left or retry gives up.
// A key whose resource no longer exists has no item. It fails on an API error, an item
// that does not convert, or keys still unprocessed when retry gives up.
func batchGet(ctx context.Context, c *configservice.Client, keys []cstypes.ResourceKey, retry backoff.Policy) ([]Item, error) {
	var out []Item
	pending := keys
	err := backoff.Retry(ctx, retry, func(ctx context.Context) error {
		res, err := c.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: pending})
		if err != nil {
			return backoff.Permanent(fmt.Errorf("BatchGetResourceConfig: %w", err))
		}
		for _, b := range res.BaseConfigurationItems {
			it, err := itemFromConfig(b)
			if err != nil {
				return backoff.Permanent(err)
			}
			out = append(out, it)
		}
		pending = res.UnprocessedResourceKeys
		if len(pending) > 0 {
			return fmt.Errorf("%w: %d of them", errUnprocessed, len(pending))
		}
		return nil
	})
	return out, err
}

// itemFromConfig converts an item of BatchGetResourceConfig to the snapshot dialect, as
// AWS Config's GetResourceConfigHistory and snapshots carry it: configuration and each
// supplementaryConfiguration member arrive as JSON text and become the JSON they hold
// (an S3 bucket's AccessControlList, JSON text in a JSON string, stays a string, as in a
// snapshot). Status, capture and creation times, version, state id, ARN and zone are
// kept. BaseConfigurationItem carries no tags and no relationships: tags are taken from
// where AWS Config also writes them (a configuration's tags list, an S3 bucket's
// BucketTaggingConfiguration); relationships stay absent. It fails, naming the
// resource, when configuration is not JSON.
func itemFromConfig(b cstypes.BaseConfigurationItem) (Item, error) {
	it := Item{
		Version:      aws.ToString(b.Version),
		CaptureTime:  timeString(b.ConfigurationItemCaptureTime),
		Status:       string(b.ConfigurationItemStatus),
		StateID:      aws.ToString(b.ConfigurationStateId),
		AccountID:    aws.ToString(b.AccountId),
		ARN:          aws.ToString(b.Arn),
		ResourceType: string(b.ResourceType),
		ResourceID:   aws.ToString(b.ResourceId),
		ResourceName: aws.ToString(b.ResourceName),
		Region:       aws.ToString(b.AwsRegion),
		Zone:         aws.ToString(b.AvailabilityZone),
		Created:      timeString(b.ResourceCreationTime),
	}
	name := it.ResourceType + " " + it.ResourceID
	switch conf := aws.ToString(b.Configuration); {
	case conf == "":
		it.Configuration = json.RawMessage("null")
	case json.Valid([]byte(conf)):
		it.Configuration = json.RawMessage(conf)
	default:
		return Item{}, fmt.Errorf("%s %s: configuration: not JSON", configPart, name)
	}
	if len(b.SupplementaryConfiguration) > 0 {
		it.Supplementary = make(map[string]json.RawMessage, len(b.SupplementaryConfiguration))
		for k, v := range b.SupplementaryConfiguration {
			if json.Valid([]byte(v)) {
				it.Supplementary[k] = json.RawMessage(v)
			} else {
				// Not JSON text: keep the value as the string it is.
				s, _ := json.Marshal(v)
				it.Supplementary[k] = s
			}
		}
	}
	it.Tags = configTags(it)
	return it, nil
}

// configTags returns the tags AWS Config writes inside an item: the configuration's
// "tags" as a list of {key, value} (IAM, EC2 and most types) or an object, or an S3
// bucket's BucketTaggingConfiguration tagSets; nil when there are none.
func configTags(it Item) map[string]string {
	tags := map[string]string{}
	var conf struct {
		Tags json.RawMessage `json:"tags"`
	}
	if json.Unmarshal(it.Configuration, &conf) == nil && len(conf.Tags) > 0 {
		var list []struct{ Key, Value string }
		var obj map[string]string
		if json.Unmarshal(conf.Tags, &list) == nil {
			for _, t := range list {
				if t.Key != "" {
					tags[t.Key] = t.Value
				}
			}
		} else if json.Unmarshal(conf.Tags, &obj) == nil {
			for k, v := range obj {
				tags[k] = v
			}
		}
	}
	if raw, ok := it.Supplementary["BucketTaggingConfiguration"]; ok {
		var tc struct {
			TagSets []struct {
				Tags map[string]string `json:"tags"`
			} `json:"tagSets"`
		}
		if json.Unmarshal(raw, &tc) == nil {
			for _, s := range tc.TagSets {
				for k, v := range s.Tags {
					tags[k] = v
				}
			}
		}
	}
	if len(tags) == 0 {
		return nil
	}
	return tags
}
