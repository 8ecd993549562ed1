package inventory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// jsonAPI is an AWS JSON-protocol service whose SDK client the module proxy does not
// serve, so that its calls are made by hand (jsonCall).
type jsonAPI struct {
	name    string // the service's name in errors, as the SDK writes it ("Backup Gateway")
	service string // the signing name and endpoint prefix ("backup-gateway")
	target  string // the X-Amz-Target prefix, with its dot
	version string // the JSON protocol version, "1.0" or "1.1"
}

// jsonCall makes api's operation op with the JSON input in, one attempt, and decodes the
// response into out. The request goes to cfg.BaseEndpoint, else to the service's regional
// endpoint, signed with Signature Version 4 with cfg's credentials, through
// cfg.HTTPClient (the SDK's default client without one). An error response is an
// *awshttp.ResponseError (so a *smithyhttp.ResponseError) carrying the HTTP status and,
// when the X-Amzn-ErrorType header or the body's __type names one, a smithy.APIError
// with AWS's error code, as the SDK's clients return; unavailable and errorCode read it
// as they read the SDK's.
func jsonCall(ctx context.Context, cfg aws.Config, api jsonAPI, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	endpoint := "https://" + api.service + "." + cfg.Region + ".amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		endpoint += ".cn"
	}
	if cfg.BaseEndpoint != nil {
		endpoint = strings.TrimRight(*cfg.BaseEndpoint, "/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-"+api.version)
	req.Header.Set("X-Amz-Target", api.target+op)
	if cfg.Credentials == nil {
		return fmt.Errorf("%s %s: no credentials", api.service, op)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("%s %s: %w", api.service, op, err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), api.service, cfg.Region, time.Now().UTC()); err != nil {
		return fmt.Errorf("%s %s: %w", api.service, op, err)
	}
	var hc aws.HTTPClient = cfg.HTTPClient
	if hc == nil {
		hc = awshttp.NewBuildableClient()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("operation error %s: %s: %w", api.name, op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("operation error %s: %s: %w", api.name, op, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		code := resp.Header.Get("X-Amzn-ErrorType")
		if code == "" {
			code = e.Type
		}
		code = code[strings.LastIndex(code, "#")+1:]
		code, _, _ = strings.Cut(code, ":")
		var cause error = &smithy.GenericAPIError{Code: code, Message: e.Message}
		if code == "" {
			cause = fmt.Errorf("status %d: %.200s", resp.StatusCode, bytes.TrimSpace(raw))
		}
		return fmt.Errorf("operation error %s: %s: %w", api.name, op, &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: cause},
			RequestID:     resp.Header.Get("X-Amzn-Requestid")})
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: response: %w", api.service, op, err)
	}
	return nil
}
