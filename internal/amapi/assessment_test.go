package amapi_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

const (
	ownerARN    = "arn:aws:iam::111111111111:role/Owner"
	delegateARN = "arn:aws:iam::111111111111:role/Delegate"
)

// people are the callers of the assessment tests, each an SDK client: the root key of
// account A (admin), an editor that is the assessment's PROCESS_OWNER, an editor that is
// a delegate, an editor with no part in it, a viewer, and account B's admin.
type people struct {
	st                                          store.Store
	root, owner, delegate, stranger, viewer, bb *am.Client
}

func withPeople(t *testing.T, test func(t *testing.T, p people)) {
	withPeopleOn(t, nil, test)
}

// withPeopleOn is withPeople with the assessment service service returns for the store
// (nil: the handler's default).
func withPeopleOn(t *testing.T, service func(store.Store) *assess.Service, test func(t *testing.T, p people)) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			st := be.open(t)
			master := make([]byte, 32)
			rand.Read(master)
			box, err := secret.NewBox(master)
			if err != nil {
				t.Fatal(err)
			}
			km := &keys.Manager{Store: st, Box: box, Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: accountA}}
			cfg := amapi.Config{Library: &library.Service{Store: st}, Keys: km}
			if service != nil {
				cfg.Assess = service(st)
			}
			h, err := amapi.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			key := func(name string, level auth.Level, account, arn string) *am.Client {
				p, sec, err := km.CreateWithARN(context.Background(), name, level, account, arn)
				if err != nil {
					t.Fatal(err)
				}
				return am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
					Credentials: credentials.NewStaticCredentialsProvider(p.KeyID, sec, "")})
			}
			test(t, people{
				st:       st,
				root:     client(srv.URL, srv.Client()),
				owner:    key("owner", auth.Editor, accountA, ownerARN),
				delegate: key("delegate", auth.Editor, accountA, delegateARN),
				stranger: key("stranger", auth.Editor, accountA, ""),
				viewer:   key("viewer", auth.Viewer, accountA, ""),
				bb:       key("b admin", auth.Admin, accountB, ""),
			})
		})
	}
}

// fixture is a framework of two control sets over two controls, made by the root key.
type fixture struct {
	frameworkID, set1, set2 string
	c1, c2                  *types.Control
}

func newFixture(t *testing.T, c *am.Client) fixture {
	t.Helper()
	ctx := context.Background()
	mk := func(name string, srcs ...types.CreateControlMappingSource) *types.Control {
		out, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String(name), Description: aws.String("about " + name),
			ControlMappingSources: srcs})
		if err != nil {
			t.Fatal(err)
		}
		return out.Control
	}
	config := types.CreateControlMappingSource{SourceName: aws.String("versioning"), SourceType: types.SourceTypeAwsConfig,
		SourceFrequency: types.SourceFrequencyDaily,
		SourceKeyword:   &types.SourceKeyword{KeywordInputType: types.KeywordInputTypeSelectFromList, KeywordValue: aws.String("S3_BUCKET_VERSIONING_ENABLED")}}
	c1 := mk("Versioning", config, manualSource("attest"))
	c2 := mk("Policy", manualSource("policy"))
	fw, err := c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("Baseline"),
		ComplianceType: aws.String("CIS"), ControlSets: []types.CreateAssessmentFrameworkControlSet{
			{Name: aws.String("Storage"), Controls: []types.CreateAssessmentFrameworkControl{{Id: c1.Id}, {Id: c2.Id}}},
			{Name: aws.String("Governance"), Controls: []types.CreateAssessmentFrameworkControl{{Id: c2.Id}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{frameworkID: *fw.Framework.Id, set1: *fw.Framework.ControlSets[0].Id, set2: *fw.Framework.ControlSets[1].Id, c1: c1, c2: c2}
}

func createInput(frameworkID string) *am.CreateAssessmentInput {
	return &am.CreateAssessmentInput{
		Name: aws.String("Q3 audit"), Description: aws.String("quarterly"), FrameworkId: aws.String(frameworkID),
		AssessmentReportsDestination: &types.AssessmentReportsDestination{DestinationType: types.AssessmentReportDestinationTypeS3,
			Destination: aws.String("s3://audit-reports/q3")},
		Scope: &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}, {Id: aws.String("333333333333"), Name: aws.String("prod")}}},
		Roles: []types.Role{{RoleType: types.RoleTypeProcessOwner, RoleArn: aws.String(ownerARN)}},
		Tags:  map[string]string{"team": "grc"},
	}
}

