package amapi_test

import (
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/amapi"
)

// Bad text for string members, as it appears in a JSON body. Every kind of member
// refuses these; single-line members refuse lineOnly too.
var (
	badText = []string{
		`"a\u0000b"`, `"\u0000"`, `"a\u0001b"`, `"a\u001fb"`, `"a\u007fb"`, `"a\u0080b"`, `"a\u0085b"`,
		`"a\u009fb"`, `"a\u2028b"`, `"a\u2029b"`, `"a\ufffeb"`, `"a\uffffb"`, `"a\ufdd0b"`, `"a\ud83f\udffeb"`,
		`"a\r\nb"`, `"a\rb"`,
		"\"a\xffb\"", "\"a\xc0\x80b\"", "\"\xed\xa0\x80\"", // invalid UTF-8: bytes, overlong NUL, surrogate
		`"a\ud800b"`, `"\udc00"`, `"a\ud800\u0041"`, // unpaired surrogate escapes
	}
	lineOnly = []string{`"\t"`, `"a\tb"`, `"a\nb"`, `"a\n"`}
	// goodFree is accepted by free-text members (and kept as sent).
	goodFree = []string{`"line one\n\tline two\n"`, `"\tindented"`, `"tab\tinside"`, `"caf\u00e9 \ud83d\ude00 \u00a0\u3000"`}
)

// textMember is a string member of a request, with a body template in which BAD stands
// for the member's value.
type textMember struct {
	op, method, target, body string
	field                    string // the fields[] name the error must carry
	free                     bool   // free text: tabs and line feeds are allowed
}

func textMembers(controlID, frameworkID string) []textMember {
	src := `{"sourceName":"s","sourceType":"MANUAL"}`
	ctl := func(members string) string {
		return `{"name":"n","controlMappingSources":[` + src + `]` + members + `}`
	}
	ctlSrc := func(source string) string { return `{"name":"n","controlMappingSources":[` + source + `]}` }
	set := func(members string) string {
		return `{"name":"f","controlSets":[{"name":"S","controls":[{"id":"` + controlID + `"}]` + members + `}]}`
	}
	var out []textMember
	for _, c := range []struct{ op, method, target string }{
		{"CreateControl", "POST", "/controls"},
		{"UpdateControl", "PUT", "/controls/" + controlID},
	} {
		add := func(body, field string, free bool) {
			out = append(out, textMember{c.op, c.method, c.target, body, field, free})
		}
		add(`{"name":BAD,"controlMappingSources":[`+src+`]}`, "name", false)
		add(ctl(`,"description":BAD`), "description", true)
		add(ctl(`,"testingInformation":BAD`), "testingInformation", true)
		add(ctl(`,"actionPlanTitle":BAD`), "actionPlanTitle", false)
		add(ctl(`,"actionPlanInstructions":BAD`), "actionPlanInstructions", true)
		if c.op == "CreateControl" { // UpdateControl has no tags member
			add(ctl(`,"tags":{"k":BAD}`), "tags.k", false)
		}
		add(ctlSrc(`{"sourceName":BAD,"sourceType":"MANUAL"}`), "controlMappingSources[0].sourceName", false)
		add(ctlSrc(`{"sourceName":"s","sourceType":"MANUAL","sourceDescription":BAD}`), "controlMappingSources[0].sourceDescription", true)
		add(ctlSrc(`{"sourceName":"s","sourceType":"MANUAL","troubleshootingText":BAD}`), "controlMappingSources[0].troubleshootingText", true)
		add(ctlSrc(`{"sourceName":"s","sourceType":BAD}`), "controlMappingSources[0].sourceType", false)
		add(ctlSrc(`{"sourceName":"s","sourceType":"MANUAL","sourceFrequency":BAD}`), "controlMappingSources[0].sourceFrequency", false)
		add(ctlSrc(`{"sourceName":"s","sourceType":"AWS_Config","sourceKeyword":{"keywordInputType":"SELECT_FROM_LIST","keywordValue":BAD}}`),
			"controlMappingSources[0].sourceKeyword.keywordValue", false)
		if c.op == "UpdateControl" {
			add(ctlSrc(`{"sourceId":BAD,"sourceName":"s","sourceType":"MANUAL"}`), "controlMappingSources[0].sourceId", false)
		}
	}
	for _, c := range []struct{ op, method, target string }{
		{"CreateAssessmentFramework", "POST", "/assessmentFrameworks"},
		{"UpdateAssessmentFramework", "PUT", "/assessmentFrameworks/" + frameworkID},
	} {
		add := func(body, field string, free bool) {
			out = append(out, textMember{c.op, c.method, c.target, body, field, free})
		}
		add(`{"name":BAD,"controlSets":[{"name":"S","controls":[{"id":"`+controlID+`"}]}]}`, "name", false)
		add(strings.Replace(set(""), `"name":"f"`, `"name":"f","description":BAD`, 1), "description", true)
		add(strings.Replace(set(""), `"name":"f"`, `"name":"f","complianceType":BAD`, 1), "complianceType", false)
		if c.op == "CreateAssessmentFramework" {
			add(strings.Replace(set(""), `"name":"f"`, `"name":"f","tags":{"k":BAD}`, 1), "tags.k", false)
		}
		add(`{"name":"f","controlSets":[{"name":BAD,"controls":[{"id":"`+controlID+`"}]}]}`, "controlSets[0].name", false)
		add(`{"name":"f","controlSets":[{"name":"S","controls":[{"id":BAD}]}]}`, "controlSets[0].controls[0].id", false)
		if c.op == "UpdateAssessmentFramework" {
			add(set(`,"id":BAD`), "controlSets[0].id", false)
		}
	}
	share := "/assessmentFrameworks/" + frameworkID + "/shareRequests"
	out = append(out,
		textMember{"StartAssessmentFrameworkShare", "POST", share, `{"destinationAccount":"111122223333","destinationRegion":"us-east-1","comment":BAD}`, "comment", true},
		textMember{"StartAssessmentFrameworkShare", "POST", share, `{"destinationAccount":BAD,"destinationRegion":"us-east-1"}`, "destinationAccount", false},
		textMember{"UpdateSettings", "PUT", "/settings", `{"snsTopic":BAD}`, "snsTopic", false},
		textMember{"UpdateSettings", "PUT", "/settings", `{"defaultProcessOwners":[{"roleType":"PROCESS_OWNER","roleArn":BAD}]}`, "defaultProcessOwners[0].roleArn", false},
	)
	return out
}

