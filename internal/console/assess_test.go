package console_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/consoletest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// otherAccount holds a key that must see nothing of consoletest.Account's assessments.
const otherAccount = "444455556666"

// assessEnv is an Env with evidence and the people of an assessment: Owner (the editor
// key, its PROCESS_OWNER), Delegate (an editor key its owner delegates a control set to,
// RESOURCE_OWNER), Admin (no role, but an admin key), Viewer (a viewer key named a
// PROCESS_OWNER too: its level still forbids every change), Outsider (an editor key with
// no role) and Other (an admin key of another account).
type assessEnv struct {
	*consoletest.Env
	Keys map[string]consoletest.Key
}

var people = []string{"owner", "delegate", "admin", "viewer", "outsider", "other"}

func newAssessEnv(t *testing.T, st store.Store, cfg console.Config) *assessEnv {
	e := consoletest.New(t, st, console.Config{}).WithEvidence(t, cfg)
	return &assessEnv{Env: e, Keys: map[string]consoletest.Key{
		"owner":    e.Keys[auth.Editor],
		"admin":    e.Keys[auth.Admin],
		"viewer":   e.Keys[auth.Viewer],
		"delegate": e.AddKey(t, "delegate-key", auth.Editor, "", ""),
		"outsider": e.AddKey(t, "outsider-key", auth.Editor, "", ""),
		"other":    e.AddKey(t, "other-key", auth.Admin, otherAccount, ""),
	}}
}

func (e *assessEnv) as(t *testing.T, who string) *consoletest.Client {
	return e.SignInKey(t, e.Keys[who])
}

// wizard is a valid create form of the Env's custom framework with owner as its
// PROCESS_OWNER and viewer's identity named too.
func (e *assessEnv) wizard(name string) url.Values {
	return url.Values{"name": {name}, "framework": {e.Framework.ID}, "accounts": {consoletest.Account + ", audit@example.com, Prod"},
		"services": {"s3, iam"}, "owners": {e.Keys["owner"].Principal.ARN + "\n" + e.Keys["viewer"].Principal.ARN},
		"resourceOwners": {""}, "destination": {"s3://reports-bucket/probity"}}
}

var assessmentLink = regexp.MustCompile(`^/ui/assessments/([0-9a-f-]{36})\?done=created$`)

// create creates an assessment through the wizard as the owner and returns its id and
// its control set's.
func (e *assessEnv) create(t *testing.T, name string) (id, set string) {
	t.Helper()
	c := e.as(t, "owner")
	c.Get("/ui/assessments/new")
	r := c.Post("/ui/assessments/new", e.wizard(name))
	m := assessmentLink.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	a, err := e.Assess.Get(t.Context(), e.Keys["owner"].Principal, m[1])
	if err != nil {
		t.Fatal(err)
	}
	return a.ID, a.ControlSets[0].ID
}

