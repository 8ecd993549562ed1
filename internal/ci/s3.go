package ci

import (
	"cmp"
	"strings"

	json "github.com/go-json-experiment/json/v1"
)

// S3Bucket is the view of an AWS::S3::Bucket CI that rules read: the members of
// supplementaryConfiguration, decoded whether AWS Config stored them as objects or as
// JSON strings. Absent members are nil.
type S3Bucket struct {
	Name              string
	ACL               *S3ACL
	Policy            *PolicyDocument
	PublicAccessBlock *PublicAccessBlock
	Encryption        *S3Encryption
	Versioning        *S3Versioning
	Logging           *S3Logging
}

// S3ACL is a bucket's access control list.
type S3ACL struct {
	GrantList []S3Grant `json:"grantList"`
}

// S3Grant is one ACL grant. Grantee is the group name ("AllUsers", "AuthenticatedUsers",
// "LogDelivery") or URI for group grantees, else the canonical id or e-mail address.
type S3Grant struct {
	Grantee    string
	Permission string
}

// UnmarshalJSON accepts the grantee as a string or as an object with id, uri or
// emailAddress (AWS Config has written all three).
func (g *S3Grant) UnmarshalJSON(b []byte) error {
	var w struct {
		Grantee    json.RawMessage `json:"grantee"`
		Permission string          `json:"permission"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	g.Permission = w.Permission
	if s, err := jsonString(w.Grantee); err == nil {
		g.Grantee = s
		return nil
	}
	var o struct{ ID, URI, EmailAddress, Identifier, TypeIdentifier string }
	if len(w.Grantee) > 0 {
		if err := json.Unmarshal(w.Grantee, &o); err != nil {
			return err
		}
	}
	g.Grantee = cmp.Or(cmp.Or(o.URI, o.ID), cmp.Or(o.Identifier, o.EmailAddress))
	return nil
}

// Public reports whether the grant is to everyone (AllUsers) or to every AWS account
// holder (AuthenticatedUsers).
func (g S3Grant) Public() bool {
	s := strings.ToLower(g.Grantee)
	return strings.HasSuffix(s, "allusers") || strings.HasSuffix(s, "authenticatedusers")
}

// PublicAccessBlock is an S3 block public access configuration (bucket or account).
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// S3Encryption is a bucket's default encryption.
type S3Encryption struct {
	Rules []struct {
		ApplyServerSideEncryptionByDefault *struct {
			SSEAlgorithm   string `json:"sseAlgorithm"`
			KMSMasterKeyID string `json:"kmsMasterKeyID"`
		} `json:"applyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool `json:"bucketKeyEnabled"`
	} `json:"rules"`
}

// S3Versioning is a bucket's versioning configuration.
type S3Versioning struct {
	Status             string `json:"status"`
	IsMfaDeleteEnabled *bool  `json:"isMfaDeleteEnabled"`
}

// S3Logging is a bucket's server access logging configuration.
type S3Logging struct {
	DestinationBucketName string `json:"destinationBucketName"`
	LogFilePrefix         string `json:"logFilePrefix"`
}

type s3bucketView struct {
	b   S3Bucket
	err error
}

// Bucket returns the S3 view of an AWS::S3::Bucket item, decoded once and cached. It
// fails, naming the member, when a supplementaryConfiguration member does not fit.
func (it *Item) Bucket() (*S3Bucket, error) {
	for _, v := range it.views {
		if b, ok := v.(*s3bucketView); ok {
			return &b.b, b.err
		}
	}
	v := &s3bucketView{}
	v.b.Name = cmp.Or(it.ResourceName, it.ResourceID)
	v.err = v.b.decode(it)
	it.views = append(it.views, v)
	return &v.b, v.err
}

func (b *S3Bucket) decode(it *Item) error {
	var acl S3ACL
	if ok, err := it.DecodeSupplementary("AccessControlList", &acl); err != nil {
		return err
	} else if ok {
		b.ACL = &acl
	}
	var pol struct {
		PolicyText json.RawMessage `json:"policyText"`
	}
	if ok, err := it.DecodeSupplementary("BucketPolicy", &pol); err != nil {
		return err
	} else if ok {
		if raw, err := unwrap(pol.PolicyText, false); err != nil { // json.Unmarshal validates it
			return err
		} else if raw != nil {
			var d PolicyDocument
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			b.Policy = &d
		}
	}
	var pab PublicAccessBlock
	if ok, err := it.DecodeSupplementary("PublicAccessBlockConfiguration", &pab); err != nil {
		return err
	} else if ok {
		b.PublicAccessBlock = &pab
	}
	var enc S3Encryption
	if ok, err := it.DecodeSupplementary("ServerSideEncryptionConfiguration", &enc); err != nil {
		return err
	} else if ok {
		b.Encryption = &enc
	}
	var ver S3Versioning
	if ok, err := it.DecodeSupplementary("BucketVersioningConfiguration", &ver); err != nil {
		return err
	} else if ok {
		b.Versioning = &ver
	}
	var lg S3Logging
	if ok, err := it.DecodeSupplementary("BucketLoggingConfiguration", &lg); err != nil {
		return err
	} else if ok {
		b.Logging = &lg
	}
	return nil
}
