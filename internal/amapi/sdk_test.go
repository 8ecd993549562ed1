package amapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/amapi"
)

// onBackendsSDK runs the test once per backend with the real SDK client against a
// server on a fresh store.
func onBackendsSDK(t *testing.T, test func(t *testing.T, c *am.Client, url string)) {
	onBackends(t, func(t *testing.T, h *amapi.Handler) {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		test(t, client(srv.URL, srv.Client()), srv.URL)
	})
}

func validationMessage(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		t.Fatalf("error = %v, want a ValidationException", err)
	}
	return ae.ErrorMessage()
}

func manualSource(name string) types.CreateControlMappingSource {
	return types.CreateControlMappingSource{SourceName: aws.String(name), SourceType: types.SourceTypeManual}
}

// TestUntagNothing follows what aws-sdk-go-v2 code that replaces all tags does: list,
// remove every listed key, add the new ones. On an untagged control the removal sends
// no keys and must succeed; more than 50 keys are still refused.
func TestUntagNothing(t *testing.T) {
	onBackendsSDK(t, func(t *testing.T, c *am.Client, _ string) {
		ctx := context.Background()
		out, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("untagged"),
			ControlMappingSources: []types.CreateControlMappingSource{manualSource("m")}})
		if err != nil {
			t.Fatal(err)
		}
		arn := out.Control.Arn
		replaceTags := func(tags map[string]string) {
			t.Helper()
			list, err := c.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: arn})
			if err != nil {
				t.Fatal(err)
			}
			keys := make([]string, 0, len(list.Tags)) // empty, not nil: the SDK sends it
			for k := range list.Tags {
				keys = append(keys, k)
			}
			if _, err := c.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: arn, TagKeys: keys}); err != nil {
				t.Fatalf("UntagResource %v: %v", keys, err)
			}
			if _, err := c.TagResource(ctx, &am.TagResourceInput{ResourceArn: arn, Tags: tags}); err != nil {
				t.Fatal(err)
			}
		}
		replaceTags(map[string]string{"team": "a"})
		replaceTags(map[string]string{"owner": "b"})
		list, err := c.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: arn})
		if err != nil || len(list.Tags) != 1 || list.Tags["owner"] != "b" {
			t.Fatalf("tags = %v, %v; want owner=b alone", list, err)
		}

		var many []string
		for i := range probity.MaxTags + 1 {
			many = append(many, fmt.Sprintf("k%d", i))
		}
		_, err = c.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: arn, TagKeys: many})
		if msg := validationMessage(t, err); !strings.Contains(msg, "tagKeys: must list at most 50 tag keys, got 51") {
			t.Fatalf("message = %q", msg)
		}
		gone := aws.String("arn:aws:auditmanager:us-east-1:000000000000:control/0123abcd-0123-4567-89ab-0123456789ab")
		_, err = c.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: gone, TagKeys: []string{}})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("UntagResource with no keys on a missing control: %v, want ResourceNotFoundException", err)
		}
	})
}

