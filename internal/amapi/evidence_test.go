package amapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/secret"
)

// evWorld is an API with an evidence ledger (blobs in a temporary directory, S3 objects
// read from moto), its upload URLs on the same server, and the people of the assessment
// tests.
type evWorld struct {
	people
	blobs evidence.Dir
	s3    *awss3.Client
	clock *clock // the API's clock, which upload URLs expire by
}

func withEvidence(t *testing.T, test func(t *testing.T, w evWorld)) {
	moto := mototest.Start(t)
	pathStyle := func(o *awss3.Options) { o.UsePathStyle = true }
	s3c := awss3.NewFromConfig(moto.Config(), pathStyle)
	if _, err := s3c.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String("evidence-in")}); err != nil {
		t.Fatal(err)
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			st := be.open(t)
			master := make([]byte, 32)
			rand.Read(master)
			box, err := secret.NewBox(master)
			if err != nil {
				t.Fatal(err)
			}
			ledger := evidence.New(st, box)
			blobs := evidence.Dir(t.TempDir())
			ledger.Blobs = blobs
			km := &keys.Manager{Store: st, Box: box, Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: accountA}}
			clk := &clock{t: time.Now()}
			h, err := amapi.New(amapi.Config{Library: &library.Service{Store: st}, Keys: km, Ledger: ledger, Now: clk.Now,
				Objects: &evidence.S3Objects{Config: moto.ConfigFunc(), Options: pathStyle}})
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			mux.Handle("/", h)
			mux.Handle(amapi.UploadPattern, h.Uploads())
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			key := func(name string, level auth.Level, account, arn string) *am.Client {
				p, sec, err := km.CreateWithARN(context.Background(), name, level, account, arn)
				if err != nil {
					t.Fatal(err)
				}
				return am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
					Credentials: credentials.NewStaticCredentialsProvider(p.KeyID, sec, "")})
			}
			test(t, evWorld{people: people{st: st, root: client(srv.URL, srv.Client()),
				owner:    key("owner", auth.Editor, accountA, ownerARN),
				delegate: key("delegate", auth.Editor, accountA, delegateARN),
				stranger: key("stranger", auth.Editor, accountA, ""),
				viewer:   key("viewer", auth.Viewer, accountA, ""),
				bb:       key("b admin", auth.Admin, accountB, ""),
			}, blobs: blobs, s3: s3c, clock: clk})
		})
	}
}

