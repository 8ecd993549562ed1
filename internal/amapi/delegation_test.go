package amapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/sns"
	"github.com/probity-dev/probity/internal/store"
)

// delegate has c delegate the control set of the assessment to arn, and returns the
// delegation's id.
func delegate(t *testing.T, c *am.Client, assessmentID, set, arn string) string {
	t.Helper()
	out, err := c.BatchCreateDelegationByAssessment(context.Background(), &am.BatchCreateDelegationByAssessmentInput{
		AssessmentId: &assessmentID, CreateDelegationRequests: []types.CreateDelegationRequest{
			{ControlSetId: &set, RoleArn: &arn, RoleType: types.RoleTypeResourceOwner, Comment: aws.String("please review")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 0 || len(out.Delegations) != 1 {
		t.Fatalf("delegate %s to %s: delegations %+v, errors %+v", set, arn, out.Delegations, out.Errors)
	}
	return *out.Delegations[0].Id
}

// TestDelegationBatches: each item of a batch stands alone, with the model's errorCode
// and errorMessage; the whole call fails only for the assessment, the caller or the
// batch's size.
func TestDelegationBatches(t *testing.T) {
	withPeople(t, func(t *testing.T, p people) {
		ctx := context.Background()
		fx := newFixture(t, p.root)
		out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := *out.Assessment.Metadata.Id
		req := func(set, arn string, rt types.RoleType, comment string) types.CreateDelegationRequest {
			return types.CreateDelegationRequest{ControlSetId: aws.String(set), RoleArn: aws.String(arn), RoleType: rt, Comment: aws.String(comment)}
		}
		items := []struct {
			name string
			req  types.CreateDelegationRequest
			code string // "" for made
			msg  string
		}{
			{"a role", req(fx.set1, delegateARN, types.RoleTypeResourceOwner, "yours"), "", ""},
			{"a user", req(fx.set2, "arn:aws:iam::111111111111:user/alice", types.RoleTypeResourceOwner, ""), "", ""},
			{"the same again", req(fx.set1, delegateARN, types.RoleTypeResourceOwner, ""), "400", "already delegated"},
			{"a group", req(fx.set1, "arn:aws:iam::111111111111:group/auditors", types.RoleTypeResourceOwner, ""), "400", "roleArn: must be arn:aws:iam::ACCOUNT:role/NAME"},
			{"not an ARN", req(fx.set1, "Delegate", types.RoleTypeResourceOwner, ""), "400", "roleArn"},
			{"another account", req(fx.set1, "arn:aws:iam::222222222222:role/Delegate", types.RoleTypeResourceOwner, ""), "400", "names account 222222222222"},
			{"a process owner", req(fx.set1, "arn:aws:iam::111111111111:role/Other", types.RoleTypeProcessOwner, ""), "400", "roleType: must be RESOURCE_OWNER"},
			{"no role type", req(fx.set1, "arn:aws:iam::111111111111:role/Other", "", ""), "400", "roleType: is required"},
			{"unknown set", req("Nope", delegateARN, types.RoleTypeResourceOwner, ""), "404", "controlSet Nope"},
			{"no set", req("", delegateARN, types.RoleTypeResourceOwner, ""), "400", "controlSetId: is required"},
			{"long comment", req(fx.set2, delegateARN, types.RoleTypeResourceOwner, strings.Repeat("é", 351)), "400", "comment: must be at most 350"},
		}
		in := &am.BatchCreateDelegationByAssessmentInput{AssessmentId: &id}
		for _, it := range items {
			in.CreateDelegationRequests = append(in.CreateDelegationRequests, it.req)
		}
		got, err := p.owner.BatchCreateDelegationByAssessment(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Delegations) != 2 || *got.Delegations[0].RoleArn != delegateARN || *got.Delegations[0].ControlSetId != fx.set1 ||
			got.Delegations[0].Status != types.DelegationStatusInProgress || got.Delegations[0].RoleType != types.RoleTypeResourceOwner ||
			*got.Delegations[0].Comment != "yours" || *got.Delegations[0].CreatedBy != ownerARN || *got.Delegations[0].AssessmentName != "Q3 audit" {
			t.Fatalf("delegations = %+v", got.Delegations)
		}
		var failed []types.BatchCreateDelegationByAssessmentError
		for _, it := range items {
			if it.code != "" {
				failed = append(failed, types.BatchCreateDelegationByAssessmentError{CreateDelegationRequest: &it.req})
			}
		}
		if len(got.Errors) != len(failed) {
			t.Fatalf("%d errors, want %d: %+v", len(got.Errors), len(failed), got.Errors)
		}
		k := 0
		for _, it := range items {
			if it.code == "" {
				continue
			}
			e := got.Errors[k]
			k++
			if *e.ErrorCode != it.code || !strings.Contains(*e.ErrorMessage, it.msg) || utf8.RuneCountInString(*e.ErrorMessage) > 300 ||
				aws.ToString(e.CreateDelegationRequest.RoleArn) != *it.req.RoleArn || aws.ToString(e.CreateDelegationRequest.ControlSetId) != *it.req.ControlSetId {
				t.Errorf("%s: error %s %q for %+v, want %s %q", it.name, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage),
					e.CreateDelegationRequest, it.code, it.msg)
			}
		}

		// Deletion: per id, too.
		missing := "0123abcd-0123-4567-89ab-0123456789ab"
		del, err := p.owner.BatchDeleteDelegationByAssessment(ctx, &am.BatchDeleteDelegationByAssessmentInput{AssessmentId: &id,
			DelegationIds: []string{*got.Delegations[1].Id, missing, "not-a-uuid"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(del.Errors) != 2 || *del.Errors[0].DelegationId != missing || *del.Errors[0].ErrorCode != "404" ||
			*del.Errors[1].DelegationId != "not-a-uuid" || *del.Errors[1].ErrorCode != "400" {
			t.Errorf("delete errors = %+v", del.Errors)
		}
		a, err := p.viewer.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if d := a.Assessment.Metadata.Delegations; len(d) != 1 || *d[0].Id != *got.Delegations[0].Id {
			t.Errorf("after deleting one of two: %+v", d)
		}

		// Whole-call failures.
		one := []types.CreateDelegationRequest{req(fx.set2, delegateARN, types.RoleTypeResourceOwner, "")}
		create := func(c *am.Client, aid string, reqs []types.CreateDelegationRequest) error {
			_, err := c.BatchCreateDelegationByAssessment(ctx, &am.BatchCreateDelegationByAssessmentInput{AssessmentId: &aid, CreateDelegationRequests: reqs})
			return err
		}
		deleteIDs := func(c *am.Client, aid string, ids []string) error {
			_, err := c.BatchDeleteDelegationByAssessment(ctx, &am.BatchDeleteDelegationByAssessmentInput{AssessmentId: &aid, DelegationIds: ids})
			return err
		}
		var many []types.CreateDelegationRequest
		var manyIDs []string
		for i := range 51 {
			many = append(many, req(fx.set2, fmt.Sprintf("arn:aws:iam::111111111111:role/R%d", i), types.RoleTypeResourceOwner, ""))
			manyIDs = append(manyIDs, missing)
		}
		dID := *got.Delegations[0].Id
		for _, tt := range []struct {
			name string
			err  error
			want string
		}{
			{"the delegate delegates", create(p.delegate, id, one), "AccessDeniedException"},
			{"a stranger delegates", create(p.stranger, id, one), "AccessDeniedException"},
			{"a viewer delegates", create(p.viewer, id, one), "AccessDeniedException"},
			{"the delegate deletes", deleteIDs(p.delegate, id, []string{dID}), "AccessDeniedException"},
			{"account B delegates", create(p.bb, id, one), "ResourceNotFoundException"},
			{"account B deletes", deleteIDs(p.bb, id, []string{dID}), "ResourceNotFoundException"},
			{"unknown assessment", create(p.owner, missing, one), "ResourceNotFoundException"},
			{"bad assessment id", create(p.owner, "nope", one), "ValidationException"},
			{"no requests", create(p.owner, id, []types.CreateDelegationRequest{}), "ValidationException"},
			{"51 requests", create(p.owner, id, many), "ValidationException"},
			{"no ids", deleteIDs(p.owner, id, []string{}), "ValidationException"},
			{"51 ids", deleteIDs(p.owner, id, manyIDs), "ValidationException"},
		} {
			wantAPIError(t, tt.name, tt.err, tt.want)
		}
		if err := create(p.root, id, one); err != nil {
			t.Errorf("an admin delegates: %v", err)
		}
		if _, err := p.owner.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: &id, Status: types.AssessmentStatusInactive}); err != nil {
			t.Fatal(err)
		}
		wantAPIError(t, "delegation of an INACTIVE assessment", create(p.owner, id, []types.CreateDelegationRequest{
			req(fx.set1, "arn:aws:iam::111111111111:role/Late", types.RoleTypeResourceOwner, "")}), "ValidationException")
		wantAPIError(t, "deletion in an INACTIVE assessment", deleteIDs(p.owner, id, []string{dID}), "ValidationException")
	})
}

// TestDelegationFlow: a delegation made through the API gives the delegate exactly the
// rights of a RESOURCE_OWNER on its set; it submits, the owner completes; every step is
// in the change log, in GetDelegations and in each side's ListNotifications; deleting a
// delegation takes its rights away.
func TestDelegationFlow(t *testing.T) {
	withPeople(t, func(t *testing.T, p people) {
		ctx := context.Background()
		fx := newFixture(t, p.root)
		out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := *out.Assessment.Metadata.Id
		review := func(set string) error {
			_, err := p.delegate.UpdateAssessmentControl(ctx, &am.UpdateAssessmentControlInput{AssessmentId: &id, ControlSetId: &set,
				ControlId: fx.c2.Id, ControlStatus: types.ControlStatusReviewed, CommentBody: aws.String("checked by the delegate")})
			return err
		}
		setStatus := func(c *am.Client, set string, st types.ControlSetStatus) error {
			_, err := c.UpdateAssessmentControlSetStatus(ctx, &am.UpdateAssessmentControlSetStatusInput{AssessmentId: &id,
				ControlSetId: &set, Status: st, Comment: aws.String("see comments")})
			return err
		}

		// Before any delegation, the delegate may do nothing.
		wantAPIError(t, "review before the delegation", review(fx.set1), "AccessDeniedException")
		d1 := delegate(t, p.owner, id, fx.set1, delegateARN)
		list, err := p.delegate.GetDelegations(ctx, &am.GetDelegationsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Delegations) != 1 || *list.Delegations[0].Id != d1 || *list.Delegations[0].AssessmentId != id ||
			*list.Delegations[0].AssessmentName != "Q3 audit" || *list.Delegations[0].ControlSetName != "Storage" ||
			list.Delegations[0].Status != types.DelegationStatusInProgress || *list.Delegations[0].RoleArn != delegateARN ||
			list.Delegations[0].CreationTime == nil {
			t.Fatalf("the delegate's delegations = %+v", list.Delegations)
		}
		if other, err := p.stranger.GetDelegations(ctx, &am.GetDelegationsInput{}); err != nil || len(other.Delegations) != 0 {
			t.Errorf("a stranger's delegations = %+v, %v", other, err)
		}

		// Exactly a resource owner's rights on its set.
		if err := review(fx.set1); err != nil {
			t.Errorf("the delegate reviews its set: %v", err)
		}
		wantAPIError(t, "the delegate reviews the other set", review(fx.set2), "AccessDeniedException")
		wantAPIError(t, "the delegate completes its set", setStatus(p.delegate, fx.set1, types.ControlSetStatusReviewed), "AccessDeniedException")
		if err := setStatus(p.delegate, fx.set1, types.ControlSetStatusUnderReview); err != nil {
			t.Fatalf("the delegate submits: %v", err)
		}
		a, err := p.viewer.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if d := a.Assessment.Metadata.Delegations; len(d) != 1 || d[0].Status != types.DelegationStatusUnderReview || *d[0].Comment != "see comments" {
			t.Errorf("after the submission: %+v", d)
		}
		if err := setStatus(p.owner, fx.set1, types.ControlSetStatusReviewed); err != nil {
			t.Fatalf("the owner completes: %v", err)
		}
		list, err = p.delegate.GetDelegations(ctx, &am.GetDelegationsInput{})
		if err != nil || len(list.Delegations) != 1 || list.Delegations[0].Status != types.DelegationStatusComplete {
			t.Fatalf("after completion: %+v, %v", list, err)
		}
		wantAPIError(t, "review after completion", review(fx.set1), "AccessDeniedException")

		// A second delegation, deleted: its rights go with it.
		d2 := delegate(t, p.owner, id, fx.set2, delegateARN)
		if err := review(fx.set2); err != nil {
			t.Errorf("the delegate reviews its second set: %v", err)
		}
		del, err := p.owner.BatchDeleteDelegationByAssessment(ctx, &am.BatchDeleteDelegationByAssessmentInput{AssessmentId: &id, DelegationIds: []string{d2}})
		if err != nil || len(del.Errors) != 0 {
			t.Fatalf("delete: %+v, %v", del, err)
		}
		wantAPIError(t, "review after deletion", review(fx.set2), "AccessDeniedException")
		wantAPIError(t, "submit after deletion", setStatus(p.delegate, fx.set2, types.ControlSetStatusUnderReview), "AccessDeniedException")
		if list, _ := p.delegate.GetDelegations(ctx, &am.GetDelegationsInput{}); len(list.Delegations) != 1 {
			t.Errorf("after deletion the delegate has %+v", list.Delegations)
		}

		// The change log has every delegation event, by whom it was made.
		logs, err := p.viewer.GetChangeLogs(ctx, &am.GetChangeLogsInput{AssessmentId: &id})
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, l := range logs.ChangeLogs {
			if l.ObjectType == types.ObjectTypeEnumDelegation {
				seen = append(seen, fmt.Sprintf("%s %s %s", l.Action, *l.ObjectName, *l.CreatedBy))
			}
		}
		want := []string{"CREATE Storage " + ownerARN, "UNDER_REVIEW Storage " + delegateARN, "REVIEWED Storage " + ownerARN,
			"CREATE Governance " + ownerARN, "DELETE Governance " + ownerARN}
		if strings.Join(seen, "|") != strings.Join(want, "|") {
			t.Errorf("delegation change logs = %q, want %q", seen, want)
		}

		// Notifications: the delegate and the owner each see the five events; others none.
		notes := func(c *am.Client) []types.Notification {
			t.Helper()
			var all []types.Notification
			pg := am.NewListNotificationsPaginator(c, &am.ListNotificationsInput{MaxResults: aws.Int32(2)})
			for pg.HasMorePages() {
				page, err := pg.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, page.Notifications...)
			}
			return all
		}
		for name, c := range map[string]*am.Client{"delegate": p.delegate, "owner": p.owner} {
			got := notes(c)
			if len(got) != 5 {
				t.Errorf("the %s has %d notifications, want 5: %+v", name, len(got), got)
				continue
			}
			var texts []string
			for _, n := range got {
				if *n.AssessmentId != id || *n.AssessmentName != "Q3 audit" || n.ControlSetId == nil || n.ControlSetName == nil ||
					n.EventTime == nil || *n.Source != "Delegation" {
					t.Errorf("the %s's notification %+v", name, n)
				}
				texts = append(texts, *n.ControlSetName+": "+*n.Description)
			}
			sort.Strings(texts)
			for _, w := range []string{"Storage: Control set Storage of assessment Q3 audit was delegated to " + delegateARN,
				"Governance: The delegation of control set Governance", "completed the review", "submitted control set Storage"} {
				if !strings.Contains(strings.Join(texts, "\n"), w) {
					t.Errorf("the %s's notifications lack %q: %q", name, w, texts)
				}
			}
		}
		if got := notes(p.stranger); len(got) != 0 {
			t.Errorf("a stranger sees %d notifications", len(got))
		}
		if got := notes(p.root); len(got) != 10 {
			t.Errorf("the admin sees %d notifications, want the 10 of the account", len(got))
		}
		if got := notes(p.bb); len(got) != 0 {
			t.Errorf("account B sees %d notifications", len(got))
		}
	})
}

// TestGetDelegationsPages lists the delegations to the caller across assessments, in
// pages.
func TestGetDelegationsPages(t *testing.T) {
	withPeople(t, func(t *testing.T, p people) {
		ctx := context.Background()
		fx := newFixture(t, p.root)
		var want []string
		for range 2 {
			out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
			if err != nil {
				t.Fatal(err)
			}
			id := *out.Assessment.Metadata.Id
			want = append(want, delegate(t, p.owner, id, fx.set1, delegateARN), delegate(t, p.owner, id, fx.set2, delegateARN))
			delegate(t, p.owner, id, fx.set1, "arn:aws:iam::111111111111:role/Someone")
		}
		var got []string
		pg := am.NewGetDelegationsPaginator(p.delegate, &am.GetDelegationsInput{MaxResults: aws.Int32(1)})
		pages := 0
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, d := range page.Delegations {
				got = append(got, *d.Id)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") || pages < 4 {
			t.Errorf("listed %v in %d pages, want %v", got, pages, want)
		}
		wantAPIError(t, "bad token", func() error {
			_, err := p.delegate.GetDelegations(ctx, &am.GetDelegationsInput{NextToken: aws.String("Zm9v")})
			return err
		}(), "ValidationException")
		wantAPIError(t, "bad maxResults", func() error {
			_, err := p.delegate.GetDelegations(ctx, &am.GetDelegationsInput{MaxResults: aws.Int32(1001)})
			return err
		}(), "ValidationException")
	})
}

// TestDelegationSNS: with snsTopic set in the account's settings, delegation events also
// go to that topic (moto's SNS, read back through an SQS subscription).
func TestDelegationSNS(t *testing.T) {
	m := mototest.Start(t)
	ctx := context.Background()
	cfg := m.Config()
	topic, err := awssns.NewFromConfig(cfg).CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("delegations")})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awssns.NewFromConfig(cfg).Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:" + mototest.Region + ":123456789012:inbox")}); err != nil {
		t.Fatal(err)
	}
	pctx, stop := context.WithCancel(ctx)
	pub := sns.NewPublisher(func(context.Context, string) (aws.Config, error) { return cfg, nil }, notify.DispatchOptions{})
	pub.Start(pctx)
	t.Cleanup(func() {
		stop()
		if err := pub.Wait(ctx); err != nil {
			t.Error(err)
		}
	})
	service := func(st store.Store) *assess.Service { return &assess.Service{Store: st, Publisher: pub} }
	withPeopleOn(t, service, func(t *testing.T, p people) {
		fx := newFixture(t, p.root)
		out, err := p.owner.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := *out.Assessment.Metadata.Id
		// Without a topic, nothing is published; then the admin sets one.
		delegate(t, p.owner, id, fx.set2, "arn:aws:iam::111111111111:role/Before")
		if _, err := p.root.UpdateSettings(ctx, &am.UpdateSettingsInput{SnsTopic: topic.TopicArn}); err != nil {
			t.Fatal(err)
		}
		delegate(t, p.owner, id, fx.set1, delegateARN)
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) != 1 {
			t.Fatalf("%d messages, want 1", len(got.Messages))
		}
		var env struct{ Subject, Message string }
		if err := json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &env); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(env.Subject, "Control set Storage of assessment Q3 audit was delegated") ||
			!strings.Contains(env.Message, "assessmentId: "+id) || !strings.Contains(env.Message, "controlSetName: Storage") ||
			!strings.Contains(env.Message, delegateARN) {
			t.Errorf("published subject %q message %q", env.Subject, env.Message)
		}
		if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queue.QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.root.UpdateSettings(ctx, &am.UpdateSettingsInput{SnsTopic: aws.String("NONE")}); err != nil {
			t.Fatal(err)
		}
	})
}
