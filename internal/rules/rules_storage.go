package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// Resource types of the rules below. AWS Config records EFS file systems and log groups
// with the property names of their CloudFormation resources, ACM certificates as
// DescribeCertificate with first-letter camel case.
const (
	efsFileSystem  = "AWS::EFS::FileSystem"
	logGroup       = "AWS::Logs::LogGroup"
	acmCertificate = "AWS::ACM::Certificate"
)

var storageRules = []*Rule{
	{
		ID:          "EFS_ENCRYPTED_CHECK",
		Description: "EFS file systems are encrypted (Encrypted), with the key KmsKeyId when given (key ARN or id).",
		Scope:       []string{efsFileSystem},
		Params:      []Param{{Name: "KmsKeyId", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			fs, err := cfg[struct {
				Encrypted bool   `json:"Encrypted"`
				KmsKeyID  string `json:"KmsKeyId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case !fs.Encrypted:
				return NonCompliant, "The file system is not encrypted.", nil
			case a.Set("KmsKeyId") && !sameKey(a.Str("KmsKeyId"), fs.KmsKeyID):
				return NonCompliant, "The file system is not encrypted with the key KmsKeyId.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
		Description: "CloudWatch Logs log groups are encrypted with a KMS key (KmsKeyId), the key KmsKeyId when given (key ARN or id).",
		Scope:       []string{logGroup},
		Params:      []Param{{Name: "KmsKeyId", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[struct {
				KmsKeyID string `json:"KmsKeyId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case g.KmsKeyID == "":
				return NonCompliant, "The log group is not encrypted with a KMS key.", nil
			case a.Set("KmsKeyId") && !sameKey(a.Str("KmsKeyId"), g.KmsKeyID):
				return NonCompliant, "The log group is not encrypted with the key KmsKeyId.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
		Description: "CloudWatch Logs log groups keep events at least MinRetentionTime days (default 365); never expiring is COMPLIANT. " +
			"With LogGroupNames, other log groups are NOT_APPLICABLE.",
		Scope:  []string{logGroup},
		Params: []Param{{Name: "LogGroupNames", Type: CSV}, {Name: "MinRetentionTime", Type: Int, Default: "365"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[struct {
				LogGroupName    string `json:"LogGroupName"`
				RetentionInDays *int   `json:"RetentionInDays"`
			}](it)
			if err != nil {
				return "", "", err
			}
			name := g.LogGroupName
			if name == "" {
				name = it.ResourceID
			}
			if a.Set("LogGroupNames") && !inList(a.List("LogGroupNames"), name) {
				return na("The log group is not in LogGroupNames.")
			}
			if g.RetentionInDays == nil || *g.RetentionInDays == 0 {
				return Compliant, "", nil
			}
			return verdict(*g.RetentionInDays >= a.Int("MinRetentionTime"),
				fmt.Sprintf("The log group keeps events %d days, fewer than %d.", *g.RetentionInDays, a.Int("MinRetentionTime")))
		},
	},
	{
		ID: "ACM_CERTIFICATE_EXPIRATION_CHECK",
		Description: "ACM certificates do not expire within daysToExpiration days (default 14); certificates without an expiry date " +
			"(pending validation, failed) are NOT_APPLICABLE.",
		Scope:  []string{acmCertificate},
		Params: []Param{{Name: "daysToExpiration", Type: Int, Default: "14"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				NotAfter json.RawMessage `json:"notAfter"`
			}](it)
			if err != nil {
				return "", "", err
			}
			end, err := instant(c.NotAfter)
			if err != nil {
				return "", "", fmt.Errorf("notAfter: %w", err)
			}
			if end.IsZero() {
				return na("The certificate has no expiry date.")
			}
			days := a.Int("daysToExpiration")
			return verdict(end.Sub(env.Now) > time.Duration(days)*24*time.Hour,
				fmt.Sprintf("The certificate expires on %s, within %d days.", end.UTC().Format(time.RFC3339), days))
		},
	},
	{
		ID:          "ACM_CERTIFICATE_RSA_CHECK",
		Description: "ACM certificates with RSA keys have keys of at least 2048 bits; other key types are NOT_APPLICABLE.",
		Scope:       []string{acmCertificate},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				KeyAlgorithm string `json:"keyAlgorithm"`
			}](it)
			if err != nil {
				return "", "", err
			}
			// DescribeCertificate writes RSA-2048, the SDKs' enumeration RSA_2048.
			alg := strings.ReplaceAll(strings.ToUpper(c.KeyAlgorithm), "_", "-")
			bits, ok := strings.CutPrefix(alg, "RSA-")
			if !ok {
				return na("The certificate's key is not an RSA key.")
			}
			n, err := strconv.Atoi(bits)
			if err != nil {
				return "", "", fmt.Errorf("keyAlgorithm: %q has no key length", c.KeyAlgorithm)
			}
			return verdict(n >= 2048, "The certificate's RSA key has "+bits+" bits, fewer than 2048.")
		},
	},
}

// instant reads a time written as RFC 3339 text or epoch seconds or milliseconds, as
// AWS Config and the SDKs write them; the zero time for null or absent.
func instant(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return time.Time{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return time.Parse(time.RFC3339Nano, s)
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return time.Time{}, fmt.Errorf("want RFC 3339 text or epoch seconds")
	}
	if f > 1e11 { // milliseconds
		f /= 1000
	}
	return time.Unix(int64(f), 0).UTC(), nil
}