// TestBadTextIsRefused sends every string member of the operations that store text with
// every kind of text the domain refuses: each answers 400 ValidationException naming the
// member (or cannotParse for bodies that are not UTF-8 JSON), on both backends. Free-text
// members keep tabs and line feeds.
func TestBadTextIsRefused(t *testing.T) {
	onBackends(t, func(t *testing.T, h *amapi.Handler) {
		ctlID := mustCreate(t, h, "POST", "/controls", `{"name":"base","controlMappingSources":[{"sourceName":"s","sourceType":"MANUAL"}]}`, "control", "id")
		fwID := mustCreate(t, h, "POST", "/assessmentFrameworks", `{"name":"base fw","controlSets":[{"name":"S","controls":[{"id":"`+ctlID+`"}]}]}`, "framework", "id")
		for _, m := range textMembers(ctlID, fwID) {
			bad := badText
			if !m.free {
				bad = append(slices.Clone(bad), lineOnly...)
			}
			for _, v := range bad {
				body := strings.Replace(m.body, "BAD", v, 1)
				r := send(t, h, m.method, m.target, []byte(body))
				if r.Status != 400 || r.Type != "ValidationException" {
					t.Errorf("%s %s %q: %d %s %s, want 400 ValidationException", m.op, m.field, v, r.Status, r.Type, r.Raw)
					continue
				}
				if r.Body["reason"] == "cannotParse" {
					if !strings.Contains(v, `\ud`) && !strings.Contains(v, `\udc`) && isValidUTF8(v) {
						t.Errorf("%s %s %q: cannotParse for a well-formed body: %s", m.op, m.field, v, r.Raw)
					}
					continue
				}
				if !slices.Contains(r.fieldNames(), m.field) {
					t.Errorf("%s %s %q: fields %v do not name the member: %s", m.op, m.field, v, r.fieldNames(), r.Raw)
				}
			}
			if !m.free {
				continue
			}
			for i, v := range goodFree {
				body := strings.Replace(m.body, "BAD", v, 1)
				// Names are unique per type: give each created object its own.
				body = strings.Replace(body, `"name":"n"`, `"name":"n`+m.op+m.field+strconv.Itoa(i)+`"`, 1)
				body = strings.Replace(body, `"name":"f"`, `"name":"f`+m.op+m.field+strconv.Itoa(i)+`"`, 1)
				// One open share per framework and destination: give each its own.
				body = strings.Replace(body, `"destinationAccount":"111122223333"`, `"destinationAccount":"1111222233`+strconv.Itoa(10+i)+`"`, 1)
				if r := send(t, h, m.method, m.target, []byte(body)); r.Status != 200 {
					t.Errorf("%s %s %q: %d %s, want 200", m.op, m.field, v, r.Status, r.Raw)
				}
			}
		}
	})
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// token is a nextToken as the server writes them: kind, 8 bytes of time, the id.
func token(kind byte, id string) string {
	b := make([]byte, 9, 9+len(id))
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:], 5)
	return base64.StdEncoding.EncodeToString(append(b, id...))
}

