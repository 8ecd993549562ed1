package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// configJSON returns v, an AWS SDK structure, as AWS Config records it in a CI's
// configuration: the describe API's members with their first letter in lower case
// (GroupId becomes groupId, DBInstanceIdentifier dBInstanceIdentifier, as AWS Config
// writes them), at every depth; a name of capitals only becomes aRN, cNAME, as AWS
// Config's resource schema and Elastic Beanstalk CIs spell them. Types that AWS Config
// records with the whole leading run of capitals in lower case (KMS keys' awsaccountId,
// DB clusters' dbclusterIdentifier, CloudFront's arn) take beanJSON instead. Map keys
// that are data (tags written as maps) are rewritten too, which AWS Config's own CIs
// never hold.
func configJSON(v any) (json.RawMessage, error) {
	x, err := genericJSON(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(lowerKeys(x))
}

// genericJSON returns v encoded as JSON and decoded again into maps, slices, strings,
// bools and json.Numbers (numbers kept as written): the form in which the collectors
// rename, drop and add members to shape SDK structures as AWS Config records them.
func genericJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	return x, nil
}

// genericObject is genericJSON for a v that encodes as a JSON object.
func genericObject(v any) (map[string]any, error) {
	x, err := genericJSON(v)
	if err != nil {
		return nil, err
	}
	m, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%T is not encoded as a JSON object", v)
	}
	return m, nil
}

func lowerKeys(x any) any {
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			if k == "ResultMetadata" {
				continue
			}
			out[lowerFirst(k)] = lowerKeys(v)
		}
		return out
	case []any:
		for i, v := range t {
			t[i] = lowerKeys(v)
		}
		return t
	}
	return x
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// jsonString returns v encoded as JSON and then as a JSON string holding that text, as
// AWS Config stores S3 ACLs and bucket policies in supplementaryConfiguration.
func jsonString(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// mustJSON encodes v, which holds only strings, numbers, booleans, maps and slices.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("inventory: " + err.Error())
	}
	return b
}
