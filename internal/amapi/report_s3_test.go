package amapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/store"
)

// TestAssessmentReportsS3 writes reports to s3:// destinations (moto) through the API and
// a real River runner: for each spelling of a destination (a prefix, a trailing slash and
// an upper-case scheme, the bare bucket) the report goes COMPLETE, its zip is at
// BUCKET/PREFIX/REPORT-ID/NAME.zip, GetAssessmentReportUrl's presigned link downloads it,
// it verifies offline, and ValidateAssessmentReportIntegrity checks it where it is, and
// names the file once a byte of it is changed in the bucket; deleting the report deletes
// the object. A destination whose bucket does not exist fails the report with a reason
// naming the bucket. Both backends.
func TestAssessmentReportsS3(t *testing.T) {
	m := mototest.Start(t)
	s3c := s3.NewFromConfig(m.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	for _, be := range []struct{ name string }{{"sqlite"}, {"postgres"}} {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			bucket := "reports-" + be.name
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			env := newReportEnv(t, be.name, func(context.Context) (*s3.Client, error) { return s3c, nil })
			st, rkeys, h := env.st, env.rkeys, env.h
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			root := client(srv.URL, srv.Client())

			fx := newFixture(t, root)
			a, err := root.CreateAssessment(ctx, createInput(fx.frameworkID))
			if err != nil {
				t.Fatal(err)
			}
			id := a.Assessment.Metadata.Id
			if _, err := root.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
				AssessmentId: id, ControlSetId: aws.String(fx.set1), ControlId: fx.c2.Id,
				ManualEvidence: []types.ManualEvidence{{TextResponse: aws.String("policy of set 1")}, {TextResponse: aws.String("review of set 1")}}}); err != nil {
				t.Fatal(err)
			}
			setDestination := func(dest string) {
				t.Helper()
				if _, err := root.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: id,
					Scope:                        &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}}},
					AssessmentReportsDestination: &types.AssessmentReportsDestination{DestinationType: types.AssessmentReportDestinationTypeS3, Destination: aws.String(dest)}}); err != nil {
					t.Fatal(err)
				}
			}
			create := func(name string) *store.AssessmentReport {
				t.Helper()
				out, err := root.CreateAssessmentReport(ctx, &am.CreateAssessmentReportInput{AssessmentId: id, Name: aws.String(name),
					QueryStatement: aws.String("SELECT * FROM evidence WHERE controlSetId = '" + fx.set1 + "'")})
				if err != nil {
					t.Fatal(err)
				}
				return waitReport(t, st, *out.AssessmentReport.Id)
			}

			for i, tc := range []struct{ dest, prefix, location string }{
				{"s3://" + bucket + "/q3", "q3/", "s3://" + bucket + "/q3/"},
				{"S3://" + bucket + "/team/audit/", "team/audit/", "S3://" + bucket + "/team/audit/"},
				{"s3://" + bucket, "", "s3://" + bucket + "/"},
			} {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					setDestination(tc.dest)
					rep := create(fmt.Sprintf("report-%d", i))
					if rep.Status != store.ReportComplete {
						t.Fatalf("report to %s: %s (%s)", tc.dest, rep.Status, rep.Reason)
					}
					key := tc.prefix + rep.ID + "/" + rep.Name + ".zip"
					if keys := bucketKeys(t, s3c, bucket); !slices.Contains(keys, key) {
						t.Fatalf("bucket %s holds %q, not %q", bucket, keys, key)
					}
					u, err := root.GetAssessmentReportUrl(ctx, &am.GetAssessmentReportUrlInput{AssessmentId: id, AssessmentReportId: aws.String(rep.ID)})
					if err != nil {
						t.Fatal(err)
					}
					if link := *u.PreSignedUrl.Link; !strings.HasPrefix(link, m.URL+"/"+bucket+"/"+key+"?") || !strings.Contains(link, "X-Amz-Signature=") ||
						!strings.Contains(link, "X-Amz-Expires=900") || *u.PreSignedUrl.HyperlinkName != rep.Name+".zip" {
						t.Errorf("link = %s (%s), want a presigned GET of %s for 900 s", link, *u.PreSignedUrl.HyperlinkName, key)
					}
					zipBytes := get(t, *u.PreSignedUrl.Link, http.StatusOK)
					res, err := report.Verify(bytes.NewReader(zipBytes), int64(len(zipBytes)), mustTrust(t, rkeys))
					if err != nil || !res.Valid || !res.Anchored {
						t.Fatalf("offline verify: %+v, %v", res, err)
					}
					path := tc.location + rep.ID + "/" + rep.Name + ".zip"
					if got := assess.Location(rep); got != path {
						t.Errorf("Location = %s, want %s", got, path)
					}
					v, err := root.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String(path)})
					if err != nil || !*v.SignatureValid || *v.SignatureAlgorithm != "Ed25519" || *v.SignatureKeyId != rep.KeyID || len(v.ValidationErrors) != 0 || *v.SignatureDateTime == "" {
						t.Errorf("validate %s: %+v, %v", path, v, err)
					}

					// One byte of the evidence changes in the bucket: validation names the
					// evidence file.
					i := bytes.Index(zipBytes, []byte("policy of set 1"))
					if i < 0 {
						t.Fatal("the zip does not hold the evidence text stored")
					}
					tampered := bytes.Clone(zipBytes)
					tampered[i] ^= 1
					if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(tampered)}); err != nil {
						t.Fatal(err)
					}
					v, err = root.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String(path)})
					if err != nil || *v.SignatureValid || len(v.ValidationErrors) == 0 || !strings.Contains(strings.Join(v.ValidationErrors, "\n"), "/evidence/") {
						t.Errorf("validate the tampered %s: %+v, %v", path, v, err)
					}

					if _, err := root.DeleteAssessmentReport(ctx, &am.DeleteAssessmentReportInput{AssessmentId: id, AssessmentReportId: aws.String(rep.ID)}); err != nil {
						t.Fatal(err)
					}
					if keys := bucketKeys(t, s3c, bucket); slices.Contains(keys, key) {
						t.Errorf("after DeleteAssessmentReport the bucket still holds %s", key)
					}
					_, err = root.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String(path)})
					wantAPIError(t, "validating a deleted report", err, "ResourceNotFoundException")
				})
			}

			t.Run("missing bucket", func(t *testing.T) {
				setDestination("s3://no-such-bucket-" + be.name + "/q3")
				rep := create("to-nowhere")
				if rep.Status != store.ReportFailed || !strings.Contains(rep.Reason, `"no-such-bucket-`+be.name+`" does not exist`) {
					t.Errorf("report to a missing bucket: %s (%q), want FAILED naming the bucket", rep.Status, rep.Reason)
				}
			})
		})
	}
}

func bucketKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys
}
