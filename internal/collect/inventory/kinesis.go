package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// collectKinesisStreams records Kinesis data streams (AWS::Kinesis::Stream, the name as
// resource id) with DescribeStreamSummary's StreamDescriptionSummary under the API's
// member names (StreamName, StreamARN, EncryptionType, KeyId, RetentionPeriodHours...).
func collectKinesisStreams(ctx context.Context, r *run) error {
	c := kinesis.NewFromConfig(r.cfg)
	var names []string
	p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		names = append(names, out.StreamNames...)
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(names[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil
		}
		if err != nil {
			return err
		}
		s := out.StreamDescriptionSummary
		return r.addAPIMembers("AWS::Kinesis::Stream", aws.ToString(s.StreamARN), names[i], timeString(s.StreamCreationTimestamp), s)
	})
}