// TestAssessmentWizard: the create wizard is an editor's; a refused form says what to
// fix next to each field, keeping what was entered; a forged POST is refused.
func TestAssessmentWizard(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		e := newAssessEnv(t, st, console.Config{})
		if r := e.as(t, "viewer").Get("/ui/assessments/new"); r.Status != http.StatusForbidden {
			t.Errorf("viewer GET wizard: %d", r.Status)
		}
		c := e.as(t, "owner")
		r := c.Get("/ui/assessments/new")
		checkPage(t, "wizard", r)
		for _, want := range []string{"Step 1 of 4", "Step 4 of 4", "Custom framework", e.Keys["owner"].Principal.ARN} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("wizard does not show %q", want)
			}
		}
		tests := []struct {
			name   string
			change func(url.Values)
			field  string // the field whose error the page shows
			says   string
		}{
			{"no name", func(v url.Values) { v.Set("name", "") }, "name", "Is required"},
			{"no framework", func(v url.Values) { v.Set("framework", "") }, "framework", "UUID"},
			{"unknown framework", func(v url.Values) { v.Set("framework", probity.NewID()) }, "framework", "Choose a framework"},
			{"bad account", func(v url.Values) { v.Set("accounts", consoletest.Account+"\n12") }, "accounts", "Line 2: id must be 12 digits"},
			{"no account", func(v url.Values) { v.Set("accounts", "") }, "accounts", "at least 1 account"},
			{"bad service", func(v url.Values) { v.Set("services", "s3, bad!service") }, "services", "Line 2"},
			{"no owner", func(v url.Values) { v.Set("owners", "") }, "owners", "PROCESS_OWNER"},
			{"bad owner", func(v url.Values) { v.Set("owners", "arn:aws:iam::111122223333:role/A\nnot-an-arn") }, "owners", "Line 2"},
			{"bad resource owner", func(v url.Values) { v.Set("resourceOwners", "arn:aws:iam::111122223333:role/B\nnope") }, "resourceOwners", "Line 2"},
			{"bad destination", func(v url.Values) { v.Set("destination", "ftp://x") }, "destination", "s3://BUCKET"},
			{"no destination", func(v url.Values) { v.Set("destination", "") }, "destination", "required"},
		}
		for _, tt := range tests {
			v := e.wizard("Wizard " + tt.name)
			tt.change(v)
			r := c.Post("/ui/assessments/new", v)
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400\n%s", tt.name, r.Status, r.Body)
				continue
			}
			checkPage(t, tt.name, r)
			m := regexp.MustCompile(`id="` + tt.field + `-error">([^<]*)<`).FindStringSubmatch(r.Body)
			if m == nil || !strings.Contains(m[1], tt.says) {
				t.Errorf("%s: the %s field's error is %q, want it to say %q", tt.name, tt.field, m, tt.says)
			}
			if !strings.Contains(r.Body, `aria-describedby="`) || !strings.Contains(r.Body, `aria-invalid="true"`) {
				t.Errorf("%s: the field is not marked invalid", tt.name)
			}
			if tt.name != "no name" && !strings.Contains(r.Body, `value="Wizard `+tt.name+`"`) {
				t.Errorf("%s: the page does not keep the name entered", tt.name)
			}
		}
		// Forged: no CSRF token; a viewer's POST.
		v := e.wizard("Forged")
		v.Set("csrf", "")
		if r := c.Post("/ui/assessments/new", v); r.Status != http.StatusForbidden {
			t.Errorf("POST without the CSRF token: %d", r.Status)
		}
		vc := e.as(t, "viewer")
		if r := vc.Post("/ui/assessments/new", e.wizard("By a viewer")); r.Status != http.StatusForbidden {
			t.Errorf("viewer POST: %d", r.Status)
		}
		as, err := e.Assess.List(t.Context(), e.Keys["admin"].Principal, "", store.Cursor{}, 100)
		if err != nil || len(as) != 0 {
			t.Fatalf("refused forms made assessments: %d %v", len(as), err)
		}
		id, _ := e.create(t, "Made by the wizard")
		a, err := e.Assess.Get(t.Context(), e.Keys["admin"].Principal, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Framework.ID != e.Framework.ID || len(a.Roles) != 2 || a.Roles[0].Type != probity.RoleProcessOwner ||
			len(a.Scope.Accounts) != 1 || a.Scope.Accounts[0].Name != "Prod" || len(a.Scope.Services) != 2 ||
			a.ReportsDestination.Destination != "s3://reports-bucket/probity" {
			t.Errorf("the wizard made %+v", a)
		}
	})
}