// TestAssessmentLifecycle drives an assessment through the real SDK: create from a
// framework (a snapshot later framework changes do not reach), review with comments,
// change logs with their filters and pages, listing, update, sync, tags, INACTIVE,
// delete.
func TestAssessmentLifecycle(t *testing.T) {
	withPeople(t, func(t *testing.T, p people) {
		ctx := context.Background()
		fx := newFixture(t, p.root)
		out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		a := out.Assessment
		id := *a.Metadata.Id
		if want := "arn:aws:auditmanager:us-east-1:" + accountA + ":assessment/" + id; *a.Arn != want {
			t.Errorf("arn = %s, want %s", *a.Arn, want)
		}
		if *a.AwsAccount.Id != accountA || a.Metadata.Status != types.AssessmentStatusActive || *a.Metadata.ComplianceType != "CIS" ||
			len(a.Metadata.Scope.AwsAccounts) != 2 || *a.Metadata.AssessmentReportsDestination.Destination != "s3://audit-reports/q3" {
			t.Errorf("metadata = %+v", a.Metadata)
		}
		sets := a.Framework.ControlSets
		if len(sets) != 2 || *sets[0].Id != fx.set1 || *sets[0].Description != "Storage" || len(sets[0].Controls) != 2 ||
			sets[0].Status != types.ControlSetStatusActive || len(sets[1].Controls) != 1 {
			t.Fatalf("control sets = %+v", sets)
		}
		ctl := sets[0].Controls[0]
		if *ctl.Id != *fx.c1.Id || *ctl.Name != "Versioning" || ctl.Status != types.ControlStatusUnderReview ||
			ctl.Response != types.ControlResponseAutomate || ctl.EvidenceCount != 0 || ctl.EvidenceSources == nil {
			t.Errorf("control = %+v", ctl)
		}
		if sets[1].Controls[0].Response != types.ControlResponseManual {
			t.Errorf("a manual control's response = %s", sets[1].Controls[0].Response)
		}

		// The framework's controls change; the assessment keeps its snapshot.
		_, err = p.root.UpdateControl(ctx, &am.UpdateControlInput{ControlId: fx.c1.Id, Name: aws.String("Versioning v2"),
			ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("attest"), SourceType: types.SourceTypeManual}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.viewer.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if n := *got.Assessment.Framework.ControlSets[0].Controls[0].Name; n != "Versioning" {
			t.Errorf("after the control changed, the assessment shows %q", n)
		}
		if got.UserRole != nil {
			t.Errorf("a viewer with no part has userRole %+v", got.UserRole)
		}
		if got, _ := p.owner.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id}); got.UserRole == nil ||
			got.UserRole.RoleType != types.RoleTypeProcessOwner || *got.UserRole.RoleArn != ownerARN {
			t.Errorf("the owner's userRole = %+v", got.UserRole)
		}

		// Review: the owner reviews and comments on c2 in Storage, and the set.
		rev, err := p.owner.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &fx.set1,
			ControlId: fx.c2.Id, ControlStatus: types.ControlStatusReviewed, CommentBody: aws.String("policy seen")})
		if err != nil {
			t.Fatal(err)
		}
		if rev.Control.Status != types.ControlStatusReviewed || len(rev.Control.Comments) != 1 ||
			*rev.Control.Comments[0].AuthorName != "owner" || *rev.Control.Comments[0].CommentBody != "policy seen" ||
			rev.Control.Comments[0].PostedDate == nil || rev.Control.Comments[0].PostedDate.IsZero() {
			t.Fatalf("reviewed control = %+v", rev.Control)
		}
		setOut, err := p.owner.UpdateAssessmentControlSetStatus(ctx, &am.UpdateAssessmentControlSetStatusInput{AssessmentId: &id,
			ControlSetId: &fx.set2, Status: types.ControlSetStatusReviewed, Comment: aws.String("done")})
		if err != nil {
			t.Fatal(err)
		}
		if setOut.ControlSet.Status != types.ControlSetStatusReviewed || *setOut.ControlSet.Id != fx.set2 {
			t.Fatalf("control set = %+v", setOut.ControlSet)
		}

		logs := func(set, control *string) []types.ChangeLog {
			t.Helper()
			var all []types.ChangeLog
			pg := am.NewGetChangeLogsPaginator(p.viewer, &am.GetChangeLogsInput{AssessmentId: &id, ControlSetId: set, ControlId: control, MaxResults: aws.Int32(2)})
			for pg.HasMorePages() {
				page, err := pg.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, page.ChangeLogs...)
			}
			return all
		}
		all := logs(nil, nil)
		var seen []string
		for _, l := range all {
			seen = append(seen, fmt.Sprintf("%s %s %s", l.ObjectType, l.Action, *l.ObjectName))
			if *l.CreatedBy != ownerARN || l.CreatedAt == nil {
				t.Errorf("change log %+v: want createdBy %s and a time", l, ownerARN)
			}
		}
		want := []string{"ASSESSMENT CREATE Q3 audit", "CONTROL REVIEWED Policy", "CONTROL UPDATE_METADATA Policy", "CONTROL_SET REVIEWED Governance"}
		if strings.Join(seen, "|") != strings.Join(want, "|") {
			t.Errorf("change logs = %q, want %q", seen, want)
		}
		if n := len(logs(&fx.set1, nil)); n != 2 {
			t.Errorf("%d change logs of set 1, want 2", n)
		}
		if n := len(logs(&fx.set1, fx.c1.Id)); n != 0 {
			t.Errorf("%d change logs of c1, want 0", n)
		}

		// Listing, with a status filter and pages.
		second, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		pg := am.NewListAssessmentsPaginator(p.viewer, &am.ListAssessmentsInput{MaxResults: aws.Int32(1)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.AssessmentMetadata {
				listed = append(listed, *m.Id)
				if len(m.Roles) != 1 || m.Status != types.AssessmentStatusActive {
					t.Errorf("listed %+v", m)
				}
			}
		}
		if len(listed) != 2 || listed[0] != id || listed[1] != *second.Assessment.Metadata.Id {
			t.Errorf("listed %v, want %s then %s", listed, id, *second.Assessment.Metadata.Id)
		}

		// Update, then sync with the framework's current version.
		up, err := p.owner.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: &id, AssessmentName: aws.String("Q3 audit (final)"),
			Scope: &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}}}})
		if err != nil {
			t.Fatal(err)
		}
		if *up.Assessment.Metadata.Name != "Q3 audit (final)" || len(up.Assessment.Metadata.Scope.AwsAccounts) != 1 ||
			len(up.Assessment.Metadata.Roles) != 1 || *up.Assessment.Framework.ControlSets[0].Controls[0].Name != "Versioning" {
			t.Fatalf("updated = %+v", up.Assessment.Metadata)
		}
		synced, err := p.owner.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: &id,
			Scope: &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}}}}, withHeader(amapi.SyncFrameworkHeader, "true"))
		if err != nil {
			t.Fatal(err)
		}
		s1 := synced.Assessment.Framework.ControlSets[0]
		if *s1.Controls[0].Name != "Versioning v2" || s1.Controls[0].Response != types.ControlResponseManual ||
			s1.Controls[1].Status != types.ControlStatusReviewed || len(s1.Controls[1].Comments) != 1 ||
			synced.Assessment.Framework.ControlSets[1].Status != types.ControlSetStatusReviewed {
			t.Fatalf("synced control sets = %+v", synced.Assessment.Framework.ControlSets)
		}
		last := logs(nil, nil)
		if l := last[len(last)-1]; l.Action != types.ActionEnumUpdateMetadata || !strings.Contains(*l.ObjectName, "framework sync: 1 controls changed") {
			t.Errorf("sync change log = %s %s", l.Action, *l.ObjectName)
		}

		// Tags.
		if _, err := p.owner.TagResource(ctx, &am.TagResourceInput{ResourceArn: a.Arn, Tags: map[string]string{"stage": "final"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.owner.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: a.Arn, TagKeys: []string{"team"}}); err != nil {
			t.Fatal(err)
		}
		tags, err := p.viewer.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: a.Arn})
		if err != nil || len(tags.Tags) != 1 || tags.Tags["stage"] != "final" {
			t.Fatalf("tags = %+v, %v", tags, err)
		}

		// INACTIVE is final: every set REVIEWED, no way back, no more review.
		off, err := p.owner.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: &id, Status: types.AssessmentStatusInactive})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range off.Assessment.Framework.ControlSets {
			if s.Status != types.ControlSetStatusReviewed {
				t.Errorf("set %s is %s after INACTIVE", *s.Id, s.Status)
			}
		}
		_, err = p.owner.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: &id, Status: types.AssessmentStatusActive})
		wantAPIError(t, "ACTIVE after INACTIVE", err, "ValidationException")
		_, err = p.owner.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &fx.set1,
			ControlId: fx.c2.Id, CommentBody: aws.String("late")})
		wantAPIError(t, "review of an INACTIVE assessment", err, "ValidationException")
		inactive, err := p.viewer.ListAssessments(ctx, &am.ListAssessmentsInput{Status: types.AssessmentStatusInactive})
		if err != nil || len(inactive.AssessmentMetadata) != 1 || *inactive.AssessmentMetadata[0].Id != id {
			t.Fatalf("inactive listing = %+v, %v", inactive, err)
		}

		if _, err := p.owner.DeleteAssessment(ctx, &am.DeleteAssessmentInput{AssessmentId: &id}); err != nil {
			t.Fatal(err)
		}
		_, err = p.viewer.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || *nf.ResourceType != "assessment" || *nf.ResourceId != id {
			t.Fatalf("GetAssessment after delete: %v", err)
		}
	})
}