// TestForgedTokensAreRefused sends every listing tokens that decode to ids no listing
// writes (NUL, invalid UTF-8, not a UUID, another listing's kind, a non-canonical
// encoding): each answers 400 ValidationException on both backends.
func TestForgedTokensAreRefused(t *testing.T) {
	const uuid = "0123abcd-0123-4567-89ab-0123456789ab"
	listings := []struct {
		target string
		kind   byte
		good   string // an id of the right shape
	}{
		{"/controls?controlType=Custom", 'c', uuid},
		{"/assessmentFrameworks?frameworkType=Custom", 'f', uuid},
		{"/assessmentFrameworkShareRequests?requestType=SENT", 's', uuid},
		{"/dataSourceKeywords?source=AWS_Config", 'k', "AWS_Config"},
		{"/notifications", 'n', uuid},
	}
	onBackends(t, func(t *testing.T, h *amapi.Handler) {
		for _, l := range listings {
			forged := []string{
				"YwAAAAAAAAAF/w==", "YwAAAAAAAAAFAA==",
				token(l.kind, "\x00"), token(l.kind, "\xff"), token(l.kind, "\xff\xfe"), token(l.kind, "a\x00b"),
				token(l.kind, "not-a-uuid"), token(l.kind, strings.ToUpper(uuid)), token(l.kind, uuid+"\x00"),
				token(l.kind, "AWS_Config\x00"), token(l.kind, "MANUAL\xff"),
				token('x', l.good), "", "!!!!",
			}
			if good := token(l.kind, l.good); strings.HasSuffix(good, "==") {
				// The same bytes with padding bits set: decodable, but not what the server writes.
				i := len(good) - 3
				forged = append(forged, good[:i]+string(good[i]+1)+"==")
			}
			if l.kind == 'k' {
				forged = append(forged, token('k', uuid))
			}
			for _, tok := range forged {
				r := send(t, h, "GET", l.target+sep(l.target)+"nextToken="+url.QueryEscape(tok), nil)
				if r.Status != 400 || r.Type != "ValidationException" {
					t.Errorf("%s nextToken %q: %d %s, want 400 ValidationException", l.target, tok, r.Status, r.Raw)
				}
			}
		}
	})
}

func sep(target string) string {
	if strings.Contains(target, "?") {
		return "&"
	}
	return "?"
}

// TestRealTokensStillPage checks that the tokens the server writes are accepted.
func TestRealTokensStillPage(t *testing.T) {
	onBackends(t, func(t *testing.T, h *amapi.Handler) {
		for _, name := range []string{"one", "two"} {
			mustCreate(t, h, "POST", "/controls", `{"name":"`+name+`","controlMappingSources":[{"sourceName":"s","sourceType":"MANUAL"}]}`, "control", "id")
		}
		for _, target := range []string{"/controls?controlType=Custom&maxResults=1", "/dataSourceKeywords?source=AWS_Config&maxResults=1"} {
			r := send(t, h, "GET", target, nil)
			tok, _ := r.Body["nextToken"].(string)
			if r.Status != 200 || tok == "" {
				t.Fatalf("%s = %d %s, want a page and a token", target, r.Status, r.Raw)
			}
			if r := send(t, h, "GET", target+"&nextToken="+url.QueryEscape(tok), nil); r.Status != 200 {
				t.Fatalf("%s with its own token = %d %s", target, r.Status, r.Raw)
			}
		}
	})
}