// TestAssessmentList: the list filters by status, pages, and is everyone's in the account
// and no one's outside it.
func TestAssessmentList(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		e := newAssessEnv(t, st, console.Config{})
		owner := e.Keys["owner"].Principal
		var first string
		for i := range 52 {
			a, err := e.Assess.Create(t.Context(), owner, assess.Input{Name: fmt.Sprintf("Listed %02d", i), FrameworkID: e.Framework.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: consoletest.Account}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = a.ID
			}
			e.Clock.Advance(1)
		}
		if _, err := e.Assess.UpdateStatus(t.Context(), owner, first, probity.AssessmentInactive); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"viewer", "owner", "admin"} {
			c := e.as(t, who)
			r := c.Get("/ui/assessments")
			checkPage(t, who+" list", r)
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "Listed 00") || strings.Contains(r.Body, "Listed 50") {
				t.Fatalf("%s: first page %d", who, r.Status)
			}
			if strings.Contains(r.Body, "Create an assessment") != (who != "viewer") {
				t.Errorf("%s: the create link shown: %v", who, who == "viewer")
			}
			m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatalf("%s: no next page link", who)
			}
			r = c.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
			if !strings.Contains(r.Body, "Listed 50") || !strings.Contains(r.Body, "Listed 51") || strings.Contains(r.Body, "Listed 49") {
				t.Errorf("%s: the second page is wrong:\n%s", who, r.Body)
			}
			r = c.Get("/ui/assessments?status=INACTIVE")
			if !strings.Contains(r.Body, "Listed 00") || strings.Contains(r.Body, "Listed 01") {
				t.Errorf("%s: INACTIVE filter", who)
			}
			r = c.Get("/ui/assessments?status=ACTIVE")
			if strings.Contains(r.Body, "Listed 00<") || !strings.Contains(r.Body, "Listed 01") {
				t.Errorf("%s: ACTIVE filter", who)
			}
		}
		c := e.as(t, "other")
		if r := c.Get("/ui/assessments"); strings.Contains(r.Body, "Listed") {
			t.Errorf("another account's key sees the assessments")
		}
		if r := c.Get("/ui/assessments/" + first); r.Status != http.StatusNotFound {
			t.Errorf("another account's key GET the assessment: %d", r.Status)
		}
		for _, bad := range []string{"?status=DONE", "?after=nonsense"} {
			if r := c.Get("/ui/assessments" + bad); r.Status != http.StatusBadRequest {
				t.Errorf("GET %s: %d", bad, r.Status)
			}
		}
	})
}

// multipartFile returns a multipart body with the CSRF token and the file.
func multipartFile(t *testing.T, csrf, field, name string, data []byte) (string, *bytes.Buffer) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	if name != "" {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), &b
}

func postFile(t *testing.T, e *consoletest.Env, c *consoletest.Client, path, name string, data []byte) *consoletest.Response {
	t.Helper()
	ctype, body := multipartFile(t, c.CSRF(), "file", name, data)
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	return c.Do(req)
}

var folderLink = regexp.MustCompile(`href="(/ui/assessments/[^"]+/folders/[^"]+)"`)
var evidenceLink = regexp.MustCompile(`href="(/ui/assessments/[^"]+/folders/[^"]+/evidence/[^"/]+)"`)