// withHeader sets a request header on one SDK call.
func withHeader(name, value string) func(*am.Options) {
	return func(o *am.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Build.Add(middleware.BuildMiddlewareFunc("probityHeader", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set(name, value)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.Before)
		})
	}
}

// TestAssessmentRoles: access levels first, then the assessment's roles. The owner and
// admins change everything; a delegate reviews and submits its delegated set and nothing
// else; an editor with no part and a viewer change nothing.
func TestAssessmentRoles(t *testing.T) {
	withPeople(t, func(t *testing.T, p people) {
		ctx := context.Background()
		fx := newFixture(t, p.root)
		out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := *out.Assessment.Metadata.Id
		// The owner delegates Storage to the delegate through the API.
		delegate(t, p.owner, id, fx.set1, delegateARN)
		scope := &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}}}
		review := func(c *am.Client, set string) error {
			_, err := c.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &set,
				ControlId: fx.c2.Id, ControlStatus: types.ControlStatusReviewed, CommentBody: aws.String("checked")})
			return err
		}
		setStatus := func(c *am.Client, set string, st types.ControlSetStatus) error {
			_, err := c.UpdateAssessmentControlSetStatus(ctx, &am.UpdateAssessmentControlSetStatusInput{AssessmentId: &id,
				ControlSetId: &set, Status: st, Comment: aws.String("")})
			return err
		}
		update := func(c *am.Client) error {
			_, err := c.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: &id, Scope: scope})
			return err
		}
		status := func(c *am.Client) error {
			_, err := c.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: &id, Status: types.AssessmentStatusActive})
			return err
		}
		del := func(c *am.Client) error {
			_, err := c.DeleteAssessment(ctx, &am.DeleteAssessmentInput{AssessmentId: &id})
			return err
		}
		tag := func(c *am.Client) error {
			_, err := c.TagResource(ctx, &am.TagResourceInput{ResourceArn: out.Assessment.Arn, Tags: map[string]string{"k": "v"}})
			return err
		}
		tests := []struct {
			who  string
			c    *am.Client
			op   func() error
			want string // "" for success
		}{
			{"delegate reviews its set", p.delegate, func() error { return review(p.delegate, fx.set1) }, ""},
			{"delegate submits its set", p.delegate, func() error { return setStatus(p.delegate, fx.set1, types.ControlSetStatusUnderReview) }, ""},
			{"delegate completes its set", p.delegate, func() error { return setStatus(p.delegate, fx.set1, types.ControlSetStatusReviewed) }, "AccessDeniedException"},
			{"delegate reviews another set", p.delegate, func() error { return review(p.delegate, fx.set2) }, "AccessDeniedException"},
			{"delegate submits another set", p.delegate, func() error { return setStatus(p.delegate, fx.set2, types.ControlSetStatusUnderReview) }, "AccessDeniedException"},
			{"delegate updates", p.delegate, func() error { return update(p.delegate) }, "AccessDeniedException"},
			{"delegate sets the status", p.delegate, func() error { return status(p.delegate) }, "AccessDeniedException"},
			{"delegate tags", p.delegate, func() error { return tag(p.delegate) }, "AccessDeniedException"},
			{"delegate deletes", p.delegate, func() error { return del(p.delegate) }, "AccessDeniedException"},
			{"stranger reviews", p.stranger, func() error { return review(p.stranger, fx.set1) }, "AccessDeniedException"},
			{"stranger updates", p.stranger, func() error { return update(p.stranger) }, "AccessDeniedException"},
			{"stranger deletes", p.stranger, func() error { return del(p.stranger) }, "AccessDeniedException"},
			{"viewer reviews", p.viewer, func() error { return review(p.viewer, fx.set1) }, "AccessDeniedException"},
			{"viewer updates", p.viewer, func() error { return update(p.viewer) }, "AccessDeniedException"},
			{"owner completes the set", p.owner, func() error { return setStatus(p.owner, fx.set1, types.ControlSetStatusReviewed) }, ""},
			{"owner reviews any set", p.owner, func() error { return review(p.owner, fx.set2) }, ""},
			{"admin updates", p.root, func() error { return update(p.root) }, ""},
			{"owner tags", p.owner, func() error { return tag(p.owner) }, ""},
		}
		for _, tt := range tests {
			err := tt.op()
			if tt.want == "" {
				if err != nil {
					t.Errorf("%s: %v", tt.who, err)
				}
				continue
			}
			wantAPIError(t, tt.who, err, tt.want)
		}
		got, err := p.delegate.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if got.UserRole == nil || got.UserRole.RoleType != types.RoleTypeResourceOwner {
			t.Errorf("the delegate's userRole = %+v", got.UserRole)
		}
		// Completing the set completed the delegation: the delegate can no longer review.
		d := got.Assessment.Metadata.Delegations
		if len(d) != 1 || d[0].Status != types.DelegationStatusComplete || aws.ToString(d[0].AssessmentName) != "Q3 audit" {
			t.Errorf("delegations = %+v", d)
		}
		wantAPIError(t, "delegate after completion", review(p.delegate, fx.set1), "AccessDeniedException")
		if err := del(p.owner); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAssessmentErrors: every error type of the assessment operations, and tenancy:
