package amapi_test

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/amapi"
)

// FuzzAPI sends signed requests built from (operation, path label, query, body) to every
// served operation through the real handler and store. No request may panic or answer
// a 5xx: bad input is a 4xx with a JSON body. It runs on SQLite; set
// PROBITY_FUZZ_POSTGRES=1 (with PROBITY_TEST_POSTGRES) to fuzz PostgreSQL instead.
//
// An empty label stands for an existing resource of the label's kind, so that updates,
// tags and shares reach the store.
func FuzzAPI(f *testing.F) {
	open := sqliteStore
	if os.Getenv("PROBITY_FUZZ_POSTGRES") != "" {
		open = postgresStore
	}
	h := newHandler(f, open(f), nil)
	ctlID := mustCreate(f, h, "POST", "/controls", `{"name":"fuzz base","controlMappingSources":[{"sourceName":"s","sourceType":"MANUAL"}]}`, "control", "id")
	fwID := mustCreate(f, h, "POST", "/assessmentFrameworks", `{"name":"fuzz base","controlSets":[{"name":"S","controls":[{"id":"`+ctlID+`"}]}]}`, "framework", "id")
	shareID := mustCreate(f, h, "POST", "/assessmentFrameworks/"+fwID+"/shareRequests",
		`{"destinationAccount":"111122223333","destinationRegion":"us-east-1"}`, "assessmentFrameworkShareRequest", "id")
	existing := map[string]string{
		"controlId":   ctlID,
		"frameworkId": fwID,
		"requestId":   shareID,
		"resourceArn": url.PathEscape("arn:aws:auditmanager:us-east-1:000000000000:control/" + ctlID),
		"attribute":   "ALL",
	}

	var ops []amapi.Operation
	for _, op := range amapi.Operations() {
		if amapi.Served(op.Name) {
			ops = append(ops, op)
		}
	}
	seeds := map[string][]struct{ label, query, body string }{
		"CreateControl": {
			{"", "", `{"name":"n","description":"d\n\tx","controlMappingSources":[{"sourceName":"s","sourceType":"AWS_Config","sourceKeyword":{"keywordInputType":"SELECT_FROM_LIST","keywordValue":"S3_BUCKET_VERSIONING_ENABLED"}}],"tags":{"k":"v"}}`},
			{"", "", `{"name":"a\u0000b","controlMappingSources":[{"sourceName":"s","sourceType":"MANUAL"}]}`},
			{"", "", "{\"name\":\"a\xffb\",\"controlMappingSources\":[{\"sourceName\":\"s\",\"sourceType\":\"MANUAL\"}]}"},
		},
		"UpdateControl":                        {{"", "", `{"name":"fuzz base","controlMappingSources":[{"sourceId":"` + ctlID + `","sourceName":"s2","sourceType":"MANUAL"}]}`}},
		"CreateAssessmentFramework":            {{"", "", `{"name":"f","controlSets":[{"name":"S","controls":[{"id":"` + ctlID + `"}]}]}`}},
		"UpdateAssessmentFramework":            {{"", "", `{"name":"f2","complianceType":"x\u2028","controlSets":[{"id":"x","name":"S","controls":[{"id":"` + ctlID + `"}]}]}`}},
		"ListControls":                         {{"", "controlType=Custom&nextToken=YwAAAAAAAAAF/w==", ""}, {"", "controlType=Custom&maxResults=1", ""}},
		"ListAssessmentFrameworks":             {{"", "frameworkType=Custom&nextToken=ZgAAAAAAAAAFAA==", ""}},
		"ListAssessmentFrameworkShareRequests": {{"", "requestType=SENT&nextToken=cwAAAAAAAAAF/w==", ""}},
		"ListKeywordsForDataSource":            {{"", "source=AWS_Config&maxResults=2", ""}},
		"ListNotifications":                    {{"", "nextToken=bgAAAAAAAAAFAA==", ""}},
		"TagResource":                          {{"", "", `{"tags":{"a":"b"}}`}, {"arn:aws:auditmanager:us-east-1:000000000000:control/\x00", "", `{"tags":{"a":"b"}}`}},
		"UntagResource":                        {{"", "tagKeys=a", ""}, {"", "", ""}},
		"ListTagsForResource":                  {{"arn:aws:auditmanager:us-east-1:000000000000:control/\xff", "", ""}},
		"StartAssessmentFrameworkShare":        {{"", "", `{"destinationAccount":"111122223333","destinationRegion":"us-east-1","comment":"c\u0000"}`}},
		"UpdateAssessmentFrameworkShare":       {{"", "", `{"requestType":"SENT","action":"REVOKE"}`}},
		"DeleteAssessmentFrameworkShare":       {{"", "requestType=SENT", ""}},
		"UpdateSettings":                       {{"", "", `{"snsTopic":"arn:aws:sns:us-east-1:000000000000:t\u0000"}`}},
		"GetSettings":                          {{"", "", ""}},
	}
	for i, op := range ops {
		f.Add(uint8(i), "", "", []byte(nil))
		for _, s := range seeds[op.Name] {
			f.Add(uint8(i), s.label, s.query, []byte(s.body))
		}
	}

	label := regexp.MustCompile(`\{([^}]+)\}`)
	f.Fuzz(func(t *testing.T, opIndex uint8, value, query string, body []byte) {
		op := ops[int(opIndex)%len(ops)]
		path := label.ReplaceAllStringFunc(op.URI, func(l string) string {
			if value == "" {
				return existing[strings.Trim(l, "{}")]
			}
			return url.PathEscape(value)
		})
		if path, _, _ = strings.Cut(path, "?"); strings.Contains(op.URI, "?") {
			// Fixed query members of the route (none among the served operations today).
			return
		}
		vals, err := url.ParseQuery(query)
		if err != nil {
			return // not a query string a client could send
		}
		target := path
		if len(vals) > 0 {
			target += "?" + vals.Encode()
		}
		r := send(t, h, op.Method, target, body)
		if r.Status >= 500 {
			t.Fatalf("%s %s %q: %d %s", op.Name, target, body, r.Status, r.Raw)
		}
	})
}
