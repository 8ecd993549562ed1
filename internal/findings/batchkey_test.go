package findings

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/probity-dev/probity"
)

// batchKeyFmt is batchKey as first written, with fmt: the keys of evidence already in
// ledgers, which a later import of the same findings must make again.
func batchKeyFmt(items []probity.Evidence) string {
	h := sha256.New()
	for i := range items {
		e := &items[i]
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00", e.DataSource, e.Attributes["findingId"], e.Attributes["checkId"],
			e.AWSAccountID, e.Attributes["region"], e.Attributes["status"], e.Time.UnixNano())
		for _, r := range e.ResourcesIncluded {
			fmt.Fprintf(h, "%s\x01%s\x01", r.ARN, r.Value)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// A batch's key is the same as before batchKey stopped using fmt, for findings with and
// without resources, empty and non-ASCII members, and times before 1970.
func TestBatchKeyUnchanged(t *testing.T) {
	var items []probity.Evidence
	for i, f := range []Finding{
		{ID: "f1", Provider: "prowler", CheckID: "c1", Account: "111122223333", Region: "eu-west-1", Status: StatusPass,
			Time: time.Date(2026, 1, 1, 10, 0, 0, 123, time.UTC), Resources: []Resource{{ARN: "arn:aws:s3:::b", Type: "AwsS3Bucket"}, {ARN: "id-1", Type: "Other"}}},
		{Provider: "x", Time: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "é\x00%d", Provider: "scanner ü", CheckID: "%s", Account: "111122223333", Status: StatusFail, Time: time.Unix(0, 0).UTC(),
			Resources: []Resource{{}}},
	} {
		items = append(items, evidenceOf(&f, target{setID: "s", controlID: fmt.Sprint("c", i), name: "n"}, "requirement CIS 1.1"))
	}
	for n := 1; n <= len(items); n++ {
		if got, want := batchKey("s", "c", items[:n]).Resource, batchKeyFmt(items[:n]); got != want {
			t.Errorf("%d items: key %s, want %s", n, got, want)
		}
	}
}
