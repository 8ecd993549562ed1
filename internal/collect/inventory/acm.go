package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// collectCertificates records ACM certificates (AWS::ACM::Certificate, the
// certificate's ARN as resource id and its domain name as resource name) as AWS Config
// does: DescribeCertificate as configuration (certificateArn, domainName, status,
// keyAlgorithm, notBefore, notAfter, inUseBy...), and the tags in
// supplementaryConfiguration (Tags, a list of {key, value}). Certificates of every key
// type are listed, not only ListCertificates' default RSA 1024 and 2048 bits.
func collectCertificates(ctx context.Context, r *run) error {
	c := acm.NewFromConfig(r.cfg)
	var arns []string
	p := acm.NewListCertificatesPaginator(c, &acm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.CertificateSummaryList {
			arns = append(arns, aws.ToString(s.CertificateArn))
		}
	}
	return r.each(ctx, len(arns), func(ctx context.Context, i int) error {
		arn := aws.String(arns[i])
		d, err := c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: arn})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := c.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: arn})
		if err != nil {
			return err
		}
		conf, err := configJSON(d.Certificate)
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["Tags"], err = configJSON(nonNil(tags.Tags)); err != nil {
			return err
		}
		r.add(Item{ARN: arns[i], ResourceType: "AWS::ACM::Certificate", ResourceID: arns[i], ResourceName: aws.ToString(d.Certificate.DomainName),
			Zone: "Regional", Created: timeString(d.Certificate.CreatedAt),
			Tags: tagMap(tags.Tags, func(t acmtypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf, Supplementary: sup})
		return nil
	})
}
