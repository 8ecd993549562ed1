package evquery

import (
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
)

var sample = probity.Evidence{ID: "e1", ControlID: "c1", ControlSetID: "s1", DataSource: "AWS Config", EventName: "PutBucketPolicy",
	EventSource: "s3.amazonaws.com", ComplianceCheck: "NON_COMPLIANT", EvidenceAWSAccountID: "111122223333",
	Time: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), AssessmentReportSelection: "No",
	ResourcesIncluded: []probity.EvidenceResource{{ARN: "arn:aws:s3:::logs"}, {ARN: "arn:aws:s3:::data"}}}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"SELECT * FROM evidence", true},
		{"select * from `x`", true}, // see TestParseErrors: backquotes are refused
		{"SELECT * FROM 'arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/x' WHERE dataSource = 'AWS Config'", true},
		{"dataSource = 'AWS Config'", true},
		{"DATASOURCE = 'aws config'", false}, // values are case-sensitive
		{"dataSource <> 'AWS Config'", false},
		{"dataSource != 'AWS Config' OR eventName = 'PutBucketPolicy'", true},
		{"complianceCheck IN ('COMPLIANT', 'NON_COMPLIANT')", true},
		{"complianceCheck NOT IN ('COMPLIANT', 'NON_COMPLIANT')", false},
		{"evidenceAwsAccountId = 111122223333", true},
		{"eventSource LIKE 's3.%'", true},
		{"eventSource LIKE 's_.amazonaws.com'", true},
		{"eventSource NOT LIKE '%.amazonaws.com'", false},
		{"eventSource LIKE 's3'", false},
		{"resourceArn = 'arn:aws:s3:::data'", true},
		{"resourceArn LIKE '%:::nothing'", false},
		{"NOT resourceArn = 'arn:aws:s3:::data'", false},
		{"time >= '2024-05-01' AND time < '2024-05-02'", true},
		{"time BETWEEN '2024-04-01' AND '2024-05-01T11:59:59Z'", false},
		{"time BETWEEN '2024-04-01' AND '2024-05-01T12:00:00Z'", true},
		{"time > '2024-05-01T13:00:00+02:00'", true},
		{"time = '2024-05-01T12:00:00Z'", true},
		{"awsOrganization IS NULL", true},
		{"awsOrganization IS NOT NULL", false},
		{"controlId = 'c1' AND (eventName = 'x' OR NOT complianceCheck = 'COMPLIANT')", true},
		{"controlId = 'c1' AND eventName = 'x' OR controlSetId = 's1'", true}, // AND binds tighter
		{"controlId = 'c2' AND (eventName = 'x' OR controlSetId = 's1')", false},
		{"assessmentReportSelection = 'No'", true},
		{"eventName = 'it''s'", false},
		{"dataSource BETWEEN 'A' AND 'B'", true},
	} {
		if strings.Contains(tt.q, "`") {
			continue
		}
		q, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		if got := q.Match(&sample); got != tt.want {
			t.Errorf("%q matches = %v, want %v", tt.q, got, tt.want)
		}
		// The canonical form parses to the same query.
		again, err := Parse(q.String())
		if err != nil || again.String() != q.String() {
			t.Errorf("%q: canonical %q parses to %v, %v", tt.q, q.String(), again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"", "1:1: the statement is empty"},
		{"   \n ", "2:2: the statement is empty"},
		{"colour = 'red'", `1:1: unknown column "colour"; the columns are assessmentReportSelection, awsAccountId,`},
		{"dataSource = 'x' AND\n  eventNme = 'y'", `2:3: unknown column "eventNme"`},
		{"dataSource = ", "1:14: expected a quoted value for dataSource, found the end of the statement"},
		{"dataSource = 'x", "1:14: the string is not closed"},
		{"dataSource == 'x'", `1:13: expected a quoted value for dataSource, found "="`},
		{"dataSource 'x'", "1:12: expected an operator after dataSource"},
		{"dataSource NOT = 'x'", "1:16: expected IN, LIKE or BETWEEN after dataSource NOT"},
		{"dataSource IN 'x'", `1:15: expected (, found the string 'x'`},
		{"dataSource IN ('x',)", `1:20: expected a quoted value for dataSource, found ")"`},
		{"dataSource LIKE 5", `1:17: dataSource LIKE needs a quoted pattern, found "5"`},
		{"dataSource = 'x' eventName = 'y'", `1:18: expected AND, OR or the end of the statement, found "eventName"`},
		{"(dataSource = 'x'", "1:18: expected ), found the end of the statement"},
		{"time > 'yesterday'", "1:8: time compares with a time: the string 'yesterday' is not an RFC 3339 time"},
		{"time BETWEEN '2024-01-01' '2024-02-01'", "1:27: expected AND"},
		{"SELECT name FROM x", `1:8: expected *, found "name"`},
		{"SELECT * x", `1:10: expected FROM, found "x"`},
		{"SELECT * FROM", "1:14: expected the name to select from, found the end of the statement"},
		{"SELECT * FROM x dataSource = 'y'", `1:17: expected WHERE, found "dataSource"`},
		{"select * from `x`", "1:15: unexpected character '`'"},
		{"dataSource = 'é' AND ; ", "1:22: unexpected character ';'"},
		{"awsOrganization IS 'x'", "1:20: expected NULL"},
		{"dataSource = '\xff'", "1:14: the statement is not UTF-8"},
		{strings.Repeat("(", 70) + "dataSource = 'x'" + strings.Repeat(")", 70), "nests more than 64 deep"},
		{strings.Repeat("x", MaxLength+1), "longer than 10000 bytes"},
	} {
		_, err := Parse(tt.q)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%.40q) = %v, want %q", tt.q, err, tt.want)
		}
	}
}

