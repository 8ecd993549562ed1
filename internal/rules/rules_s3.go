package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const s3Bucket = "AWS::S3::Bucket"

var s3Rules = []*Rule{
	{
		ID:          "S3_BUCKET_PUBLIC_READ_PROHIBITED",
		Description: "Buckets do not allow public read access through their policy or ACL, unless Block Public Access (bucket or account) stops it.",
		Scope:       []string{s3Bucket},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			return publicAccess(it, env, readActions, readPerms, "read")
		},
	},
	{
		ID:          "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
		Description: "Buckets do not allow public write access through their policy or ACL, unless Block Public Access (bucket or account) stops it.",
		Scope:       []string{s3Bucket},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			return publicAccess(it, env, writeActions, writePerms, "write")
		},
	},
	{
		ID:          "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
		Description: "Every bucket-level Block Public Access setting is on, unless the bucket is listed in excludedPublicBuckets.",
		Scope:       []string{s3Bucket},
		Params:      []Param{{Name: "excludedPublicBuckets", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			if inList(a.List("excludedPublicBuckets"), b.Name) {
				return Compliant, "Bucket is listed in excludedPublicBuckets.", nil
			}
			return verdict(allBlocked(b.PublicAccessBlock), "Bucket-level Block Public Access is not fully enabled.")
		},
	},
	{
		ID:          "S3_BUCKET_LOGGING_ENABLED",
		Description: "Server access logging is enabled, optionally to targetBucket with targetPrefix.",
		Scope:       []string{s3Bucket},
		Params:      []Param{{Name: "targetBucket", Type: String}, {Name: "targetPrefix", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			l := b.Logging
			switch {
			case l == nil || l.DestinationBucketName == "":
				return NonCompliant, "Server access logging is not enabled.", nil
			case a.Set("targetBucket") && l.DestinationBucketName != a.Str("targetBucket"):
				return NonCompliant, "Logs go to " + l.DestinationBucketName + ", not " + a.Str("targetBucket") + ".", nil
			case a.Set("targetPrefix") && l.LogFilePrefix != a.Str("targetPrefix"):
				return NonCompliant, "Log prefix is " + l.LogFilePrefix + ", not " + a.Str("targetPrefix") + ".", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
		Description: "Default encryption is enabled, or the bucket policy denies put-object requests without server-side encryption.",
		Scope:       []string{s3Bucket},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			if alg, _ := defaultEncryption(b); alg != "" {
				return Compliant, "", nil
			}
			return verdict(deniesUnencryptedPuts(b.Policy), "Default encryption is not enabled and the policy does not deny unencrypted puts.")
		},
	},
	{
		ID:          "S3_DEFAULT_ENCRYPTION_KMS",
		Description: "Default encryption uses AWS KMS, optionally with one of kmsKeyArns.",
		Scope:       []string{s3Bucket},
		Params:      []Param{{Name: "kmsKeyArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			alg, key := defaultEncryption(b)
			switch {
			case !strings.HasPrefix(alg, "aws:kms"):
				return NonCompliant, "Default encryption is not AWS KMS.", nil
			case a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), key):
				return NonCompliant, "Default encryption uses a KMS key not in kmsKeyArns.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "S3_BUCKET_SSL_REQUESTS_ONLY",
		Description: "The bucket policy denies every request made without TLS (aws:SecureTransport false).",
		Scope:       []string{s3Bucket},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			return verdict(deniesInsecureTransport(b.Policy), "The bucket policy does not deny requests over HTTP.")
		},
	},
	{
		ID:          "S3_BUCKET_VERSIONING_ENABLED",
		Description: "Versioning is enabled and, when isMfaDeleteEnabled is true, so is MFA delete.",
		Scope:       []string{s3Bucket},
		Params:      []Param{{Name: "isMfaDeleteEnabled", Type: Bool}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := it.Bucket()
			if err != nil {
				return "", "", err
			}
			v := b.Versioning
			switch {
			case v == nil || v.Status != "Enabled":
				return NonCompliant, "Versioning is not enabled.", nil
			case a.Bool("isMfaDeleteEnabled") && (v.IsMfaDeleteEnabled == nil || !*v.IsMfaDeleteEnabled):
				return NonCompliant, "MFA delete is not enabled.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS",
		Description: "The account's Block Public Access settings match the parameters (each True or False).",
		Scope:       []string{"AWS::S3::AccountPublicAccessBlock"},
		Params:      pabParams("True"),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			pab, err := cfg[ci.PublicAccessBlock](it)
			if err != nil {
				return "", "", err
			}
			return pabMatches(a, pab)
		},
	},
	{
		ID:          "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
		Description: "The account's Block Public Access settings (GetPublicAccessBlock) match the parameters; none set is NON_COMPLIANT.",
		Params:      pabParams("True"),
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("s3control.PublicAccessBlockConfiguration") {
				return nil, nil
			}
			if acct.AccountPublicAccessBlock == nil {
				return []Result{accountResult(acct, NonCompliant, "No account-level Block Public Access configuration.")}, nil
			}
			c, note, _ := pabMatches(a, acct.AccountPublicAccessBlock)
			return []Result{accountResult(acct, c, note)}, nil
		},
	},
}

var (
	readActions  = []string{"s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion", "s3:ListBucketVersions"}
	writeActions = []string{"s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:DeleteObjectVersion", "s3:PutBucketPolicy"}
	readPerms    = []string{"Read", "FullControl"}
	writePerms   = []string{"Write", "FullControl"}
)

// publicAccess decides the public read/write rules: a public policy statement counts
// unless Block Public Access restricts public buckets (bucket or account), a public ACL
// grant counts unless public ACLs are ignored.
func publicAccess(it *ci.Item, env Env, actions, perms []string, what string) (Compliance, string, error) {
	b, err := it.Bucket()
	if err != nil {
		return "", "", err
	}
	var acct *ci.PublicAccessBlock
	if env.Account != nil {
		acct = env.Account.AccountPublicAccessBlock
	}
	blocked := func(f func(*ci.PublicAccessBlock) bool) bool {
		return (b.PublicAccessBlock != nil && f(b.PublicAccessBlock)) || (acct != nil && f(acct))
	}
	if b.Policy != nil && !blocked(func(p *ci.PublicAccessBlock) bool { return p.RestrictPublicBuckets || p.BlockPublicPolicy }) {
		for _, s := range b.Policy.Statement {
			if !s.Public() {
				continue
			}
			for _, act := range actions {
				if s.ActionMatches(act) {
					return NonCompliant, "The bucket policy allows public " + what + " access.", nil
				}
			}
		}
	}
	if b.ACL != nil && !blocked(func(p *ci.PublicAccessBlock) bool { return p.IgnorePublicAcls }) {
		for _, g := range b.ACL.GrantList {
			if g.Public() && inList(perms, g.Permission) {
				return NonCompliant, "The bucket ACL allows public " + what + " access.", nil
			}
		}
	}
	return Compliant, "", nil
}

func allBlocked(p *ci.PublicAccessBlock) bool {
	return p != nil && p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets
}

// defaultEncryption returns the bucket's default SSE algorithm and KMS key ("" when none).
func defaultEncryption(b *ci.S3Bucket) (alg, key string) {
	if b.Encryption == nil {
		return "", ""
	}
	for _, r := range b.Encryption.Rules {
		if d := r.ApplyServerSideEncryptionByDefault; d != nil && d.SSEAlgorithm != "" {
			return d.SSEAlgorithm, d.KMSMasterKeyID
		}
	}
	return "", ""
}

// deniesUnencryptedPuts reports whether a Deny of s3:PutObject is conditioned on the
// server-side-encryption header.
func deniesUnencryptedPuts(p *ci.PolicyDocument) bool {
	if p == nil {
		return false
	}
	for _, s := range p.Statement {
		if !s.Deny() || !s.ActionMatches("s3:PutObject") {
			continue
		}
		for _, keys := range s.Condition {
			for k := range keys {
				if strings.EqualFold(k, "s3:x-amz-server-side-encryption") {
					return true
				}
			}
		}
	}
	return false
}

// deniesInsecureTransport reports whether a Deny of every S3 action to everyone is
// conditioned on aws:SecureTransport being false.
func deniesInsecureTransport(p *ci.PolicyDocument) bool {
	if p == nil {
		return false
	}
	for _, s := range p.Statement {
		if !s.Deny() || !s.Principal.Public() || !(s.Action.Has("s3:*") || s.Action.Has("*")) {
			continue
		}
		for op, keys := range s.Condition {
			if !strings.EqualFold(op, "Bool") {
				continue
			}
			for k, vals := range keys {
				if strings.EqualFold(k, "aws:SecureTransport") && len(vals) == 1 && strings.EqualFold(vals[0], "false") {
					return true
				}
			}
		}
	}
	return false
}

func pabParams(def string) []Param {
	return []Param{
		{Name: "IgnorePublicAcls", Type: Bool, Default: def},
		{Name: "BlockPublicPolicy", Type: Bool, Default: def},
		{Name: "BlockPublicAcls", Type: Bool, Default: def},
		{Name: "RestrictPublicBuckets", Type: Bool, Default: def},
	}
}

// pabMatches compares each setting whose parameter is True with the configuration;
// a parameter of False asks nothing, as AWS Config reads it.
func pabMatches(a Args, p *ci.PublicAccessBlock) (Compliance, string, error) {
	var off []string
	check := func(name string, v bool) {
		if strings.EqualFold(a.Str(name), "true") && !v {
			off = append(off, name)
		}
	}
	check("BlockPublicAcls", p.BlockPublicAcls)
	check("IgnorePublicAcls", p.IgnorePublicAcls)
	check("BlockPublicPolicy", p.BlockPublicPolicy)
	check("RestrictPublicBuckets", p.RestrictPublicBuckets)
	return verdict(len(off) == 0, "Not enabled: "+strings.Join(off, ", ")+".")
}
