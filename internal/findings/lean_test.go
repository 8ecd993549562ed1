package findings

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/sharedtest"
)

// leanCorpus returns JSON findings files:
// files made to reach each thing the lean decoder handles or gives up on.
func leanCorpus() []string {
	ocsf := `{"metadata":{"product":{"uid":"prowler","name":"Prowler"},"event_code":"c1"},"status_code":"PASS","time":1739539623,` +
		`"cloud":{"account":{"uid":"111122223333"},"region":"eu-west-1"},"finding_info":{"uid":"f1","title":"T"},` +
		`"resources":[{"uid":"arn:aws:s3:::b","type":"AwsS3Bucket","region":"eu-west-1"}],"unmapped":{"compliance":{"CIS-3.0":["1.20"," 2.1"]}}}`
	asff := `{"SchemaVersion":"2018-10-08","Id":"f1","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub","AwsAccountId":"111122223333",` +
		`"GeneratorId":"g","Region":"us-east-1","Title":"T","UpdatedAt":"2024-01-02T03:04:05Z","ProductFields":{"ControlId":"S3.1"},` +
		`"Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::b"}],"Compliance":{"Status":"PASSED","SecurityControlId":"S3.1",` +
		`"RelatedRequirements":["NIST.800-53.r5 AC-3(7)"],"AssociatedStandards":[{"StandardsId":"standards/nist-800-53/v/5.0.0"}]}}`
	out := []string{
		"[" + ocsf + "]", "[" + ocsf + "," + ocsf + "]", " \n[ " + ocsf + " ,\n " + ocsf + " ] trailing", `{"Findings":[` + asff + "]}",
		"[" + asff + "," + asff + "]",
		// Names in other cases, nulls, escapes, text outside ASCII, skipped members of
		// every kind.
		`[{"class_uid":2003,"METADATA":{"Product":{"UID":"p"},"Event_Code":"c"},"Status_Code":"fail","TIME":1704164645000,"Cloud":{"Account":{"Uid":"111122223333"}}}]`,
		`[{"metadata":{"product":{"uid":"p"},"event_code":"c\u00e9\n"},"status_code":"PASS","time":1739539623,"n":1.5e3,"cloud":{"account":{"uid":"111122223333"},"region":null},` +
			`"resources":null,"finding_info":null,"compliance":{"status":"x","standards":["CIS",null],"requirements":null},"unmapped":null,` +
			`"x":[1,-2.5e-3,true,false,null,{"a":{"b":[[]]}},"\ud83d\ude00 \" \\ \/"],"title":"Ünïcödé"}]`,
		`[{"metadata":{"product":{"uid":"p"},"event_code":"c"},"status_code":"PASS","time_dt":"2025-02-14T14:27:03.913874","cloud":{"account":{"uid":"111122223333"}},` +
			`"unmapped":{"compliance":{"B":["1"],"A":["2","3"],"B":["4"]}}}]`,
		`[{"metadata":{"product":{"uid":"p"},"event_code":"c"},"status_code":"PASS","time":"1739539623","cloud":{"account":{"uid":"111122223333"}}}]`,
		`[{"metadata":{"product":{"uid":"p"},"event_code":"c"},"status_code":"PASS","time":1739539623,"cloud":{"account":{"uid":"111122223333"}},"time":1}]`,
		`[{"metadata":{"product":{"uid":"p"},"event_code":"c"},"Status_code":"PASS","status_code":"FAIL","time":1739539623,"cloud":{"account":{"uid":"111122223333"}}}]`,
		`[{"metadata":{"product":{"uid":"p"},"event_code":"c"},"status_code":"PASS","time":1739539623,"cloud":{"account":{"uid":"111122223333"}},"meta\u0064ata":{}}]`,
		`[{"SchemaVersion":"1","AwsAccountId":"111122223333","GeneratorId":"g","UpdatedAt":"2024-01-02T03:04:05Z","Compliance":{"Status":"FAILED"},` +
			`"ProductFields":{"ControlId":null,"k\u00e9":"v"},"Resources":[null,{"Id":null}]}]`,
		`[{"SchemaVersion":"1","AwsAccountId":"111122223333","UpdatedAt":"2024-01-02T03:04:05Z","Compliance":null,"GeneratorId":"g"}]`,
		`[]`, `{"Findings":[]}`, `[null]`, `[1]`, `[[]]`, `[{}]`, `{"findings":[` + ocsf + "]}", `{"Findings":{}}`,
		"[" + ocsf + "," + asff + "]", "[" + asff + "," + ocsf + "]",
		"[" + strings.Repeat(`{"a":`, 1200) + "1" + strings.Repeat("}", 1200) + "]",
		"[" + ocsf[:len(ocsf)-1] + `,"deep":` + strings.Repeat("[", 1100) + strings.Repeat("]", 1100) + "}]",
	}
	return out
}