// TestBadResourceARNs sends the tag operations ARNs whose resource id is NUL, invalid
// UTF-8 or another control character (400 ValidationException), or text that names no
// stored resource (404), on both backends.
func TestBadResourceARNs(t *testing.T) {
	const prefix = "arn%3Aaws%3Aauditmanager%3Aus-east-1%3A000000000000%3A"
	ops := []struct{ method, query, body string }{
		{"GET", "", ""},
		{"POST", "", `{"tags":{"a":"b"}}`},
		{"DELETE", "?tagKeys=a", ""},
		{"DELETE", "", ""},
	}
	onBackends(t, func(t *testing.T, h *amapi.Handler) {
		for _, op := range ops {
			for _, id := range []string{"control%2F%00", "control%2F%FF", "control%2Fa%00b", "assessmentFramework%2F%C0%80",
				"control%2F%ED%A0%80", "control%2F%0A", "control%2F%C2%85", "control%2F%E2%80%A8", "control%2F%7F", "%00%2F%00"} {
				r := send(t, h, op.method, "/tags/"+prefix+id+op.query, []byte(op.body))
				if r.Status != 400 || r.Type != "ValidationException" {
					t.Errorf("%s %s%s: %d %s, want 400 ValidationException", op.method, id, op.query, r.Status, r.Raw)
				}
			}
			for _, id := range []string{"control%2Fnot-a-uuid", "control%2F", "assessmentFramework%2F0123abcd-0123-4567-89ab-0123456789ab", "nothing%2Fx"} {
				r := send(t, h, op.method, "/tags/"+prefix+id+op.query, []byte(op.body))
				if r.Status != 404 || r.Type != "ResourceNotFoundException" {
					t.Errorf("%s %s%s: %d %s, want 404 ResourceNotFoundException", op.method, id, op.query, r.Status, r.Raw)
				}
			}
		}
	})
}

// TestBadPathIDsAreRefused sends every served operation each bad value of each of its id
// path members, the others good: each answers 400 ValidationException naming that member,
// before the operation reads a body or the store. Ids are UUIDs; controlSetId (also a query
// member of GetChangeLogs) is 1 to 300 characters of single-line text.
func TestBadPathIDsAreRefused(t *testing.T) {
	const uuid = "0123abcd-0123-4567-89ab-0123456789ab"
	bad := map[string][]string{
		"controlSetId": {"a%0Ab", "a%01b", "a%09b", strings.Repeat("x", 301)},
	}
	good := map[string]string{"controlSetId": "Set%20A"}
	for _, name := range []string{"assessmentId", "assessmentReportId", "controlId", "evidenceFolderId", "evidenceId", "frameworkId", "requestId"} {
		bad[name] = []string{"not-a-uuid", "0123abcd-0123-4567-89ab-0123456789ag", uuid[:35], uuid + "0", "0123abcd0123-4567-89ab-0123456789abc"}
		good[name] = uuid
	}
	label := regexp.MustCompile(`\{([^}+]+)\+?\}`)
	h := newHandler(t, sqliteStore(t), nil)
	tried := map[string]bool{}
	sent := 0
	for _, op := range amapi.Operations() {
		if !amapi.Served(op.Name) {
			continue
		}
		path, _, _ := strings.Cut(op.URI, "?")
		for _, m := range label.FindAllStringSubmatch(path, -1) {
			if bad[m[1]] == nil {
				continue // resourceArn, attribute: checked by their own tests
			}
			tried[m[1]] = true
			sent++
			for _, v := range bad[m[1]] {
				target := label.ReplaceAllStringFunc(path, func(l string) string {
					if n := label.FindStringSubmatch(l)[1]; n != m[1] {
						return good[n]
					}
					return v
				})
				r := send(t, h, op.Method, target, []byte("{}"))
				if r.Status != 400 || r.Type != "ValidationException" || !slices.Equal(r.fieldNames(), []string{m[1]}) {
					t.Errorf("%s %s %s: %d %s fields %v, want 400 ValidationException naming %s: %s",
						op.Name, op.Method, target, r.Status, r.Type, r.fieldNames(), m[1], r.Raw)
				}
			}
		}
	}
	// GetChangeLogs takes the same controlSetId in its query.
	for _, v := range bad["controlSetId"] {
		target := "/assessments/" + uuid + "/changelogs?controlSetId=" + v
		if r := send(t, h, "GET", target, nil); r.Status != 400 || !slices.Equal(r.fieldNames(), []string{"controlSetId"}) {
			t.Errorf("GET %s: %d fields %v, want 400 naming controlSetId: %s", target, r.Status, r.fieldNames(), r.Raw)
		}
	}
	if sent < 40 {
		t.Errorf("%d operations' id members tried, want every served one's", sent)
	}
	for name := range bad {
		if !tried[name] {
			t.Errorf("no served operation has the path member %s", name)
		}
	}
}