func TestLike(t *testing.T) {
	for _, tt := range []struct {
		s, p string
		want bool
	}{
		{"", "", true}, {"", "%", true}, {"a", "", false}, {"abc", "a%c", true}, {"abc", "a_c", true},
		{"ac", "a_c", false}, {"aXbXc", "%b%", true}, {"mississippi", "%iss%ppi", true}, {"abc", "%%%", true},
		{"é", "_", true}, {"ab", "a", false}, {"a%b", "a%b", true}, {"aaaa", "%a%a%a%a%a", false},
	} {
		if got := like(tt.s, tt.p); got != tt.want {
			t.Errorf("like(%q, %q) = %v, want %v", tt.s, tt.p, got, tt.want)
		}
	}
}

// FuzzParse: any statement parses or is refused with a positioned error, never a panic;
// what parses prints to a canonical form that parses to the same, and evaluates.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"SELECT * FROM x WHERE dataSource = 'a' AND NOT (time > '2024-01-01' OR resourceArn LIKE '%x_')",
		"complianceCheck IN ('A', 'B')", "time BETWEEN '2024-01-01' AND '2024-02-01T00:00:00Z'", "awsOrganization IS NOT NULL",
		"eventName = 'it''s'", "dataSource <> 'x'", "((((", "'", "-1", "é = 'x'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		q.Match(&sample)
		again, err := Parse(q.String())
		if err != nil || again.String() != q.String() {
			t.Fatalf("canonical %q of %q parses to %v, %v", q.String(), s, again, err)
		}
	})
}

// TestCanonicalDepth: the canonical form of a statement as deep as allowed parses too.
func TestCanonicalDepth(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("NOT ", maxDepth-1) + "dataSource = 'x'",
		strings.Repeat("(", maxDepth-1) + "dataSource = 'x'" + strings.Repeat(")", maxDepth-1),
		"dataSource = 'x'" + strings.Repeat(" AND eventName = 'y' OR eventName = 'z'", 200),
		strings.Repeat("NOT (dataSource = 'x' OR ", 30) + "eventName = 'y'" + strings.Repeat(")", 30),
	} {
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%.60q): %v", s, err)
		}
		again, err := Parse(q.String())
		if err != nil || again.String() != q.String() {
			t.Errorf("canonical of %.60q: %v", s, err)
		}
	}
}