// TestAssessmentReview runs the review of an assessment through its forms with each
// person: what each sees, what each may post (and a forged post), manual evidence by
// text, by the plain file form and by the upload URL route, the evidence folder and item
// pages and the file download, delegation, review, submission, notifications and the
// end of the assessment.
func TestAssessmentReview(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		e := newAssessEnv(t, st, console.Config{})
		id, set := e.create(t, "Review <b>test</b>")
		ctl := e.Custom.ID
		page := "/ui/assessments/" + id
		ctlPage := page + "/sets/" + set + "/controls/" + ctl
		c := map[string]*consoletest.Client{}
		for _, who := range people {
			c[who] = e.as(t, who)
		}
		notFound, denied := http.StatusNotFound, http.StatusForbidden

		// Before any delegation: the delegate is an outsider.
		post := func(who, path string, form url.Values) *consoletest.Response {
			t.Helper()
			c[who].Get(ctlPage) // a page of the session, for the CSRF token
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			return c[who].Post(path, f)
		}
		want := func(what string, r *consoletest.Response, status int) {
			t.Helper()
			if r.Status != status {
				t.Errorf("%s: status %d, want %d\n%.2000s", what, r.Status, status, r.Body)
			}
			checkPage(t, what, r)
		}
		delegateForm := url.Values{"controlSet": {set}, "roleArn": {e.Keys["delegate"].Principal.ARN}, "comment": {"Please review"}}
		want("viewer delegates", post("viewer", page+"/delegations", delegateForm), denied)
		want("outsider delegates", post("outsider", page+"/delegations", delegateForm), denied)
		want("delegate delegates to itself", post("delegate", page+"/delegations", delegateForm), denied)
		want("other account delegates", post("other", page+"/delegations", delegateForm), notFound)
		forged := url.Values{"controlSet": {set}, "roleArn": {e.Keys["delegate"].Principal.ARN}, "csrf": {""}}
		want("forged delegation", post("owner", page+"/delegations", forged), denied)
		bad := post("owner", page+"/delegations", url.Values{"controlSet": {set}, "roleArn": {"arn:aws:iam::999999999999:user/x"}})
		want("delegation to another account's identity", bad, http.StatusBadRequest)
		if !strings.Contains(bad.Body, `id="roleArn-error"`) {
			t.Errorf("the refused delegation has no error at its field:\n%s", bad.Body)
		}
		want("delegation of an unknown set", post("owner", page+"/delegations", url.Values{"controlSet": {probity.NewID()}, "roleArn": {e.Keys["delegate"].Principal.ARN}}), http.StatusBadRequest)
		want("owner delegates", post("owner", page+"/delegations", delegateForm), http.StatusSeeOther)
		want("owner delegates again", post("owner", page+"/delegations", delegateForm), http.StatusBadRequest)

		// What each sees on the assessment's page and the control's.
		type view struct {
			status                   int
			delegate, submit, setAll bool // forms shown on the assessment page
			review, upload, evidence bool // on the control page
		}
		views := map[string]view{
			"owner":    {200, true, true, true, true, true, true},
			"admin":    {200, true, true, true, true, true, true},
			"delegate": {200, false, true, false, true, true, true},
			"viewer":   {200, false, false, false, false, false, true}, // a PROCESS_OWNER by role, a viewer by key
			"outsider": {200, false, false, false, false, false, false},
			"other":    {notFound, false, false, false, false, false, false},
		}
		for who, v := range views {
			r := c[who].Get(page)
			want(who+" GET assessment", r, v.status)
			if v.status != 200 {
				want(who+" GET control", c[who].Get(ctlPage), v.status)
				continue
			}
			if strings.Contains(r.Body, "<b>test</b>") || strings.Contains(r.Body, "<script>alert") {
				t.Errorf("%s: the page shows markup unescaped", who)
			}
			got := view{status: r.Status, delegate: strings.Contains(r.Body, "Delegate a control set"),
				submit: strings.Contains(r.Body, "/sets/"+set+"/status"), setAll: strings.Contains(r.Body, "REVIEWED (completes")}
			r = c[who].Get(ctlPage)
			want(who+" GET control", r, 200)
			got.review = strings.Contains(r.Body, "Save the review")
			got.upload = strings.Contains(r.Body, "/evidence/file") && strings.Contains(r.Body, "/evidence/text")
			got.evidence = !strings.Contains(r.Body, "may not read the evidence")
			if got != v {
				t.Errorf("%s sees %+v, want %+v", who, got, v)
			}
			if strings.Contains(r.Body, "/evidence/upload") != v.upload || strings.Contains(r.Body, "/evidence/import") != v.upload {
				t.Errorf("%s: the drag-and-drop upload's URLs shown: %v", who, !v.upload)
			}
		}

		// Manual evidence: text.
		long := strings.Repeat("x", 1001)
		for who, status := range map[string]int{"viewer": denied, "outsider": denied, "other": notFound} {
			want(who+" posts text", post(who, ctlPage+"/evidence/text", url.Values{"text": {"no"}}), status)
		}
		r := post("delegate", ctlPage+"/evidence/text", url.Values{"text": {long}})
		want("too long text", r, http.StatusBadRequest)
		if !strings.Contains(r.Body, `id="text-error"`) || !strings.Contains(r.Body, long) {
			t.Errorf("the refused text is not kept with its error")
		}
		want("forged text", post("delegate", ctlPage+"/evidence/text", url.Values{"text": {"x"}, "csrf": {""}}), denied)
		want("delegate's text", post("delegate", ctlPage+"/evidence/text", url.Values{"text": {"The access review of March is done."}}), http.StatusSeeOther)

		// The plain file form.
		c["delegate"].Get(ctlPage)
		want("no file", postFile(t, e.Env, c["delegate"], ctlPage+"/evidence/file", "", nil), http.StatusBadRequest)
		c["delegate"].Get(ctlPage)
		fileData := []byte("policy,owner\nMFA,security\n")
		want("delegate's file", postFile(t, e.Env, c["delegate"], ctlPage+"/evidence/file", `C:\reports\access "review".csv`, fileData), http.StatusSeeOther)
		for who, status := range map[string]int{"viewer": denied, "outsider": denied, "other": notFound} {
			c[who].Get("/ui/")
			want(who+" posts a file", postFile(t, e.Env, c[who], ctlPage+"/evidence/file", "x.txt", []byte("x")), status)
		}
		c["owner"].Get(ctlPage)
		ctype, body := multipartFile(t, "", "file", "x.txt", []byte("x"))
		req, _ := http.NewRequest(http.MethodPost, e.Server.URL+ctlPage+"/evidence/file", body)
		req.Header.Set("Content-Type", ctype)
		want("forged file", c["owner"].Do(req), denied)

		// The upload URL route: issue, PUT, import.
		for who, status := range map[string]int{"viewer": denied, "outsider": denied, "other": notFound} {
			want(who+" asks for an upload URL", post(who, ctlPage+"/evidence/upload", url.Values{"fileName": {"a.txt"}}), status)
		}
		want("upload URL for a bad name", post("owner", ctlPage+"/evidence/upload", url.Values{"fileName": {"a/b"}}), http.StatusBadRequest)
		r = post("owner", ctlPage+"/evidence/upload", url.Values{"fileName": {"screenshot.png"}})
		want("owner asks for an upload URL", r, http.StatusOK)
		var grant struct{ EvidenceFileName, UploadURL string }
		if err := json.Unmarshal([]byte(r.Body), &grant); err != nil || !strings.HasPrefix(grant.UploadURL, "/uploads/") {
			t.Fatalf("upload URL answer %q: %v", r.Body, err)
		}
		put, _ := http.NewRequest(http.MethodPut, e.Server.URL+grant.UploadURL, strings.NewReader("PNG bytes"))
		if resp, err := http.DefaultClient.Do(put); err != nil || resp.StatusCode != 200 {
			t.Fatalf("PUT to the upload URL: %v %v", resp, err)
		}
		want("outsider imports the owner's upload", post("outsider", ctlPage+"/evidence/import", url.Values{"evidenceFileName": {grant.EvidenceFileName}}), denied)
		want("import of no upload", post("owner", ctlPage+"/evidence/import", url.Values{"evidenceFileName": {probity.NewID() + "_x.txt"}}), http.StatusBadRequest)
		want("owner imports the upload", post("owner", ctlPage+"/evidence/import", url.Values{"evidenceFileName": {grant.EvidenceFileName}}), http.StatusSeeOther)

		// The folder, its items, and the file.
		r = c["delegate"].Get(ctlPage)
		fm := folderLink.FindStringSubmatch(r.Body)
		if fm == nil {
			t.Fatalf("the control page lists no folder:\n%s", r.Body)
		}
		folder := fm[1]
		r = c["delegate"].Get(folder)
		want("delegate GET folder", r, 200)
		if !strings.Contains(r.Body, "<dt>Evidence</dt><dd>3</dd>") || !strings.Contains(r.Body, "<dt>Manual</dt><dd>3</dd>") {
			t.Errorf("the folder's counts are not 3 manual evidence:\n%s", r.Body)
		}
		items := evidenceLink.FindAllStringSubmatch(r.Body, -1)
		if len(items) != 3 {
			t.Fatalf("the folder lists %d evidence, want 3", len(items))
		}
		var csvItem string
		for _, it := range items {
			r := c["delegate"].Get(it[1])
			want("delegate GET evidence", r, 200)
			for _, s := range []string{"Chain position", "sha256:", "Record (JSON, as GetEvidence returns it)", "&#34;evidenceFolderId&#34;", "&#34;assessmentReportSelection&#34;"} {
				if !strings.Contains(r.Body, s) {
					t.Errorf("the evidence page does not show %q", s)
				}
			}
			if strings.Contains(r.Body, `access &#34;review&#34;.csv`) || strings.Contains(r.Body, `access "review".csv`) {
				csvItem = it[1]
			}
		}
		if csvItem == "" {
			t.Fatal("no evidence item names the uploaded file")
		}
		for who, v := range views {
			status := 200
			switch {
			case v.status != 200:
				status = notFound
			case !v.evidence:
				status = denied
			}
			want(who+" GET folder", c[who].Get(folder), status)
			want(who+" GET evidence", c[who].Get(csvItem), status)
			r := c[who].Get(csvItem + "/file")
			if r.Status != status {
				t.Errorf("%s GET file: %d, want %d", who, r.Status, status)
			}
			if status == 200 && (r.Body != string(fileData) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") ||
				!strings.Contains(r.Header.Get("Content-Disposition"), "review") || r.Header.Get("Content-Type") != "application/octet-stream") {
				t.Errorf("%s: the download is %q %v", who, r.Body, r.Header)
			}
		}
		want("folder page of no folder", c["owner"].Get(page+"/sets/"+set+"/folders/"+probity.NewID()), notFound)
		want("folder page bad cursor", c["owner"].Get(folder+"?after=x"), http.StatusBadRequest)

		// Review: status and comment.
		for who, status := range map[string]int{"viewer": denied, "outsider": denied, "other": notFound} {
			want(who+" reviews", post(who, ctlPage+"/review", url.Values{"status": {"REVIEWED"}}), status)
		}
		r = post("delegate", ctlPage+"/review", url.Values{"status": {"REVIEWED"}, "comment": {strings.Repeat("c", 501)}})
		want("too long comment", r, http.StatusBadRequest)
		if !strings.Contains(r.Body, `id="comment-error"`) {
			t.Errorf("the long comment's error is not at its field")
		}
		want("bad status", post("delegate", ctlPage+"/review", url.Values{"status": {"DONE"}}), http.StatusBadRequest)
		want("forged review", post("delegate", ctlPage+"/review", url.Values{"status": {"REVIEWED"}, "csrf": {""}}), denied)
		want("delegate reviews", post("delegate", ctlPage+"/review", url.Values{"status": {"REVIEWED"}, "comment": {"Evidence <ok>"}}), http.StatusSeeOther)
		r = c["owner"].Get(ctlPage)
		if !strings.Contains(r.Body, "Evidence &lt;ok&gt;") || !strings.Contains(r.Body, "delegate-key") || !strings.Contains(r.Body, "status-REVIEWED") {
			t.Errorf("the owner does not see the delegate's review:\n%s", r.Body)
		}

		// Control set status: the delegate submits, may not complete; the owner completes.
		setStatus := page + "/sets/" + set + "/status"
		want("delegate completes", post("delegate", setStatus, url.Values{"status": {"REVIEWED"}}), denied)
		want("viewer submits", post("viewer", setStatus, url.Values{"status": {"UNDER_REVIEW"}}), denied)
		want("outsider submits", post("outsider", setStatus, url.Values{"status": {"UNDER_REVIEW"}}), denied)
		r = post("delegate", setStatus, url.Values{"status": {"UNDER_REVIEW"}, "comment": {strings.Repeat("s", 351)}})
		want("too long set comment", r, http.StatusBadRequest)
		if !strings.Contains(r.Body, `id="setcomment-`+set+`-error"`) {
			t.Errorf("the set comment's error is not at its field")
		}
		want("delegate submits", post("delegate", setStatus, url.Values{"status": {"UNDER_REVIEW"}, "comment": {"Done"}}), http.StatusSeeOther)
		r = c["delegate"].Get("/ui/notifications")
		want("delegate notifications", r, 200)
		if !strings.Contains(r.Body, "Review &lt;b&gt;test&lt;/b&gt;") || !strings.Contains(r.Body, "submitted control set") {
			t.Errorf("the delegate's notifications:\n%s", r.Body)
		}
		r = c["owner"].Get("/ui/notifications")
		if !strings.Contains(r.Body, "submitted control set") {
			t.Errorf("the owner is not told of the submission:\n%s", r.Body)
		}
		if r := c["other"].Get("/ui/notifications"); strings.Contains(r.Body, "Review &lt;b&gt;") {
			t.Errorf("another account's key sees the notifications")
		}
		want("owner completes", post("owner", setStatus, url.Values{"status": {"REVIEWED"}}), http.StatusSeeOther)

		// The delegation completed: the delegate may no longer review or import.
		r = c["delegate"].Get(ctlPage)
		if strings.Contains(r.Body, "Save the review") || strings.Contains(r.Body, "/evidence/file") {
			t.Errorf("the completed delegate still sees the forms")
		}
		want("completed delegate posts text", post("delegate", ctlPage+"/evidence/text", url.Values{"text": {"late"}}), denied)

		// Delete the delegation; then make the assessment INACTIVE.
		a, err := e.Assess.Get(t.Context(), e.Keys["admin"].Principal, id)
		if err != nil || len(a.Delegations) != 1 {
			t.Fatalf("delegations: %v %v", a, err)
		}
		dl := url.Values{"delegation": {a.Delegations[0].ID}}
		want("delegate deletes", post("delegate", page+"/delegations/delete", dl), denied)
		want("viewer deletes", post("viewer", page+"/delegations/delete", dl), denied)
		want("owner deletes", post("owner", page+"/delegations/delete", dl), http.StatusSeeOther)
		want("owner deletes again", post("owner", page+"/delegations/delete", dl), notFound)
		want("delegate ends", post("delegate", page+"/status", url.Values{"status": {"INACTIVE"}}), denied)
		want("viewer ends", post("viewer", page+"/status", url.Values{"status": {"INACTIVE"}}), denied)
		want("forged end", post("owner", page+"/status", url.Values{"status": {"INACTIVE"}, "csrf": {""}}), denied)
		want("owner ends", post("owner", page+"/status", url.Values{"status": {"INACTIVE"}}), http.StatusSeeOther)
		r = c["owner"].Get(page)
		if !strings.Contains(r.Body, "status-INACTIVE") || strings.Contains(r.Body, "Delegate a control set") || strings.Contains(r.Body, "Make the assessment INACTIVE") {
			t.Errorf("the INACTIVE assessment still offers changes")
		}
		want("owner ends again", post("owner", page+"/status", url.Values{"status": {"ACTIVE"}}), http.StatusBadRequest)
	})
}