// samples returns the published JSON samples, as published and with their
// placeholders filled in.
func samples(t testing.TB) []string {
	var out []string
	for _, name := range []string{"prowler_example_output_aws.ocsf.json", "securityhub_sample_control_findings_asff.json"} {
		b, err := os.ReadFile(filepath.Join(sharedtest.Dir(t, "findings"), name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.NewReplacer("<account_uid>", "111122223333", "<region>", "eu-west-1",
			"<resource_uid>", "arn:aws:iam::111122223333:root", "<finding_uid>", "prowler-finding-1").Replace(string(b)), string(b))
	}
	return out
}

// The published samples decode the same either way.
func TestLeanDecodeSamples(t *testing.T) {
	for i, in := range samples(t) {
		if got, want := decodeBoth(in); got != want {
			t.Errorf("sample %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
}

// decodeBoth returns Decode's result and that of encoding/json alone, as text.
func decodeBoth(in string) (got, want string) {
	show := func(format string, fs []Finding, err error) string {
		return fmt.Sprintf("%s %#v %v", format, fs, err)
	}
	got = show(Decode(strings.NewReader(in)))
	want = show(decodeStream(strings.NewReader(in)))
	return got, want
}

// decodeStream is Decode as it was before the lean decoder: JSON read as a stream by
// encoding/json alone.
func decodeStream(r io.Reader) (string, []Finding, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return "", nil, err
	}
	if first != '[' && first != '{' {
		fs, err := decodeCSV(br)
		return FormatCSV, fs, err
	}
	return decodeJSON(br)
}

// Decode, lean decoder first, gives every JSON file what encoding/json alone gives it:
// the same findings, or the same errors naming record and field. The corpus covers
// what the lean decoder reads and what it gives up on; every single-byte deletion and
// a few substitutions at every position of two small files cover broken input.
func TestLeanDecodeMatchesEncodingJSON(t *testing.T) {
	corpus := leanCorpus()
	var lean []int
	for i, in := range corpus {
		got, want := decodeBoth(in)
		if got != want {
			t.Errorf("corpus[%d] %.80q:\ngot  %s\nwant %s", i, in, got, want)
		}
		if _, _, ok := decodeLean([]byte(in)); ok {
			lean = append(lean, i)
		}
	}
	// The good files up to names given twice are the lean decoder's; the rest it
	// leaves to encoding/json.
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !reflect.DeepEqual(lean, want) {
		t.Errorf("the lean decoder read corpus%v, want corpus%v", lean, want)
	}
	for _, in := range corpus[:5] {
		for i := range len(in) {
			for _, mut := range []string{"", `"`, "}", "]", ",", "1", "n", "\\", "\x01", " ", "{"} {
				m := in[:i] + mut + in[i+1:]
				if got, want := decodeBoth(m); got != want {
					t.Fatalf("%q:\ngot  %s\nwant %s", m, got, want)
				}
			}
		}
	}
}

// FuzzLeanDecode checks the same on any input: go test -fuzz LeanDecode ./internal/findings.
func FuzzLeanDecode(f *testing.F) {
	for _, in := range leanCorpus() {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := decodeBoth(in); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
}

// The lean decoder reads what the benchmark's file holds, members in Prowler's order.
func TestLeanDecodeReadsProwlerFiles(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("[")
	for i := range 3 {
		if i > 0 {
			buf.WriteString(",")
		}
		fmt.Fprintf(&buf, `{"message":"m","metadata":{"event_code":"check_%d","product":{"name":"Prowler","uid":"prowler","vendor_name":"Prowler","version":"5.0.0"},"profiles":["cloud"],"version":"1.4.0"},"status_code":"FAIL",`+
			`"unmapped":{"related_url":"https://example.com","categories":[],"compliance":{"CIS-3.0":["1.%d"]}},"finding_info":{"created_time":1767225600,"title":"Check","uid":"u%d"},`+
			`"resources":[{"region":"eu-west-1","group":{"name":"s3"},"labels":[],"name":"b","type":"AwsS3Bucket","uid":"arn:aws:s3:::b"}],"class_uid":2004,`+
			`"cloud":{"account":{"name":"","type_id":10,"uid":"111122223333","labels":[]},"org":{"name":"","uid":""},"provider":"aws","region":"eu-west-1"},"time":1767225600,"time_dt":"2026-01-01T10:00:00.000000"}`, i, i, i)
	}
	buf.WriteString("]")
	format, fs, ok := decodeLean(buf.Bytes())
	if !ok || format != FormatOCSF || len(fs) != 3 {
		t.Fatalf("decodeLean = %s, %d findings, %v; want 3 OCSF findings", format, len(fs), ok)
	}
	_, want, err := decodeJSON(bufio.NewReader(bytes.NewReader(buf.Bytes())))
	if err != nil || !reflect.DeepEqual(fs, want) {
		t.Errorf("lean %+v\nencoding/json %+v (%v)", fs, want, err)
	}
}