func put(t *testing.T, url string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestManualEvidence imports manual evidence by text, S3 object and upload URL through
// the SDK, and reads it back by folder and id, with the folder's and the assessment's
// counters; the blobs hold the bytes whole under their SHA-256.
func TestManualEvidence(t *testing.T) {
	withEvidence(t, func(t *testing.T, w evWorld) {
		ctx := context.Background()
		fx := newFixture(t, w.root)
		a, err := w.root.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id, c1 := a.Assessment.Metadata.Id, fx.c1.Id
		object := []byte("bucket policy, exported\n")
		if _, err := w.s3.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("evidence-in"), Key: aws.String("q3/policy.json"),
			Body: bytes.NewReader(object)}); err != nil {
			t.Fatal(err)
		}
		up, err := w.owner.GetEvidenceFileUploadUrl(ctx, &am.GetEvidenceFileUploadUrlInput{FileName: aws.String("screenshot.png")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(*up.EvidenceFileName, "_screenshot.png") {
			t.Errorf("evidenceFileName = %q", *up.EvidenceFileName)
		}
		file := bytes.Repeat([]byte{0, 1, 2, 250}, 5000)
		if got := put(t, *up.UploadUrl, file); got != http.StatusOK {
			t.Fatalf("upload: status %d", got)
		}
		if got := put(t, *up.UploadUrl, file); got != http.StatusConflict {
			t.Errorf("second upload with the URL: status %d, want 409", got)
		}
		out, err := w.owner.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
			AssessmentId: id, ControlSetId: aws.String(fx.set1), ControlId: c1,
			ManualEvidence: []types.ManualEvidence{
				{TextResponse: aws.String("We rotate keys every 90 days.")},
				{S3ResourcePath: aws.String("s3://evidence-in/q3/policy.json")},
				{EvidenceFileName: up.EvidenceFileName},
				{S3ResourcePath: aws.String("s3://evidence-in/q3/missing.json")},
				{TextResponse: aws.String("two"), S3ResourcePath: aws.String("s3://evidence-in/q3/policy.json")},
				{EvidenceFileName: aws.String("0123abcd-0123-4567-89ab-0123456789ab_nothing.png")},
			}})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, e := range out.Errors {
			codes = append(codes, *e.ErrorCode)
		}
		if strings.Join(codes, ",") != "404,400,404" || out.Errors[0].ManualEvidence.S3ResourcePath == nil {
			t.Errorf("errors = %v (%+v)", codes, out.Errors)
		}
		// A retried call appends nothing more.
		if _, err := w.owner.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
			AssessmentId: id, ControlSetId: aws.String(fx.set1), ControlId: c1,
			ManualEvidence: []types.ManualEvidence{{TextResponse: aws.String("We rotate keys every 90 days.")},
				{S3ResourcePath: aws.String("s3://evidence-in/q3/policy.json")}, {EvidenceFileName: up.EvidenceFileName}}}); err != nil {
			t.Fatal(err)
		}

		folders, err := w.owner.GetEvidenceFoldersByAssessmentControl(ctx, &am.GetEvidenceFoldersByAssessmentControlInput{
			AssessmentId: id, ControlSetId: aws.String(fx.set1), ControlId: c1})
		if err != nil {
			t.Fatal(err)
		}
		if len(folders.EvidenceFolders) != 1 {
			t.Fatalf("folders = %d, want 1", len(folders.EvidenceFolders))
		}
		f := folders.EvidenceFolders[0]
		if f.TotalEvidence != 3 || f.EvidenceByTypeManualCount != 3 || *f.DataSource != "Manual" || *f.Author != "owner" ||
			f.EvidenceResourcesIncludedCount != 1 || !strings.HasPrefix(*f.Name, "Manual ") {
			t.Errorf("folder = %+v", f)
		}
		ev, err := w.owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id,
			ControlSetId: aws.String(fx.set1), EvidenceFolderId: f.Id, MaxResults: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Evidence) != 2 || ev.NextToken == nil {
			t.Fatalf("first page: %d evidence, token %v", len(ev.Evidence), ev.NextToken)
		}
		rest, err := w.owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id,
			ControlSetId: aws.String(fx.set1), EvidenceFolderId: f.Id, MaxResults: aws.Int32(2), NextToken: ev.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		all := append(ev.Evidence, rest.Evidence...)
		want := []string{sha([]byte("We rotate keys every 90 days.")), sha(object), sha(file)}
		if len(all) != 3 || rest.NextToken != nil {
			t.Fatalf("evidence = %d, next %v", len(all), rest.NextToken)
		}
		for i, e := range all {
			if e.Attributes["sha256"] != want[i] || *e.EvidenceByType != "Manual" || *e.IamId != ownerARN || *e.EvidenceFolderId != *f.Id {
				t.Errorf("evidence %d = %+v", i, e)
			}
			r, err := w.blobs.Open(ctx, want[i])
			if err != nil {
				t.Fatalf("blob %d: %v", i, err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			if sha(b) != want[i] {
				t.Errorf("blob %d holds other bytes", i)
			}
		}
		one, err := w.owner.GetEvidence(ctx, &am.GetEvidenceInput{AssessmentId: id, ControlSetId: aws.String(fx.set1),
			EvidenceFolderId: f.Id, EvidenceId: all[2].Id})
		if err != nil {
			t.Fatal(err)
		}
		if one.Evidence.Attributes["fileName"] != "screenshot.png" {
			t.Errorf("GetEvidence = %+v", one.Evidence)
		}
		got, err := w.owner.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: id})
		if err != nil {
			t.Fatal(err)
		}
		set := got.Assessment.Framework.ControlSets[0]
		ctl := set.Controls[0]
		if set.ManualEvidenceCount != 3 || set.SystemEvidenceCount != 0 || ctl.EvidenceCount != 3 ||
			strings.Join(ctl.EvidenceSources, ",") != "Manual" || got.Assessment.Framework.ControlSets[1].ManualEvidenceCount != 0 {
			t.Errorf("counters: set %d/%d, control %d %v", set.ManualEvidenceCount, set.SystemEvidenceCount, ctl.EvidenceCount, ctl.EvidenceSources)
		}
		all2, err := w.root.GetEvidenceFoldersByAssessment(ctx, &am.GetEvidenceFoldersByAssessmentInput{AssessmentId: id})
		if err != nil || len(all2.EvidenceFolders) != 1 {
			t.Errorf("GetEvidenceFoldersByAssessment = %v, %v", all2, err)
		}
		one2, err := w.owner.GetEvidenceFolder(ctx, &am.GetEvidenceFolderInput{AssessmentId: id, ControlSetId: aws.String(fx.set1), EvidenceFolderId: f.Id})
		if err != nil || one2.EvidenceFolder.TotalEvidence != 3 {
			t.Errorf("GetEvidenceFolder = %v, %v", one2, err)
		}
	})
}

