package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/smithy-go"
)

// verifyServer is an httptest.Server whose handler runs Verify on every
// request, answers 403 with a restJson1 error on failure, and records the
// outcome of the last request.
type verifyServer struct {
	*httptest.Server
	mu      sync.Mutex
	lastKey string
	lastErr error
	lastURI string
}

func newVerifyServer(t *testing.T, v *Verifier) *verifyServer {
	s := &verifyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key, err := v.Verify(r, body)
		s.mu.Lock()
		s.lastKey, s.lastErr, s.lastURI = key, err, r.RequestURI
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		var e *Error
		if errors.As(err, &e) {
			w.Header().Set("X-Amzn-Errortype", e.Code)
			w.WriteHeader(e.HTTPStatus())
			_ = json.NewEncoder(w).Encode(map[string]string{"message": e.Message})
			return
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(s.Close)
	return s
}

// last returns the access key id, request URI and Verify error of the last request.
func (s *verifyServer) last() (key, uri string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastKey, s.lastURI, s.lastErr
}

func newClient(s *verifyServer, creds aws.Credentials) *auditmanager.Client {
	return auditmanager.New(auditmanager.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
		HTTPClient:       s.Client(),
		RetryMaxAttempts: 1,
	})
}

func TestVerifyAuditManagerClient(t *testing.T) {
	srv := newVerifyServer(t, &Verifier{Service: testService, Region: testRegion, Secret: testSecretFunc})
	ctx := context.Background()
	withToken := testCreds
	withToken.SessionToken = "IQoJb3JpZ2luX2VjEJr//////////session+token="
	tests := []struct {
		name    string
		creds   aws.Credentials
		call    func(*auditmanager.Client) error
		wantURI string // request URI the server saw; "" skips the check
		wantAPI string // error code the client must see; "" means success
	}{
		{name: "GetControl plain", call: getControl("4f6d0b8e-5c6a-4a55-9f3e-0c1d2e3f4a5b"),
			wantURI: "/controls/4f6d0b8e-5c6a-4a55-9f3e-0c1d2e3f4a5b"},
		{name: "GetControl space", call: getControl("my control"), wantURI: "/controls/my%20control"},
		{name: "GetControl unicode", call: getControl("contrôle-✓"), wantURI: "/controls/contr%C3%B4le-%E2%9C%93"},
		{name: "GetControl slash", call: getControl("a/b"), wantURI: "/controls/a%2Fb"},
		{name: "GetControl literal %2F", call: getControl("a%2Fb"), wantURI: "/controls/a%252Fb"},
		{name: "GetControl reserved", call: getControl("x+y=z&q?#;,"), wantURI: "/controls/x%2By%3Dz%26q%3F%23%3B%2C"},
		{name: "ListControls", call: func(c *auditmanager.Client) error {
			_, err := c.ListControls(ctx, &auditmanager.ListControlsInput{
				ControlType:      types.ControlTypeCustom,
				MaxResults:       aws.Int32(25),
				NextToken:        aws.String("tok en+/=ü"),
				ControlCatalogId: aws.String("arn:aws:controlcatalog:::domain/x y"),
			})
			return err
		}, wantURI: "/controls?controlCatalogId=arn%3Aaws%3Acontrolcatalog%3A%3A%3Adomain%2Fx%20y&controlType=Custom&maxResults=25&nextToken=tok%20en%2B%2F%3D%C3%BC"},
		{name: "CreateControl POST JSON", call: func(c *auditmanager.Client) error {
			_, err := c.CreateControl(ctx, &auditmanager.CreateControlInput{
				Name:        aws.String("Encryption at rest ü"),
				Description: aws.String("multi\nline \"quoted\""),
				ControlMappingSources: []types.CreateControlMappingSource{{
					SourceName:        aws.String("manual"),
					SourceSetUpOption: types.SourceSetUpOptionProceduralControlsMapping,
					SourceType:        types.SourceTypeManual,
				}},
				Tags: map[string]string{"team": "grc"},
			})
			return err
		}, wantURI: "/controls"},
		{name: "UpdateControl PUT", call: func(c *auditmanager.Client) error {
			_, err := c.UpdateControl(ctx, &auditmanager.UpdateControlInput{
				ControlId: aws.String("id with space"), Name: aws.String("n"),
				ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("s")}},
			})
			return err
		}, wantURI: "/controls/id%20with%20space"},
		{name: "session token", creds: withToken, call: getControl("abc")},
		{name: "wrong secret", creds: aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "not-the-secret"},
			call: getControl("abc"), wantAPI: CodeInvalidSignature},
		{name: "unknown key", creds: aws.Credentials{AccessKeyID: "AKIDNOBODY", SecretAccessKey: testSecret},
			call: getControl("abc"), wantAPI: CodeUnrecognizedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := tt.creds
			if creds.AccessKeyID == "" {
				creds = testCreds
			}
			err := tt.call(newClient(srv, creds))
			key, uri, verr := srv.last()
			if tt.wantURI != "" && uri != tt.wantURI {
				t.Errorf("server saw %q, want %q", uri, tt.wantURI)
			}
			if tt.wantAPI == "" {
				if err != nil || verr != nil {
					t.Fatalf("client error = %v, Verify error = %v, want both nil (uri %q)", err, verr, uri)
				}
				if key != testAKID {
					t.Errorf("access key id = %q, want %q", key, testAKID)
				}
				return
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.wantAPI {
				t.Fatalf("client error = %v, want API error %s", err, tt.wantAPI)
			}
		})
	}
}

func getControl(id string) func(*auditmanager.Client) error {
	return func(c *auditmanager.Client) error {
		_, err := c.GetControl(context.Background(), &auditmanager.GetControlInput{ControlId: aws.String(id)})
		return err
	}
}
