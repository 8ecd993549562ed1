package amapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// TestAssessmentReports selects evidence by folder and by item, creates reports (the
// selection, and a query) that a real River runner generates on the same database,
// waits for COMPLETE, downloads through the link Probity serves for a local destination,
// verifies the zip offline, validates it through the API, then tampers with it; and what
// bad input, other callers and deletion get. Both backends.
func TestAssessmentReports(t *testing.T) {
	for _, be := range []struct{ name string }{{"sqlite"}, {"postgres"}} {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			env := newReportEnv(t, be.name, nil)
			st, rkeys, km, h := env.st, env.rkeys, env.km, env.h
			mux := http.NewServeMux()
			mux.Handle("/", h)
			mux.Handle(amapi.ReportPattern, h.ReportLinks())
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			key := func(name string, level auth.Level, account, arn string) *am.Client {
				p, sec, err := km.CreateWithARN(ctx, name, level, account, arn)
				if err != nil {
					t.Fatal(err)
				}
				return am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
					Credentials: credentials.NewStaticCredentialsProvider(p.KeyID, sec, "")})
			}
			root := client(srv.URL, srv.Client())
			owner := key("owner", auth.Editor, accountA, ownerARN)
			del := key("delegate", auth.Editor, accountA, delegateARN)
			bb := key("b admin", auth.Admin, accountB, "")

			fx := newFixture(t, root)
			a, err := root.CreateAssessment(ctx, createInput(fx.frameworkID))
			if err != nil {
				t.Fatal(err)
			}
			id := a.Assessment.Metadata.Id
			dest := t.TempDir()
			if _, err := owner.UpdateAssessment(ctx, &am.UpdateAssessmentInput{AssessmentId: id,
				Scope:                        &types.Scope{AwsAccounts: []types.AWSAccount{{Id: aws.String(accountA)}}},
				AssessmentReportsDestination: &types.AssessmentReportsDestination{DestinationType: types.AssessmentReportDestinationTypeS3, Destination: aws.String(dest)}}); err != nil {
				t.Fatal(err)
			}
			delegate(t, root, *id, fx.set2, delegateARN)
			for _, set := range []string{fx.set1, fx.set2} {
				if _, err := owner.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
					AssessmentId: id, ControlSetId: aws.String(set), ControlId: fx.c2.Id,
					ManualEvidence: []types.ManualEvidence{{TextResponse: aws.String("policy of " + set)}, {TextResponse: aws.String("review of " + set)}}}); err != nil {
					t.Fatal(err)
				}
			}
			folders, err := owner.GetEvidenceFoldersByAssessment(ctx, &am.GetEvidenceFoldersByAssessmentInput{AssessmentId: id})
			if err != nil || len(folders.EvidenceFolders) != 2 {
				t.Fatalf("folders: %v, %v", folders, err)
			}
			var f1, f2 types.AssessmentEvidenceFolder
			for _, f := range folders.EvidenceFolders {
				if *f.ControlSetId == fx.set1 {
					f1 = f
				} else {
					f2 = f
				}
			}
			// By folder (set 1), by item (one of set 2's, by its delegate).
			if _, err := owner.AssociateAssessmentReportEvidenceFolder(ctx, &am.AssociateAssessmentReportEvidenceFolderInput{AssessmentId: id, EvidenceFolderId: f1.Id}); err != nil {
				t.Fatal(err)
			}
			ev2, err := owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id, ControlSetId: aws.String(fx.set2), EvidenceFolderId: f2.Id})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := del.BatchAssociateAssessmentReportEvidence(ctx, &am.BatchAssociateAssessmentReportEvidenceInput{AssessmentId: id,
				EvidenceFolderId: f2.Id, EvidenceIds: []string{*ev2.Evidence[0].Id}}); err != nil {
				t.Fatal(err)
			}

			created, err := owner.CreateAssessmentReport(ctx, &am.CreateAssessmentReportInput{AssessmentId: id, Name: aws.String("q3-report"),
				Description: aws.String("for the auditors")})
			if err != nil {
				t.Fatal(err)
			}
			if r := created.AssessmentReport; *r.AwsAccountId != accountA || *r.AssessmentName == "" || *r.Author != "owner" {
				t.Errorf("created = %+v", r)
			}
			queried, err := owner.CreateAssessmentReport(ctx, &am.CreateAssessmentReportInput{AssessmentId: id, Name: aws.String("by-query"),
				QueryStatement: aws.String("SELECT * FROM evidence WHERE controlSetId = '" + fx.set2 + "'")})
			if err != nil {
				t.Fatal(err)
			}
			wantFiles := map[string]int{*created.AssessmentReport.Id: 3, *queried.AssessmentReport.Id: 2}
			for rid, n := range wantFiles {
				rep := waitReport(t, st, rid)
				if rep.Status != store.ReportComplete {
					t.Fatalf("report %s: %s (%s)", rid, rep.Status, rep.Reason)
				}
				// A report holds every set's evidence: its delegate of one set may not have it.
				var denied *types.AccessDeniedException
				if _, err := del.GetAssessmentReportUrl(ctx, &am.GetAssessmentReportUrlInput{AssessmentId: id, AssessmentReportId: aws.String(rid)}); !errors.As(err, &denied) {
					t.Errorf("a delegate's GetAssessmentReportUrl: %v, want AccessDeniedException", err)
				}
				u, err := owner.GetAssessmentReportUrl(ctx, &am.GetAssessmentReportUrlInput{AssessmentId: id, AssessmentReportId: aws.String(rid)})
				if err != nil {
					t.Fatal(err)
				}
				zipBytes := get(t, *u.PreSignedUrl.Link, http.StatusOK)
				res, err := report.Verify(bytes.NewReader(zipBytes), int64(len(zipBytes)), mustTrust(t, rkeys))
				if err != nil || !res.Valid || !res.Anchored {
					t.Fatalf("offline verify of %s: %+v, %v", rid, res, err)
				}
				if got := strings.Count(string(zipBytes), ".json"); got < n { // each evidence's JSON file is named in the zip
					t.Errorf("report %s names %d JSON files, want at least %d", rid, got, n)
				}
				v, err := owner.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String(dest + "/" + rep.Path)})
				if err != nil || !*v.SignatureValid || *v.SignatureAlgorithm != "Ed25519" || *v.SignatureKeyId != rep.KeyID || len(v.ValidationErrors) != 0 || *v.SignatureDateTime == "" {
					t.Errorf("validate %s: %+v, %v", rid, v, err)
				}
			}
			// Tampering: one byte of a stored report's evidence changes; the API names the file.
			rep, _ := st.AssessmentReport(ctx, accountA, *created.AssessmentReport.Id)
			file := filepath.Join(dest, filepath.FromSlash(rep.Path))
			b, _ := os.ReadFile(file)
			i := bytes.Index(b, []byte("policy of"))
			if i < 0 {
				t.Fatal("the zip does not hold the evidence text stored")
			}
			b[i] ^= 1
			os.WriteFile(file, b, 0o600)
			v, err := owner.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String(dest + "/" + rep.Path)})
			if err != nil || *v.SignatureValid || len(v.ValidationErrors) == 0 {
				t.Errorf("tampered: %+v, %v", v, err)
			}

			list, err := root.ListAssessmentReports(ctx, &am.ListAssessmentReportsInput{MaxResults: aws.Int32(1)})
			if err != nil || len(list.AssessmentReports) != 1 || list.NextToken == nil || list.AssessmentReports[0].Status != "COMPLETE" {
				t.Fatalf("list: %+v, %v", list, err)
			}
			if other, err := bb.ListAssessmentReports(ctx, &am.ListAssessmentReportsInput{}); err != nil || len(other.AssessmentReports) != 0 {
				t.Errorf("another account lists %+v, %v", other, err)
			}
			_, err = owner.CreateAssessmentReport(ctx, &am.CreateAssessmentReportInput{AssessmentId: id, Name: aws.String("bad"),
				QueryStatement: aws.String("colour = 'red'")})
			wantAPIError(t, "query with an unknown column", err, "ValidationException")
			if err == nil || !strings.Contains(err.Error(), `queryStatement: 1:1: unknown column "colour"`) {
				t.Errorf("query error = %v", err)
			}
			_, err = owner.CreateAssessmentReport(ctx, &am.CreateAssessmentReportInput{AssessmentId: id, Name: aws.String("a b")})
			wantAPIError(t, "name with a space", err, "ValidationException")
			_, err = del.CreateAssessmentReport(ctx, &am.CreateAssessmentReportInput{AssessmentId: id, Name: aws.String("x")})
			wantAPIError(t, "delegate creates", err, "AccessDeniedException")
			_, err = bb.GetAssessmentReportUrl(ctx, &am.GetAssessmentReportUrlInput{AssessmentId: id, AssessmentReportId: created.AssessmentReport.Id})
			wantAPIError(t, "another account's URL", err, "ResourceNotFoundException")
			_, err = bb.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String(dest + "/" + rep.Path)})
			wantAPIError(t, "another account validates", err, "ResourceNotFoundException")
			_, err = owner.ValidateAssessmentReportIntegrity(ctx, &am.ValidateAssessmentReportIntegrityInput{S3RelativePath: aws.String("/etc/passwd")})
			wantAPIError(t, "a path that is no report", err, "ResourceNotFoundException")

			u, err := owner.GetAssessmentReportUrl(ctx, &am.GetAssessmentReportUrlInput{AssessmentId: id, AssessmentReportId: queried.AssessmentReport.Id})
			if err != nil {
				t.Fatal(err)
			}
			link := *u.PreSignedUrl.Link
			get(t, link[:len(link)-2]+"xx", http.StatusForbidden)
			if _, err := owner.DeleteAssessmentReport(ctx, &am.DeleteAssessmentReportInput{AssessmentId: id, AssessmentReportId: queried.AssessmentReport.Id}); err != nil {
				t.Fatal(err)
			}
			get(t, link, http.StatusNotFound)
			_, err = owner.DeleteAssessmentReport(ctx, &am.DeleteAssessmentReportInput{AssessmentId: id, AssessmentReportId: queried.AssessmentReport.Id})
			wantAPIError(t, "deleting twice", err, "ResourceNotFoundException")
		})
	}
}

