package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/schemas"
	acmpcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// jsonProtocol makes a Private CA client speak AWS JSON 1.1, which every endpoint still
// serves, instead of the SDK's default Smithy RPC v2 CBOR, which emulators such as moto
// do not.
func jsonProtocol(o *acmpca.Options) {
	o.Protocol = awsjson.New11(schemas.ACMPrivateCA)
}

// collectPrivateCAs records AWS Private CA certificate authorities
// (AWS::ACMPCA::CertificateAuthority, the CA's ARN as resource id) with
// ListCertificateAuthorities' members as the API names them (Arn, Type, Status,
// CertificateAuthorityConfiguration, KeyStorageSecurityStandard, UsageMode...), and their
// tags.
func collectPrivateCAs(ctx context.Context, r *run) error {
	c := acmpca.NewFromConfig(r.cfg, jsonProtocol)
	var cas []acmpcatypes.CertificateAuthority
	p := acmpca.NewListCertificateAuthoritiesPaginator(c, &acmpca.ListCertificateAuthoritiesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		cas = append(cas, out.CertificateAuthorities...)
	}
	return r.each(ctx, len(cas), func(ctx context.Context, i int) error {
		ca := cas[i]
		tags, err := c.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: ca.Arn})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		conf, err := wafJSON(ca, nil, nil)
		if err != nil {
			return err
		}
		arn := aws.ToString(ca.Arn)
		r.add(Item{ARN: arn, ResourceType: "AWS::ACMPCA::CertificateAuthority", ResourceID: arn, Zone: "Regional", Created: timeString(ca.CreatedAt),
			Tags: tagMap(tags.Tags, func(t acmpcatypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
}
