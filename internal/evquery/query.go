// Package evquery is the evidence query language of CreateAssessmentReport's
// queryStatement: a SQL-like subset, after Audit Manager's evidence finder, that selects
// an assessment's evidence by its fields. docs/api.md documents it for users.
//
//	SELECT * FROM evidence WHERE dataSource = 'AWS Config' AND time >= '2024-01-01'
//	complianceCheck IN ('NON_COMPLIANT', 'FAILED') OR resourceArn LIKE 'arn:aws:s3:::%'
//
// A statement is either a whole SELECT (any FROM name: the assessment's evidence is what
// is read) or its condition alone. Conditions compare a column with a string literal (=,
// !=, <>, <, <=, >, >=), test membership (IN, NOT IN), match a pattern (LIKE, NOT LIKE,
// with % for any run of characters and _ for one), test a range (BETWEEN ... AND ...),
// test presence (IS NULL, IS NOT NULL, where NULL is the empty value), and combine with
// AND, OR, NOT and parentheses. Keywords and column names are case-insensitive; values
// are not. The time column compares as a time: its literals are RFC 3339 times or
// YYYY-MM-DD dates (midnight UTC). A column of several values (resourceArn) satisfies a
// comparison when any of its values does.
//
// Parse returns an error that says where (line:column) and what is wrong; Query.Match
// evaluates one evidence, so a query runs over evidence as it streams.
package evquery

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/probity-dev/probity"
)

// MaxLength is the model's limit of a QueryStatement, in bytes.
const MaxLength = 10000

// maxDepth bounds the nesting of parentheses and NOTs.
const maxDepth = 64

// Query is a parsed statement. Its zero value is not valid; a nil *Query matches every
// evidence.
type Query struct {
	root node
}

// Match reports whether the evidence satisfies the query's condition.
func (q *Query) Match(e *probity.Evidence) bool {
	if q == nil || q.root == nil {
		return true
	}
	return q.root.eval(e)
}

// String returns the condition in a canonical form (keywords upper case, columns in the
// documented spelling, parentheses only where needed; a query without a condition as SELECT * FROM
// evidence), which parses to the same query.
func (q *Query) String() string {
	if q == nil {
		return ""
	}
	if q.root == nil {
		return "SELECT * FROM evidence"
	}
	return q.root.String()
}

// column is one field of evidence that queries may name.
type column struct {
	name   string // as documented
	time   bool   // compared as a time
	values func(e *probity.Evidence) []string
}

func one(f func(e *probity.Evidence) string) func(e *probity.Evidence) []string {
	return func(e *probity.Evidence) []string { return []string{f(e)} }
}

// columns are the evidence fields a query may name, by lower-case name.
var columns = func() map[string]*column {
	cs := []*column{
		{name: "id", values: one(func(e *probity.Evidence) string { return e.ID })},
		{name: "evidenceFolderId", values: one(func(e *probity.Evidence) string { return e.EvidenceFolderID })},
		{name: "controlSetId", values: one(func(e *probity.Evidence) string { return e.ControlSetID })},
		{name: "controlId", values: one(func(e *probity.Evidence) string { return e.ControlID })},
		{name: "controlName", values: one(func(e *probity.Evidence) string { return e.ControlName })},
		{name: "dataSource", values: one(func(e *probity.Evidence) string { return e.DataSource })},
		{name: "evidenceAwsAccountId", values: one(func(e *probity.Evidence) string { return e.EvidenceAWSAccountID })},
		{name: "awsAccountId", values: one(func(e *probity.Evidence) string { return e.AWSAccountID })},
		{name: "awsOrganization", values: one(func(e *probity.Evidence) string { return e.AWSOrganization })},
		{name: "eventSource", values: one(func(e *probity.Evidence) string { return e.EventSource })},
		{name: "eventName", values: one(func(e *probity.Evidence) string { return e.EventName })},
		{name: "evidenceByType", values: one(func(e *probity.Evidence) string { return e.EvidenceByType })},
		{name: "complianceCheck", values: one(func(e *probity.Evidence) string { return e.ComplianceCheck })},
		{name: "iamId", values: one(func(e *probity.Evidence) string { return e.IAMID })},
		{name: "assessmentReportSelection", values: one(func(e *probity.Evidence) string { return e.AssessmentReportSelection })},
		{name: "time", time: true},
		{name: "resourceArn", values: func(e *probity.Evidence) []string {
			out := make([]string, len(e.ResourcesIncluded))
			for i, r := range e.ResourcesIncluded {
				out[i] = r.ARN
			}
			return out
		}},
	}
	m := map[string]*column{}
	for _, c := range cs {
		m[strings.ToLower(c.name)] = c
	}
	return m
}()

// Columns returns the names of the columns a query may name, sorted.
func Columns() []string {
	var out []string
	for _, c := range columns {
		out = append(out, c.name)
	}
	sort.Strings(out)
	return out
}

// Error is a statement that does not parse: where, and why.
type Error struct {
	Line, Col int // from 1; the column counts characters
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// AsProbity returns the error as an EINVALID *probity.Error on the field name (the
// request member that held the statement).
func (e *Error) AsProbity(field string) error {
	return &probity.Error{Code: probity.EINVALID, Message: "The query statement is not valid.",
		Fields: []probity.FieldError{{Name: field, Message: e.Error()}}}
}

// parseTime returns the time a literal names: RFC 3339, or a date at midnight UTC.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func columnList() string { return strings.Join(Columns(), ", ") }