// TestEvidenceAccess: who may read and import evidence, and what other accounts and
// wrong paths get.
func TestEvidenceAccess(t *testing.T) {
	withEvidence(t, func(t *testing.T, w evWorld) {
		ctx := context.Background()
		fx := newFixture(t, w.root)
		a, err := w.root.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := a.Assessment.Metadata.Id
		delegate(t, w.root, *id, fx.set2, delegateARN)
		imp := func(c *am.Client, set string) error {
			_, err := c.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
				AssessmentId: id, ControlSetId: aws.String(set), ControlId: fx.c2.Id,
				ManualEvidence: []types.ManualEvidence{{TextResponse: aws.String("text from " + set)}}})
			return err
		}
		if err := imp(w.delegate, fx.set2); err != nil {
			t.Fatalf("delegate imports into its set: %v", err)
		}
		if err := imp(w.owner, fx.set1); err != nil {
			t.Fatalf("owner imports: %v", err)
		}
		wantAPIError(t, "delegate imports into another set", imp(w.delegate, fx.set1), "AccessDeniedException")
		wantAPIError(t, "stranger imports", imp(w.stranger, fx.set1), "AccessDeniedException")
		wantAPIError(t, "viewer imports", imp(w.viewer, fx.set1), "AccessDeniedException")
		wantAPIError(t, "other account imports", imp(w.bb, fx.set1), "ResourceNotFoundException")
		wantAPIError(t, "unknown control set", imp(w.owner, "nope"), "ResourceNotFoundException")

		list := func(c *am.Client) (int, error) {
			out, err := c.GetEvidenceFoldersByAssessment(ctx, &am.GetEvidenceFoldersByAssessmentInput{AssessmentId: id})
			if err != nil {
				return 0, err
			}
			return len(out.EvidenceFolders), nil
		}
		if n, err := list(w.owner); n != 2 || err != nil {
			t.Errorf("owner sees %d folders, %v; want 2", n, err)
		}
		if n, err := list(w.delegate); n != 1 || err != nil {
			t.Errorf("delegate sees %d folders, %v; want 1 (its set's)", n, err)
		}
		_, err = list(w.stranger)
		wantAPIError(t, "stranger lists", err, "AccessDeniedException")
		_, err = list(w.bb)
		wantAPIError(t, "other account lists", err, "ResourceNotFoundException")

		byControl := func(c *am.Client, set string) (*am.GetEvidenceFoldersByAssessmentControlOutput, error) {
			return c.GetEvidenceFoldersByAssessmentControl(ctx, &am.GetEvidenceFoldersByAssessmentControlInput{
				AssessmentId: id, ControlSetId: aws.String(set), ControlId: fx.c2.Id})
		}
		f1, err := byControl(w.owner, fx.set1)
		if err != nil || len(f1.EvidenceFolders) != 1 {
			t.Fatalf("owner's folders of set1 = %v, %v", f1, err)
		}
		_, err = byControl(w.delegate, fx.set1)
		wantAPIError(t, "delegate reads another set", err, "AccessDeniedException")
		_, err = w.owner.GetEvidenceFoldersByAssessmentControl(ctx, &am.GetEvidenceFoldersByAssessmentControlInput{
			AssessmentId: id, ControlSetId: aws.String(fx.set2), ControlId: fx.c1.Id})
		wantAPIError(t, "control not in the set", err, "ResourceNotFoundException")
		folder := f1.EvidenceFolders[0].Id
		_, err = w.owner.GetEvidenceFolder(ctx, &am.GetEvidenceFolderInput{AssessmentId: id, ControlSetId: aws.String(fx.set2), EvidenceFolderId: folder})
		wantAPIError(t, "folder under another set", err, "ResourceNotFoundException")
		_, err = w.bb.GetEvidenceFolder(ctx, &am.GetEvidenceFolderInput{AssessmentId: id, ControlSetId: aws.String(fx.set1), EvidenceFolderId: folder})
		wantAPIError(t, "other account's folder", err, "ResourceNotFoundException")
		ev, err := w.owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id,
			ControlSetId: aws.String(fx.set1), EvidenceFolderId: folder})
		if err != nil || len(ev.Evidence) != 1 {
			t.Fatalf("evidence = %v, %v", ev, err)
		}
		_, err = w.owner.GetEvidence(ctx, &am.GetEvidenceInput{AssessmentId: id, ControlSetId: aws.String(fx.set1),
			EvidenceFolderId: aws.String("0123abcd-0123-4567-89ab-0123456789ab"), EvidenceId: ev.Evidence[0].Id})
		wantAPIError(t, "evidence under another folder", err, "ResourceNotFoundException")
		_, err = w.bb.GetEvidence(ctx, &am.GetEvidenceInput{AssessmentId: id, ControlSetId: aws.String(fx.set1),
			EvidenceFolderId: folder, EvidenceId: ev.Evidence[0].Id})
		wantAPIError(t, "other account's evidence", err, "ResourceNotFoundException")
		_, err = w.owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id,
			ControlSetId: aws.String(fx.set1), EvidenceFolderId: folder, NextToken: aws.String("bm9wZQ==")})
		wantAPIError(t, "forged token", err, "ValidationException")

		// An upload belongs to the account that asked for its URL.
		up, err := w.bb.GetEvidenceFileUploadUrl(ctx, &am.GetEvidenceFileUploadUrlInput{FileName: aws.String("b.txt")})
		if err != nil {
			t.Fatal(err)
		}
		if got := put(t, *up.UploadUrl, []byte("account b's file")); got != http.StatusOK {
			t.Fatalf("upload: %d", got)
		}
		out, err := w.owner.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
			AssessmentId: id, ControlSetId: aws.String(fx.set1), ControlId: fx.c2.Id,
			ManualEvidence: []types.ManualEvidence{{EvidenceFileName: up.EvidenceFileName}}})
		if err != nil || len(out.Errors) != 1 || *out.Errors[0].ErrorCode != "404" {
			t.Errorf("importing another account's upload: %+v, %v", out, err)
		}
		_, err = w.viewer.GetEvidenceFileUploadUrl(ctx, &am.GetEvidenceFileUploadUrlInput{FileName: aws.String("v.txt")})
		wantAPIError(t, "viewer asks for an upload URL", err, "AccessDeniedException")
		for _, name := range []string{"a/b.txt", strings.Repeat("x", 301)} {
			_, err = w.owner.GetEvidenceFileUploadUrl(ctx, &am.GetEvidenceFileUploadUrlInput{FileName: aws.String(name)})
			wantAPIError(t, "file name "+name[:3], err, "ValidationException")
		}

		// INACTIVE: no more imports; the status change signs a checkpoint of the chain.
		if _, err := w.owner.UpdateAssessmentStatus(ctx, &am.UpdateAssessmentStatusInput{AssessmentId: id, Status: types.AssessmentStatusInactive}); err != nil {
			t.Fatal(err)
		}
		wantAPIError(t, "import into an INACTIVE assessment", imp(w.owner, fx.set1), "ValidationException")
		cps, err := w.st.EvidenceCheckpoints(ctx, accountA, *id)
		if err != nil || len(cps) != 1 || cps[0].Reason != "status INACTIVE" || cps[0].Seq != 2 {
			t.Errorf("checkpoints = %+v, %v; want one at 2 for the status", cps, err)
		}
	})
}