// TestEvidenceFileBound: the plain file form is bounded by MaxUploadBytes (413), and
// other forms stay bounded by MaxBodyBytes.
func TestEvidenceFileBound(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		e := newAssessEnv(t, st, console.Config{MaxBodyBytes: 4 << 10, MaxUploadBytes: 64 << 10})
		id, set := e.create(t, "Bounded")
		ctlPage := "/ui/assessments/" + id + "/sets/" + set + "/controls/" + e.Custom.ID
		c := e.as(t, "owner")
		c.Get(ctlPage)
		if r := postFile(t, e.Env, c, ctlPage+"/evidence/file", "big.bin", make([]byte, 32<<10)); r.Status != http.StatusSeeOther {
			t.Errorf("a 32 KiB file under a 64 KiB bound: %d\n%s", r.Status, r.Body)
		}
		c.Get(ctlPage)
		if r := postFile(t, e.Env, c, ctlPage+"/evidence/file", "huge.bin", make([]byte, 80<<10)); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("an 80 KiB file under a 64 KiB bound: %d", r.Status)
		}
		c.Get(ctlPage)
		if r := c.Post(ctlPage+"/evidence/text", url.Values{"text": {strings.Repeat("x", 8<<10)}}); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("an 8 KiB text form under a 4 KiB body bound: %d", r.Status)
		}
	})
}

// countingReader is a request body that counts the bytes read from it.
type countingReader struct {
	n, size int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.n >= r.size {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.size-r.n)
	clear(p[:k])
	r.n += k
	return int(k), nil
}

// TestViewerPostReadsNoBody checks that a viewer's POST of the evidence file form is
// refused before its body is read: the level needs no body, and the form's CSRF token
// would otherwise need the whole multipart body (up to MaxUploadBytes) read first.
func TestViewerPostReadsNoBody(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		e := newAssessEnv(t, st, console.Config{})
		id, set := e.create(t, "Unread")
		path := "/ui/assessments/" + id + "/sets/" + set + "/controls/" + e.Custom.ID + "/evidence/file"
		viewer := e.as(t, "viewer")
		viewer.Get("/ui/")
		body := &countingReader{size: 50 << 20}
		req := httptest.NewRequest(http.MethodPost, path, body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.AddCookie(viewer.Cookie("probity_session"))
		w := httptest.NewRecorder()
		e.Console.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden || body.n != 0 {
			t.Fatalf("a viewer's file form: status %d after reading %d bytes, want 403 before reading any", w.Code, body.n)
		}
	})
}
