package record_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/canon"
	"github.com/probity-dev/probity/internal/evidence/record"
)

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 123456789, time.FixedZone("X", 3600))

func cases() map[string]probity.Evidence {
	return map[string]probity.Evidence{
		"minimal": {ControlSetID: "cs", ControlID: "c", DataSource: "ds", Time: t0},
		"whole": {
			ControlSetID: "cs", ControlID: "c", ControlName: "n", DataSource: "Config rule", EvidenceAWSAccountID: "111122223333",
			EventSource: "config.amazonaws.com", EventName: "PutEvaluations", EvidenceByType: probity.EvidenceTypeComplianceCheck,
			ResourcesIncluded: []probity.EvidenceResource{{ARN: "arn:aws:s3:::b", Value: "v", ComplianceCheck: "COMPLIANT"}, {Value: "only"}},
			Attributes:        map[string]string{"b": "2", "a": "1", "Z": "z"}, IAMID: "arn:aws:iam::1:role/r",
			ComplianceCheck: "COMPLIANT", AWSOrganization: "o-1", AWSAccountID: "111122223333", Time: t0,
			Blobs: []string{"00", "ff"},
		},
		"escapes": {ControlSetID: "c\"s\\", ControlID: "\x00\x01\b\t\n\f\r\x1f", DataSource: "<>&\u2028 é 😀", Time: t0},
		"utf16 order": {ControlSetID: "cs", ControlID: "c", DataSource: "d", Time: t0,
			Attributes: map[string]string{"\U0001F600": "astral", "\uFB01": "bmp high", "é": "latin", "a": "ascii"}},
	}
}

// TestBodyIsCanonical: the direct encoder writes what canon makes of the body's JSON, for
// every kind of member, escape and name order (UTF-16 order differs from UTF-8 order for
// astral characters against high BMP ones).
func TestBodyIsCanonical(t *testing.T) {
	for name, e := range cases() {
		t.Run(name, func(t *testing.T) {
			got, err := record.AppendBody(nil, &e)
			if err != nil {
				t.Fatal(err)
			}
			want, err := canon.Marshal(record.BodyOf(&e))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendBody:\n got %s\nwant %s", got, want)
			}
			var back probity.Evidence
			if err := record.Decode(got, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := record.AppendBody(nil, &back)
			if !bytes.Equal(again, got) {
				t.Fatalf("decode and encode again:\n got %s\nwant %s", again, got)
			}
		})
	}
}

func TestBodyRefusesInvalidUTF8(t *testing.T) {
	for _, e := range []probity.Evidence{
		{ControlSetID: "cs", ControlID: "c", DataSource: "\xff", Time: t0},
		{ControlSetID: "cs", ControlID: "c", DataSource: "d", Time: t0, Attributes: map[string]string{"\xc3": "v"}},
		{ControlSetID: "cs", ControlID: "c", DataSource: "d", Time: t0, ResourcesIncluded: []probity.EvidenceResource{{ARN: "\xe2\x82"}}},
	} {
		if _, err := record.AppendBody(nil, &e); err == nil {
			t.Errorf("AppendBody accepted invalid UTF-8 in %+v", e)
		}
	}
}

func TestEnvelopeIsCanonical(t *testing.T) {
	e := cases()["whole"]
	body, _ := record.AppendBody(nil, &e)
	prev := canon.SumCanonical([]byte("x"))
	env := record.AppendEnvelope(nil, prev, 42, probity.EvidenceID("a", "b", 42), "f", record.KindEvidence, body)
	c, err := canon.Canonicalize(env)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c, env) {
		t.Fatalf("envelope is not canonical:\n got %s\nwant %s", env, c)
	}
	if got, want := record.Chain(prev, 42, probity.EvidenceID("a", "b", 42), "f", record.KindEvidence, body, nil), canon.SumCanonical(env); got != want {
		t.Fatalf("Chain = %v, want %v", got, want)
	}
}