// waitReport polls the store until the report leaves IN_PROGRESS (the job's outcome).
func waitReport(t *testing.T, st store.Store, id string) *store.AssessmentReport {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		rep, err := st.AssessmentReport(context.Background(), accountA, id)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != store.ReportInProgress {
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatalf("report %s is still IN_PROGRESS", id)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not ordering events
	}
}

func mustTrust(t *testing.T, k *report.Keys) report.Trust {
	tr, err := k.Trust(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func get(t *testing.T, url string, want int) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return b
}

// reportEnv is an API whose reports a real River runner generates, on a store of one
// backend, for the report tests.
type reportEnv struct {
	st      store.Store
	ledger  *evidence.Ledger
	as      *assess.Service
	rkeys   *report.Keys
	reports *assess.Reports
	km      *keys.Manager
	h       *amapi.Handler
}

// newReportEnv opens a store on the backend ("sqlite" or "postgres") with its ledger,
// report keys and a started River runner; s3c, when set, gives the reports' S3 client.
func newReportEnv(t *testing.T, backend string, s3c func(context.Context) (*s3.Client, error)) *reportEnv {
	t.Helper()
	ctx := context.Background()
	var st store.Store
	var dbURL string
	var err error
	if backend == "sqlite" {
		path := filepath.Join(t.TempDir(), "probity.db")
		st, err = sqlite.Open(ctx, path)
		dbURL = "sqlite:" + path
	} else {
		dbURL = pgtest.DSN(t)
		st, err = postgres.Open(ctx, dbURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	master := make([]byte, 32)
	rand.Read(master)
	box, _ := secret.NewBox(master)
	e := &reportEnv{st: st, ledger: evidence.New(st, box)}
	e.ledger.Blobs = evidence.Dir(t.TempDir())
	e.as = &assess.Service{Store: st, Ledger: e.ledger, Blobs: e.ledger.Blobs}
	e.rkeys = &report.Keys{Store: st, Box: box}
	e.reports = &assess.Reports{Service: e.as, Keys: e.rkeys, TempDir: t.TempDir(), S3: s3c}
	jdb, err := jobs.OpenDatabase(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { jdb.Close() })
	reg, _ := jobs.NewRegistry()
	runner, err := jobs.NewRunner(ctx, jdb, &jobs.Service{Plan: e.as, Appender: e.ledger, Collectors: reg},
		jobs.RunnerOptions{Workers: 1, ScheduleInterval: time.Hour, Reports: e.reports})
	if err != nil {
		t.Fatal(err)
	}
	e.reports.Queue = runner
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Stop(context.Background()) })
	e.km = &keys.Manager{Store: st, Box: box, Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: accountA}}
	if e.h, err = amapi.New(amapi.Config{Library: &library.Service{Store: st}, Assess: e.as, Keys: e.km, Reports: e.reports}); err != nil {
		t.Fatal(err)
	}
	return e
}
