package amapi_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/secret"
)

const accountA, accountB = "111111111111", "222222222222"

// twoAccounts serves a fresh store on each backend and returns SDK clients acting for
// account A (the root key) and account B (an admin key of its own).
func twoAccounts(t *testing.T, test func(t *testing.T, a, b *am.Client)) {
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
			pb, secretB, err := km.Create(context.Background(), "account b", auth.Admin, accountB)
			if err != nil {
				t.Fatal(err)
			}
			h, err := amapi.New(amapi.Config{Library: &library.Service{Store: st}, Keys: km})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			b := am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider(pb.KeyID, secretB, "")})
			test(t, client(srv.URL, srv.Client()), b)
		})
	}
}

func wantAPIError(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: error = %v, want %s", what, err, code)
	}
}

// TestAccountsAreIsolated: account B's key can neither see nor change account A's custom
// controls and frameworks, by id, by ARN or in a listing; each account's names are its own.
func TestAccountsAreIsolated(t *testing.T) {
	twoAccounts(t, func(t *testing.T, a, b *am.Client) {
		ctx := context.Background()
		ctl, err := a.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("Shared name"),
			ControlMappingSources: []types.CreateControlMappingSource{manualSource("m")}, Tags: map[string]string{"Owner": "a"}})
		if err != nil {
			t.Fatal(err)
		}
		fw, err := a.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("A's framework"),
			ControlSets: []types.CreateAssessmentFrameworkControlSet{{Name: aws.String("set"),
				Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Control.Id}}}}})
		if err != nil {
			t.Fatal(err)
		}
		cid, fid := ctl.Control.Id, fw.Framework.Id
		carn, farn := ctl.Control.Arn, fw.Framework.Arn

		controls, err := b.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
		if err != nil || len(controls.ControlMetadataList) != 0 {
			t.Errorf("B lists %v, %v; want none of A's controls", controls.ControlMetadataList, err)
		}
		fws, err := b.ListAssessmentFrameworks(ctx, &am.ListAssessmentFrameworksInput{FrameworkType: types.FrameworkTypeCustom})
		if err != nil || len(fws.FrameworkMetadataList) != 0 {
			t.Errorf("B lists %v, %v; want none of A's frameworks", fws.FrameworkMetadataList, err)
		}
		notFound := "ResourceNotFoundException"
		_, err = b.GetControl(ctx, &am.GetControlInput{ControlId: cid})
		wantAPIError(t, "B GetControl", err, notFound)
		_, err = b.UpdateControl(ctx, &am.UpdateControlInput{ControlId: cid, Name: aws.String("taken over"),
			ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("m"), SourceType: types.SourceTypeManual}}})
		wantAPIError(t, "B UpdateControl", err, notFound)
		_, err = b.DeleteControl(ctx, &am.DeleteControlInput{ControlId: cid})
		wantAPIError(t, "B DeleteControl", err, notFound)
		_, err = b.GetAssessmentFramework(ctx, &am.GetAssessmentFrameworkInput{FrameworkId: fid})
		wantAPIError(t, "B GetAssessmentFramework", err, notFound)
		_, err = b.UpdateAssessmentFramework(ctx, &am.UpdateAssessmentFrameworkInput{FrameworkId: fid, Name: aws.String("taken over"),
			ControlSets: []types.UpdateAssessmentFrameworkControlSet{{Name: aws.String("set"),
				Controls: []types.CreateAssessmentFrameworkControl{{Id: cid}}}}})
		wantAPIError(t, "B UpdateAssessmentFramework", err, notFound)
		_, err = b.DeleteAssessmentFramework(ctx, &am.DeleteAssessmentFrameworkInput{FrameworkId: fid})
		wantAPIError(t, "B DeleteAssessmentFramework", err, notFound)
		for _, arn := range []*string{carn, farn} {
			_, err = b.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: arn})
			wantAPIError(t, "B ListTagsForResource", err, notFound)
			_, err = b.TagResource(ctx, &am.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"Owner": "b"}})
			wantAPIError(t, "B TagResource", err, notFound)
			_, err = b.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"Owner"}})
			wantAPIError(t, "B UntagResource", err, notFound)
		}
		// B's framework cannot reach A's control either.
		_, err = b.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("B's framework"),
			ControlSets: []types.CreateAssessmentFrameworkControlSet{{Name: aws.String("set"),
				Controls: []types.CreateAssessmentFrameworkControl{{Id: cid}}}}})
		wantAPIError(t, "B CreateAssessmentFramework with A's control", err, notFound)
		// The same name in another account's library is no conflict.
		if _, err := b.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("Shared name"),
			ControlMappingSources: []types.CreateControlMappingSource{manualSource("m")}}); err != nil {
			t.Errorf("B cannot use a name A uses: %v", err)
		}

		got, err := a.GetControl(ctx, &am.GetControlInput{ControlId: cid})
		if err != nil || aws.ToString(got.Control.Name) != "Shared name" || got.Control.Tags["Owner"] != "a" {
			t.Fatalf("A's control after B's attempts: %+v, %v", got, err)
		}
		if _, err := a.GetAssessmentFramework(ctx, &am.GetAssessmentFrameworkInput{FrameworkId: fid}); err != nil {
			t.Fatalf("A's framework after B's attempts: %v", err)
		}
	})
}