// TestSentIDsAreKept updates a control's data sources and a framework's control sets
// with the ids GetControl and GetAssessmentFramework returned: a renamed source or set
// keeps its id, one sent without an id keeps the id of its name, a new one gets the
// derived id (a variant when a kept id already holds it), and an id the resource does
// not have, or one sent twice, is a ValidationException that changes nothing.
func TestSentIDsAreKept(t *testing.T) {
	onBackendsSDK(t, func(t *testing.T, c *am.Client, _ string) {
		ctx := context.Background()
		created, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("ids"),
			ControlMappingSources: []types.CreateControlMappingSource{manualSource("A"), manualSource("B")}})
		if err != nil {
			t.Fatal(err)
		}
		ctl := created.Control
		idA, idB := aws.ToString(ctl.ControlMappingSources[0].SourceId), aws.ToString(ctl.ControlMappingSources[1].SourceId)
		src := func(id, name string) types.ControlMappingSource {
			s := types.ControlMappingSource{SourceName: aws.String(name), SourceType: types.SourceTypeManual}
			if id != "" {
				s.SourceId = aws.String(id)
			}
			return s
		}
		update := func(srcs ...types.ControlMappingSource) (*types.Control, error) {
			out, err := c.UpdateControl(ctx, &am.UpdateControlInput{ControlId: ctl.Id, Name: ctl.Name, ControlMappingSources: srcs})
			if err != nil {
				return nil, err
			}
			return out.Control, nil
		}
		ids := func(c *types.Control) []string {
			var out []string
			for _, s := range c.ControlMappingSources {
				out = append(out, aws.ToString(s.SourceId))
			}
			return out
		}

		// A renamed to A2 with its id; B without an id; a new A without an id; C new.
		got, err := update(src(idA, "A2"), src("", "B"), src("", "A"), src("", "C"))
		if err != nil {
			t.Fatal(err)
		}
		g := ids(got)
		if g[0] != idA || g[1] != idB {
			t.Fatalf("ids after rename = %v; want A2 to keep %s and B to keep %s", g, idA, idB)
		}
		if g[2] == idA || !probity.IsUUID(g[2]) || g[3] != probity.MappingSourceID(*ctl.Id, "C") {
			t.Fatalf("new sources got ids %v; want a fresh id for A and the derived id for C", g[2:])
		}
		again, err := c.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Id})
		if err != nil || !slices.Equal(ids(again.Control), g) {
			t.Fatalf("stored ids = %v, %v; want %v", ids(again.Control), err, g)
		}

		for _, tc := range []struct {
			srcs  []types.ControlMappingSource
			field string
		}{
			{[]types.ControlMappingSource{src("0123abcd-0123-4567-89ab-0123456789ab", "X")}, "controlMappingSources[0].sourceId: is not the id of a data source of this control"},
			{[]types.ControlMappingSource{src(idA, "X"), src(idA, "Y")}, "controlMappingSources[1].sourceId: is also the sourceId of controlMappingSources[0]"},
		} {
			_, err := update(tc.srcs...)
			if msg := validationMessage(t, err); !strings.Contains(msg, tc.field) {
				t.Errorf("message = %q, want it to say %q", msg, tc.field)
			}
		}
		if after, _ := c.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Id}); !slices.Equal(ids(after.Control), g) {
			t.Fatalf("a refused update changed the sources: %v", ids(after.Control))
		}

		// Control sets.
		fw, err := c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("fw"),
			ControlSets: []types.CreateAssessmentFrameworkControlSet{
				{Name: aws.String("S1"), Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Id}}},
				{Name: aws.String("S2"), Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Id}}},
			}})
		if err != nil {
			t.Fatal(err)
		}
		id1, id2 := aws.ToString(fw.Framework.ControlSets[0].Id), aws.ToString(fw.Framework.ControlSets[1].Id)
		set := func(id, name string) types.UpdateAssessmentFrameworkControlSet {
			s := types.UpdateAssessmentFrameworkControlSet{Name: aws.String(name), Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Id}}}
			if id != "" {
				s.Id = aws.String(id)
			}
			return s
		}
		updateFw := func(sets ...types.UpdateAssessmentFrameworkControlSet) ([]string, error) {
			out, err := c.UpdateAssessmentFramework(ctx, &am.UpdateAssessmentFrameworkInput{FrameworkId: fw.Framework.Id, Name: aws.String("fw"), ControlSets: sets})
			if err != nil {
				return nil, err
			}
			var ids []string
			for _, s := range out.Framework.ControlSets {
				ids = append(ids, aws.ToString(s.Id))
			}
			return ids, nil
		}
		setIDs, err := updateFw(set(id1, "Renamed"), set("", "S2"), set("", "S1"), set("", "S3"))
		if err != nil {
			t.Fatal(err)
		}
		if setIDs[0] != id1 || setIDs[1] != id2 || setIDs[2] == id1 || setIDs[3] != probity.ControlSetID(*fw.Framework.Id, "S3") {
			t.Fatalf("control set ids = %v; want %s, %s, a fresh id, the derived id", setIDs, id1, id2)
		}
		_, err = updateFw(set("not-a-set-of-this-framework", "X"))
		if msg := validationMessage(t, err); !strings.Contains(msg, "controlSets[0].id: is not the id of a control set of this framework") {
			t.Fatalf("message = %q", msg)
		}
	})
}

// TestValidationMessageCarriesReasons checks that the message alone, which is all the
// AWS CLI prints, says which members are wrong and why, as the service's messages do.
func TestValidationMessageCarriesReasons(t *testing.T) {
	onBackendsSDK(t, func(t *testing.T, c *am.Client, url string) {
		ctx := context.Background()
		config := types.CreateControlMappingSource{SourceName: aws.String("cfg"), SourceType: types.SourceTypeAwsConfig}
		_, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("one"), ControlMappingSources: []types.CreateControlMappingSource{config}})
		want := "1 validation error detected: controlMappingSources[0].sourceKeyword.keywordValue: is required for sourceType AWS_Config"
		if msg := validationMessage(t, err); msg != want {
			t.Errorf("message = %q\nwant      %q", msg, want)
		}
		var ve *types.ValidationException
		if errors.As(err, &ve) && (len(ve.Fields) != 1 || aws.ToString(ve.Fields[0].Name) != "controlMappingSources[0].sourceKeyword.keywordValue") {
			t.Errorf("fields = %+v, want the one member", ve.Fields)
		}
		_, err = c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("a\x00b"), ControlMappingSources: []types.CreateControlMappingSource{config}})
		want = "2 validation errors detected: name: must not contain U+0000 (a control character); " +
			"controlMappingSources[0].sourceKeyword.keywordValue: is required for sourceType AWS_Config"
		if msg := validationMessage(t, err); msg != want {
			t.Errorf("message = %q\nwant      %q", msg, want)
		}

		// The AWS CLI prints the message alone.
		if _, err := exec.LookPath("aws"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("the AWS CLI is not installed")
			}
			t.Skip("the AWS CLI is not installed")
		}
		cmd := exec.Command("aws", "auditmanager", "create-control", "--name", "cli", "--endpoint-url", url, "--region", "us-east-1",
			"--control-mapping-sources", `[{"sourceName":"cfg","sourceType":"AWS_Config"}]`)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+rootID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "keywordValue: is required for sourceType AWS_Config") {
			t.Fatalf("aws create-control: %v\n%s", err, out)
		}
	})
}