// TestUploadURL: the token is the credential; it expires, is used once and takes at most
// 100 MB, refused by its Content-Length before the body is read.
func TestUploadURL(t *testing.T) {
	withEvidence(t, func(t *testing.T, w evWorld) {
		ctx := context.Background()
		up, err := w.owner.GetEvidenceFileUploadUrl(ctx, &am.GetEvidenceFileUploadUrlInput{FileName: aws.String("big.bin")})
		if err != nil {
			t.Fatal(err)
		}
		url := *up.UploadUrl
		// A body that claims more than 100 MB is refused before it is read.
		req, _ := http.NewRequest(http.MethodPut, url, io.LimitReader(zeroReader{}, assess.MaxEvidenceFileBytes+1))
		req.ContentLength = assess.MaxEvidenceFileBytes + 1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized upload: %d, want 413", resp.StatusCode)
		}
		i := strings.LastIndex(url, "/")
		tok := []byte(url[i+1:])
		tok[len(tok)/2] ^= 1
		for name, u := range map[string]string{
			"altered token": url[:i+1] + string(tok),
			"no token":      url[:i+1] + "x",
		} {
			if got := put(t, u, []byte("x")); got != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, got)
			}
		}
		if got := put(t, url, []byte("small")); got != http.StatusOK {
			t.Errorf("upload after refusals: %d", got)
		}
		late, err := w.owner.GetEvidenceFileUploadUrl(ctx, &am.GetEvidenceFileUploadUrlInput{FileName: aws.String("late.bin")})
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Add(amapi.UploadTTL)
		if got := put(t, *late.UploadUrl, []byte("late")); got != http.StatusForbidden {
			t.Errorf("expired URL: %d, want 403", got)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
