// Package ci is the canonical model of AWS Config configuration items (CIs) and of the
// account-level facts that periodic rules need. It decodes both dialects AWS Config
// writes (the history shape and the invoking-event/snapshot shape) into one Item, keeps
// configuration and supplementaryConfiguration as raw JSON, and decodes them lazily into
// typed views that are cached on the Item.
//
// It decodes JSON with github.com/go-json-experiment/json/v1: encoding/json's API and
// rules on the implementation that became encoding/json/v2, about 1.7 times faster here
// with half the allocations (docs/decisions/0190-ci-json-decoder.md). The raw JSON an
// Item exposes is encoding/json.RawMessage, so callers decode it with either package.
package ci

import (
	"bytes"
	"cmp"
	stdjson "encoding/json"
	"fmt"
	"strconv"
	"time"

	json "github.com/go-json-experiment/json/v1"
)

// Configuration item statuses, as AWS Config records them.
const (
	StatusOK                 = "OK"
	StatusDiscovered         = "ResourceDiscovered"
	StatusNotRecorded        = "ResourceNotRecorded"
	StatusDeleted            = "ResourceDeleted"
	StatusDeletedNotRecorded = "ResourceDeletedNotRecorded"
)

// Item is one configuration item, normalised from either dialect. Configuration is the
// raw JSON of the resource's configuration (nil or "null" for deleted resources);
// Supplementary holds supplementaryConfiguration's members raw, because AWS Config
// stores some of them (S3 ACLs and policies) as JSON strings and others as objects.
type Item struct {
	Version              string
	AccountID            string
	ARN                  string
	MD5Hash              string
	StateID              string
	ResourceType         string
	ResourceID           string
	ResourceName         string
	Region               string
	AvailabilityZone     string
	Status               string
	CaptureTime          time.Time
	ResourceCreationTime time.Time
	Tags                 map[string]string
	Relationships        []Relationship
	Configuration        stdjson.RawMessage
	Supplementary        map[string]stdjson.RawMessage

	views []any // typed views decoded so far; see View
}

// Relationship is one entry of a CI's relationships.
type Relationship struct {
	ResourceType     string `json:"resourceType"`
	ResourceID       string `json:"resourceId"`
	ResourceName     string `json:"resourceName"`
	RelationshipName string `json:"relationshipName"`
}

// Deleted reports whether the item records a deleted resource (ResourceDeleted or
// ResourceDeletedNotRecorded), whose configuration is null.
func (it *Item) Deleted() bool {
	return it.Status == StatusDeleted || it.Status == StatusDeletedNotRecorded
}

// HasConfiguration reports whether the item carries a non-null configuration.
func (it *Item) HasConfiguration() bool {
	c := bytes.TrimSpace(it.Configuration)
	return len(c) > 0 && !bytes.Equal(c, []byte("null"))
}

// wireItem holds the members of both dialects; UnmarshalJSON merges them.
type wireItem struct {
	Version                  string                        `json:"version"`
	ConfigurationItemVersion string                        `json:"configurationItemVersion"`
	AccountID                string                        `json:"accountId"`
	AWSAccountID             string                        `json:"awsAccountId"`
	ARN                      string                        `json:"arn"`
	ARNUpper                 string                        `json:"ARN"`
	MD5                      string                        `json:"configurationItemMD5Hash"`
	StateMD5                 string                        `json:"configurationStateMd5Hash"`
	StateID                  json.RawMessage               `json:"configurationStateId"`
	ResourceType             string                        `json:"resourceType"`
	ResourceID               string                        `json:"resourceId"`
	ResourceName             string                        `json:"resourceName"`
	Region                   string                        `json:"awsRegion"`
	AvailabilityZone         string                        `json:"availabilityZone"`
	Status                   string                        `json:"configurationItemStatus"`
	CaptureTime              json.RawMessage               `json:"configurationItemCaptureTime"`
	ResourceCreationTime     json.RawMessage               `json:"resourceCreationTime"`
	Tags                     json.RawMessage               `json:"tags"`
	Relationships            []Relationship                `json:"relationships"`
	Configuration            json.RawMessage               `json:"configuration"`
	Supplementary            map[string]stdjson.RawMessage `json:"supplementaryConfiguration"`
}

// UnmarshalJSON decodes a CI of either dialect. It fails when resourceType is missing or
// a member has the wrong JSON type; the error names the member.
func (it *Item) UnmarshalJSON(b []byte) error {
	var w wireItem
	// encoding/json's rules prefer an exact name match, so "arn" and "ARN" land in their own
	// fields; the dialects are merged in fromWire.
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	return it.fromWire(&w)
}

// fromWire sets it from a decoded wire item.
func (it *Item) fromWire(w *wireItem) error {
	if w.ResourceType == "" {
		return fmt.Errorf("resourceType: missing")
	}
	var err error
	*it = Item{
		Version:          cmp.Or(w.Version, w.ConfigurationItemVersion),
		AccountID:        cmp.Or(w.AccountID, w.AWSAccountID),
		ARN:              cmp.Or(w.ARN, w.ARNUpper),
		MD5Hash:          cmp.Or(w.MD5, w.StateMD5),
		ResourceType:     w.ResourceType,
		ResourceID:       w.ResourceID,
		ResourceName:     w.ResourceName,
		Region:           w.Region,
		AvailabilityZone: w.AvailabilityZone,
		Status:           w.Status,
		Relationships:    w.Relationships,
		Configuration:    stdjson.RawMessage(w.Configuration),
		Supplementary:    w.Supplementary,
	}
	if it.StateID, err = scalarString(w.StateID); err != nil {
		return fmt.Errorf("configurationStateId: %w", err)
	}
	if it.CaptureTime, err = parseTime(w.CaptureTime); err != nil {
		return fmt.Errorf("configurationItemCaptureTime: %w", err)
	}
	if it.ResourceCreationTime, err = parseTime(w.ResourceCreationTime); err != nil {
		return fmt.Errorf("resourceCreationTime: %w", err)
	}
	if it.Tags, err = parseTags(w.Tags); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	if it.ResourceID == "" {
		it.ResourceID = it.ResourceName
	}
	return nil
}

// scalarString returns a JSON string or number as a string ("" for null or absent).
func scalarString(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		return jsonString(raw)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("want a string or a number")
	}
	return n.String(), nil
}

// jsonString decodes the JSON string raw. Strings of printable ASCII without escapes,
// which are most of what AWS Config writes, are taken as they are; others go through
// the JSON decoder.
func jsonString(raw []byte) (string, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		plain := true
		for _, c := range raw[1 : n-1] {
			if c < 0x20 || c >= 0x80 || c == '\\' || c == '"' {
				plain = false
				break
			}
		}
		if plain {
			return string(raw[1 : n-1]), nil
		}
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// parseTime accepts an RFC 3339 string or epoch seconds or milliseconds, as the AWS CLI,
// SDKs and AWS Config itself write them.
func parseTime(raw []byte) (time.Time, error) {
	s, err := scalarString(raw)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor epoch seconds", s)
	}
	if f > 1e11 { // milliseconds
		f /= 1000
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
}

// parseTags accepts {"k":"v"} or [{"key":"k","value":"v"}] (either capitalisation).
func parseTags(raw []byte) (map[string]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var list []struct{ Key, Value string }
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, nil
		}
		m := make(map[string]string, len(list))
		for _, t := range list {
			m[t.Key] = t.Value
		}
		return m, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}