// another account's key sees ResourceNotFoundException for everything.
func TestAssessmentErrors(t *testing.T) {
	withPeople(t, func(t *testing.T, p people) {
		ctx := context.Background()
		fx := newFixture(t, p.root)
		out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := *out.Assessment.Metadata.Id
		missing := "0123abcd-0123-4567-89ab-0123456789ab"

		invalid := []struct {
			name  string
			edit  func(in *am.CreateAssessmentInput)
			field string
		}{
			{"empty name", func(in *am.CreateAssessmentInput) { in.Name = aws.String("") }, "name: is required"},
			{"no process owner", func(in *am.CreateAssessmentInput) {
				in.Roles = []types.Role{{RoleType: types.RoleTypeResourceOwner, RoleArn: aws.String(ownerARN)}}
			}, "roles: must include at least one PROCESS_OWNER"},
			{"bad destination", func(in *am.CreateAssessmentInput) {
				in.AssessmentReportsDestination.Destination = aws.String("ftp://x")
			}, "assessmentReportsDestination.destination"},
			{"no accounts", func(in *am.CreateAssessmentInput) { in.Scope.AwsAccounts = nil }, "scope.awsAccounts: must have at least 1 account"},
			{"bad account", func(in *am.CreateAssessmentInput) { in.Scope.AwsAccounts[0].Id = aws.String("12") }, "scope.awsAccounts[0].id: must be 12 digits"},
			{"201 accounts", func(in *am.CreateAssessmentInput) {
				in.Scope.AwsAccounts = nil
				for i := range 201 {
					in.Scope.AwsAccounts = append(in.Scope.AwsAccounts, types.AWSAccount{Id: aws.String(fmt.Sprintf("%012d", i))})
				}
			}, "scope.awsAccounts: must have at most 200 accounts"},
			{"bad framework id", func(in *am.CreateAssessmentInput) { in.FrameworkId = aws.String("nope") }, "frameworkId"},
		}
		for _, tt := range invalid {
			in := createInput(fx.frameworkID)
			tt.edit(in)
			_, err := p.owner.CreateAssessment(ctx, in)
			if msg := validationMessage(t, err); !strings.Contains(msg, tt.field) {
				t.Errorf("%s: message %q, want %q", tt.name, msg, tt.field)
			}
		}
		in := createInput(fx.frameworkID)
		in.AssessmentReportsDestination.Destination = aws.String("/var/lib/probity/reports")
		if _, err := p.owner.CreateAssessment(ctx, in); err != nil {
			t.Errorf("a local reports directory: %v", err)
		}

		var nf *types.ResourceNotFoundException
		_, err = p.owner.CreateAssessment(ctx, createInput(missing))
		if !errors.As(err, &nf) || *nf.ResourceType != "assessmentFramework" {
			t.Errorf("unknown framework: %v", err)
		}
		wantAPIError(t, "viewer creates", func() error { _, err := p.viewer.CreateAssessment(ctx, createInput(fx.frameworkID)); return err }(), "AccessDeniedException")
		wantAPIError(t, "bad status", func() error {
			_, err := p.owner.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: &id, Status: "PAUSED"})
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad control status", func() error {
			_, err := p.owner.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &fx.set1, ControlId: fx.c1.Id, ControlStatus: "DONE"})
			return err
		}(), "ValidationException")
		wantAPIError(t, "long comment", func() error {
			_, err := p.owner.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &fx.set1, ControlId: fx.c1.Id, CommentBody: aws.String(strings.Repeat("x", 501))})
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad set status", func() error {
			_, err := p.owner.UpdateAssessmentControlSetStatus(ctx, &am.UpdateAssessmentControlSetStatusInput{AssessmentId: &id, ControlSetId: &fx.set1, Status: "DONE", Comment: aws.String("")})
			return err
		}(), "ValidationException")
		wantAPIError(t, "unknown set", func() error {
			_, err := p.owner.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: aws.String("nope"), ControlId: fx.c1.Id})
			return err
		}(), "ResourceNotFoundException")
		wantAPIError(t, "unknown control", func() error {
			_, err := p.owner.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &fx.set2, ControlId: fx.c1.Id})
			return err
		}(), "ResourceNotFoundException")
		wantAPIError(t, "bad sync header", func() error {
			_, err := p.owner.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: &id, Scope: &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}}}}, withHeader(amapi.SyncFrameworkHeader, "yes"))
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad change log control id", func() error {
			_, err := p.viewer.GetChangeLogs(ctx, &am.GetChangeLogsInput{AssessmentId: &id, ControlId: aws.String("x")})
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad list token", func() error {
			_, err := p.viewer.ListAssessments(ctx, &am.ListAssessmentsInput{NextToken: aws.String("Zm9v")})
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad list status", func() error {
			_, err := p.viewer.ListAssessments(ctx, &am.ListAssessmentsInput{Status: "PAUSED"})
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad assessment id", func() error {
			_, err := p.viewer.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: aws.String("not-a-uuid")})
			return err
		}(), "ValidationException")

		// Another account sees nothing of it.
		b := p.bb
		for name, op := range map[string]func() error{
			"get": func() error { _, err := b.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id}); return err },
			"update": func() error {
				_, err := b.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: &id, Scope: &types.Scope{}})
				return err
			},
			"status": func() error {
				_, err := b.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: &id, Status: types.AssessmentStatusInactive})
				return err
			},
			"delete": func() error {
				_, err := b.DeleteAssessment(ctx, &am.DeleteAssessmentInput{AssessmentId: &id})
				return err
			},
			"changelogs": func() error { _, err := b.GetChangeLogs(ctx, &am.GetChangeLogsInput{AssessmentId: &id}); return err },
			"review": func() error {
				_, err := b.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &fx.set1, ControlId: fx.c1.Id})
				return err
			},
			"set status": func() error {
				_, err := b.UpdateAssessmentControlSetStatus(ctx, &am.UpdateAssessmentControlSetStatusInput{AssessmentId: &id, ControlSetId: &fx.set1, Status: types.ControlSetStatusReviewed, Comment: aws.String("")})
				return err
			},
			"tags": func() error {
				_, err := b.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: out.Assessment.Arn})
				return err
			},
			"framework": func() error { _, err := b.CreateAssessment(ctx, createInput(fx.frameworkID)); return err },
		} {
			wantAPIError(t, "account B "+name, op(), "ResourceNotFoundException")
		}
		list, err := b.ListAssessments(ctx, &am.ListAssessmentsInput{})
		if err != nil || len(list.AssessmentMetadata) != 0 {
			t.Errorf("account B lists %+v, %v", list, err)
		}
		if _, err := p.owner.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id}); err != nil {
			t.Errorf("account B's attempts changed A's assessment: %v", err)
		}
	})
}
