package ci

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"net/url"
	"strings"

	json "github.com/go-json-experiment/json/v1"
)

// Config returns the item's configuration decoded into a *T, decoding it once per type:
// later calls with the same T return the same value, so several rules reading the same
// view of a resource pay for one decode. It returns a nil *T and no error when the
// configuration is null (deleted resources), and an error naming "configuration" when
// the JSON does not fit T. Config is not safe for concurrent use on one Item.
func Config[T any](it *Item) (*T, error) {
	for _, v := range it.views {
		if t, ok := v.(*T); ok {
			return t, nil
		}
	}
	if !it.HasConfiguration() {
		return nil, nil
	}
	t := new(T)
	if err := json.Unmarshal(it.Configuration, t); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	it.views = append(it.views, t)
	return t, nil
}

// DecodeSupplementary decodes the supplementaryConfiguration member key into v. AWS Config
// stores some members (an S3 bucket's AccessControlList, a Lambda function's Policy) as
// JSON text inside a JSON string; both that and plain JSON are accepted. It returns
// false when the member is absent or null, and an error naming the member when it does
// not fit v.
func (it *Item) DecodeSupplementary(key string, v any) (bool, error) {
	raw, ok := it.Supplementary[key]
	if !ok {
		return false, nil
	}
	raw, err := unwrap(raw, false) // json.Unmarshal validates it next
	if err != nil {
		return false, fmt.Errorf("supplementaryConfiguration.%s: %w", key, err)
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("supplementaryConfiguration.%s: %w", key, err)
	}
	return true, nil
}

// Unwrap returns the JSON that raw stands for: raw itself when it is an object, array,
// number or boolean; the text inside when raw is a string holding JSON, URL-decoded
// first when it is URL-encoded (as IAM returns policy documents); nil for null, an empty
// string or absent input. It fails when a string holds neither JSON nor URL-encoded JSON.
func Unwrap(raw stdjson.RawMessage) (stdjson.RawMessage, error) {
	return unwrap(raw, true)
}

// unwrap is Unwrap; with validate false, it leaves checking that a string holds JSON to
// the caller, which decodes the result next (and fails then).
func unwrap(raw []byte, validate bool) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '"' {
		return raw, nil
	}
	s, err := jsonString(raw)
	if err != nil {
		return nil, err
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return nil, nil
	}
	if s[0] != '{' && s[0] != '[' {
		u, err := url.QueryUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("neither JSON nor URL-encoded JSON: %w", err)
		}
		s = strings.TrimSpace(u)
	}
	b := []byte(s)
	if validate && !json.Valid(b) {
		return nil, fmt.Errorf("string does not hold valid JSON")
	}
	return b, nil
}