// TestShareCopiesIntoTheRecipient: accepting a share gives B its own copy of the framework
// and of A's custom controls, under B's ids; B changes and deletes its copies without
// touching A's originals. A second open request for the same framework and destination is
// refused.
func TestShareCopiesIntoTheRecipient(t *testing.T) {
	twoAccounts(t, func(t *testing.T, a, b *am.Client) {
		ctx := context.Background()
		ctl, err := a.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("Encrypt at rest"),
			Description: aws.String("A's wording"), ControlMappingSources: []types.CreateControlMappingSource{manualSource("m")}})
		if err != nil {
			t.Fatal(err)
		}
		fw, err := a.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("Baseline"),
			ControlSets: []types.CreateAssessmentFrameworkControlSet{{Name: aws.String("Data"),
				Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Control.Id}}}}})
		if err != nil {
			t.Fatal(err)
		}
		// B already has a control of that name: the copy must not collide with it.
		if _, err := b.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("Encrypt at rest"),
			ControlMappingSources: []types.CreateControlMappingSource{manualSource("m")}}); err != nil {
			t.Fatal(err)
		}
		share := &am.StartAssessmentFrameworkShareInput{FrameworkId: fw.Framework.Id,
			DestinationAccount: aws.String(accountB), DestinationRegion: aws.String("us-east-1")}
		req, err := a.StartAssessmentFrameworkShare(ctx, share)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.StartAssessmentFrameworkShare(ctx, share)
		wantAPIError(t, "second open share of the same framework to the same account", err, "ValidationException")

		got, err := b.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{
			RequestId: req.AssessmentFrameworkShareRequest.Id, RequestType: types.ShareRequestTypeReceived, Action: types.ShareRequestActionAccept})
		if err != nil || got.AssessmentFrameworkShareRequest.Status != types.ShareRequestStatusShared {
			t.Fatalf("B accepts: %+v, %v", got, err)
		}
		list, err := b.ListAssessmentFrameworks(ctx, &am.ListAssessmentFrameworksInput{FrameworkType: types.FrameworkTypeCustom})
		if err != nil || len(list.FrameworkMetadataList) != 1 {
			t.Fatalf("B's frameworks after accepting: %+v, %v; want its copy", list, err)
		}
		copyID := list.FrameworkMetadataList[0].Id
		if aws.ToString(copyID) == aws.ToString(fw.Framework.Id) {
			t.Fatal("B's copy has A's framework id")
		}
		copyFw, err := b.GetAssessmentFramework(ctx, &am.GetAssessmentFrameworkInput{FrameworkId: copyID})
		if err != nil {
			t.Fatal(err)
		}
		copied := copyFw.Framework.ControlSets[0].Controls[0]
		if aws.ToString(copied.Id) == aws.ToString(ctl.Control.Id) || aws.ToString(copied.Name) != "Encrypt at rest (shared by "+accountA+")" {
			t.Fatalf("B's copy of the control: id %s, name %q; want a new id and a name that does not collide", aws.ToString(copied.Id), aws.ToString(copied.Name))
		}

		_, err = b.UpdateControl(ctx, &am.UpdateControlInput{ControlId: copied.Id, Name: copied.Name,
			Description:           aws.String("B's wording"),
			ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("m"), SourceType: types.SourceTypeManual}}})
		if err != nil {
			t.Fatalf("B changes its copy: %v", err)
		}
		if _, err := b.DeleteAssessmentFramework(ctx, &am.DeleteAssessmentFrameworkInput{FrameworkId: copyID}); err != nil {
			t.Fatalf("B deletes its copy: %v", err)
		}
		orig, err := a.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Control.Id})
		if err != nil || aws.ToString(orig.Control.Description) != "A's wording" {
			t.Fatalf("A's control after B changed its copy: %+v, %v", orig, err)
		}
		if _, err := a.GetAssessmentFramework(ctx, &am.GetAssessmentFrameworkInput{FrameworkId: fw.Framework.Id}); err != nil {
			t.Fatalf("A's framework after B deleted its copy: %v", err)
		}
	})
}

// TestDeregisteredAccount: after DeregisterAccount an account may only ask its status and
// register again; other accounts are not affected.
func TestDeregisteredAccount(t *testing.T) {
	twoAccounts(t, func(t *testing.T, a, b *am.Client) {
		ctx := context.Background()
		if _, err := b.DeregisterAccount(ctx, &am.DeregisterAccountInput{}); err != nil {
			t.Fatal(err)
		}
		_, err := b.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
		wantAPIError(t, "ListControls while deregistered", err, "AccessDeniedException")
		_, err = b.GetSettings(ctx, &am.GetSettingsInput{Attribute: types.SettingAttributeAll})
		wantAPIError(t, "GetSettings while deregistered", err, "AccessDeniedException")
		st, err := b.GetAccountStatus(ctx, &am.GetAccountStatusInput{})
		if err != nil || st.Status != types.AccountStatusInactive {
			t.Fatalf("GetAccountStatus while deregistered = %+v, %v; want INACTIVE", st, err)
		}
		if _, err := a.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom}); err != nil {
			t.Fatalf("account A is affected by B's deregistration: %v", err)
		}
		reg, err := b.RegisterAccount(ctx, &am.RegisterAccountInput{})
		if err != nil || reg.Status != types.AccountStatusActive {
			t.Fatalf("RegisterAccount = %+v, %v; want ACTIVE", reg, err)
		}
		if _, err := b.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom}); err != nil {
			t.Fatalf("ListControls after registering again: %v", err)
		}
	})
}
