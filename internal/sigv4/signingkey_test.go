package sigv4

import (
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestSigningKeyMatchesAWS: the cached derivation gives the signing key of AWS's
// documented example, the first time and from the cache.
func TestSigningKeyMatchesAWS(t *testing.T) {
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	for i := range 2 {
		if got := hex.EncodeToString(signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam").key); got != want {
			t.Errorf("signing key, call %d = %s, want %s", i+1, got, want)
		}
	}
}

// TestCachedKeysNeverVerifyAnotherScope: once a request verified (its signing key
// cached), a signature made with another secret, day, region or service than the
// verifier accepts still fails, and the right one for a rotated secret passes.
func TestCachedKeysNeverVerifyAnotherScope(t *testing.T) {
	nextDay := testTime.Add(24 * time.Hour)
	rotated := "rotated-secret-rotated-secret-rotated-se"
	tests := []struct {
		name   string
		spec   spec
		secret string // what the verifier's Secret returns
		now    time.Time
		ok     bool
	}{
		{"same scope again", spec{}, testSecret, testTime, true},
		{"old secret after rotation", spec{}, rotated, testTime, false},
		{"new secret after rotation", spec{creds: aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: rotated}}, rotated, testTime, true},
		{"next day", spec{at: nextDay}, testSecret, nextDay, true},
		{"another region", spec{region: "eu-west-1"}, testSecret, testTime, false},
		{"another service", spec{service: "iam"}, testSecret, testTime, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Cache the key of the usual scope first.
			r, body := received(t, signedWire(t, spec{}))
			if _, err := testVerifier(testTime).Verify(r, body); err != nil {
				t.Fatal(err)
			}
			v := testVerifier(tt.now)
			v.Secret = func(context.Context, string) (string, error) { return tt.secret, nil }
			r, body = received(t, signedWire(t, tt.spec))
			_, err := v.Verify(r, body)
			if (err == nil) != tt.ok {
				t.Errorf("Verify = %v, want success %v", err, tt.ok)
			}
		})
	}
}

// TestSigningKeysAreBounded: however many scopes sign, the cache holds at most
// maxSigningKeys keys.
func TestSigningKeysAreBounded(t *testing.T) {
	for i := range 3 * maxSigningKeys {
		signingKey(fmt.Sprint("secret ", i), "20260314", "us-east-1", "auditmanager")
	}
	signingKeys.RLock()
	defer signingKeys.RUnlock()
	if n := len(signingKeys.m); n > maxSigningKeys {
		t.Errorf("cache holds %d keys, want at most %d", n, maxSigningKeys)
	}
}
