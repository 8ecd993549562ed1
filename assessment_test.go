package probity

import (
	"strings"
	"testing"
	"time"
)

const (
	ownerARN    = "arn:aws:iam::111122223333:role/Owner"
	delegateARN = "arn:aws:iam::111122223333:role/Delegate"
	strangerARN = "arn:aws:iam::111122223333:user/stranger"
)

func accessFixture() *Assessment {
	return &Assessment{
		ID:    "a",
		Roles: []Role{{RoleProcessOwner, ownerARN}, {RoleResourceOwner, delegateARN}},
		ControlSets: []AssessmentControlSet{
			{ID: "set1", Status: ControlSetActive}, {ID: "set2", Status: ControlSetActive}, {ID: "set3"},
		},
		Delegations: []Delegation{
			{ControlSetID: "set1", RoleARN: delegateARN, Status: DelegationInProgress},
			{ControlSetID: "set3", RoleARN: delegateARN, Status: DelegationComplete},
		},
	}
}

func TestAuthorize(t *testing.T) {
	a := accessFixture()
	owner, admin := Actor{ARN: ownerARN}, Actor{ARN: strangerARN, Admin: true}
	delegate, stranger, noARN := Actor{ARN: delegateARN}, Actor{ARN: strangerARN}, Actor{}
	tests := []struct {
		who  Actor
		act  AssessmentAction
		set  string
		to   ControlSetStatus
		want bool
	}{
		{owner, ChangeAssessmentSettings, "", "", true},
		{owner, DeleteTheAssessment, "", "", true},
		{owner, ReviewControl, "set2", "", true},
		{owner, SetControlSetStatus, "set2", ControlSetReviewed, true},
		{owner, Delegate, "", "", true},
		{admin, ChangeAssessmentSettings, "", "", true},
		{admin, DeleteTheAssessment, "", "", true},
		{admin, SetControlSetStatus, "set1", ControlSetReviewed, true},
		{admin, Delegate, "", "", true},
		// A delegate reviews and submits its own sets, and nothing else.
		{delegate, ReviewControl, "set1", "", true},
		{delegate, SetControlSetStatus, "set1", ControlSetUnderReview, true},
		{delegate, SetControlSetStatus, "set1", ControlSetReviewed, false},
		{delegate, SetControlSetStatus, "set1", ControlSetActive, false},
		{delegate, ReviewControl, "set2", "", false},
		{delegate, SetControlSetStatus, "set2", ControlSetUnderReview, false},
		{delegate, ReviewControl, "set3", "", false}, // the delegation is complete
		{delegate, ChangeAssessmentSettings, "", "", false},
		{delegate, DeleteTheAssessment, "", "", false},
		{delegate, Delegate, "", "", false},
		{delegate, ReviewControl, "", "", false},
		// Evidence: the owner and admins read and import in every set, a delegate in its own.
		{owner, ReadEvidence, "set2", "", true},
		{owner, ImportEvidence, "set2", "", true},
		{admin, ReadEvidence, "set2", "", true},
		{admin, ImportEvidence, "set2", "", true},
		{delegate, ReadEvidence, "set1", "", true},
		{delegate, ImportEvidence, "set1", "", true},
		{delegate, ReadEvidence, "set2", "", false},
		{delegate, ImportEvidence, "set2", "", false},
		{delegate, ReadEvidence, "set3", "", false}, // the delegation is complete
		{stranger, ReadEvidence, "set1", "", false},
		{stranger, ImportEvidence, "set1", "", false},
		{noARN, ReadEvidence, "set1", "", false},
		// Reports hold every set's evidence: the owner and admins only.
		{owner, ReadReports, "", "", true},
		{admin, ReadReports, "", "", true},
		{delegate, ReadReports, "", "", false},
		{delegate, ReadReports, "set1", "", false},
		{stranger, ReadReports, "", "", false},
		// A RESOURCE_OWNER in roles without a delegation, anyone else, or no identity.
		{stranger, ReviewControl, "set1", "", false},
		{stranger, ChangeAssessmentSettings, "", "", false},
		{noARN, ReviewControl, "set1", "", false},
		{noARN, ChangeAssessmentSettings, "", "", false},
	}
	for _, tt := range tests {
		err := a.Authorize(tt.who, tt.act, tt.set, tt.to)
		if got := err == nil; got != tt.want {
			t.Errorf("%+v %s %s %s: err = %v, want allowed %v", tt.who, tt.act, tt.set, tt.to, err, tt.want)
		}
		if err != nil && ErrorCode(err) != EUNAUTHORIZED {
			t.Errorf("%+v %s: code %s, want %s", tt.who, tt.act, ErrorCode(err), EUNAUTHORIZED)
		}
	}
	// An empty ARN never matches an empty role or delegation.
	a.Roles = append(a.Roles, Role{RoleProcessOwner, ""})
	a.Delegations = append(a.Delegations, Delegation{ControlSetID: "set2", Status: DelegationInProgress})
	if err := a.Authorize(noARN, ReviewControl, "set2", ""); err == nil {
		t.Error("a caller without an ARN matched an empty role ARN")
	}
}

func validAssessment() *Assessment {
	return &Assessment{
		Name:               "Audit",
		ReportsDestination: Destination{Type: "S3", Destination: "s3://reports-bucket/audits"},
		Scope:              Scope{Accounts: []AWSAccount{{ID: "111122223333"}}},
		Roles:              []Role{{RoleProcessOwner, ownerARN}},
	}
}

func TestAssessmentValidate(t *testing.T) {
	many := make([]AWSAccount, MaxScopeAccounts+1)
	for i := range many {
		many[i].ID = "1111" + strings.Repeat("0", 8-len(itoa(i))) + itoa(i)
	}
	tests := []struct {
		name  string
		edit  func(a *Assessment)
		field string // "" when valid
	}{
		{"valid", func(a *Assessment) {}, ""},
		{"local directory", func(a *Assessment) { a.ReportsDestination.Destination = "/var/lib/probity/reports" }, ""},
		{"bucket only", func(a *Assessment) { a.ReportsDestination.Destination = "s3://reports-bucket" }, ""},
		{"200 accounts", func(a *Assessment) { a.Scope.Accounts = many[:200] }, ""},
		{"no name", func(a *Assessment) { a.Name = "" }, "name"},
		{"backslash", func(a *Assessment) { a.Name = `a\b` }, "name"},
		{"long description", func(a *Assessment) { a.Description = strings.Repeat("d", 1001) }, "description"},
		{"no destination type", func(a *Assessment) { a.ReportsDestination.Type = "" }, "assessmentReportsDestination.destinationType"},
		{"other destination type", func(a *Assessment) { a.ReportsDestination.Type = "LOCAL" }, "assessmentReportsDestination.destinationType"},
		{"no destination", func(a *Assessment) { a.ReportsDestination.Destination = "" }, "assessmentReportsDestination.destination"},
		{"http destination", func(a *Assessment) { a.ReportsDestination.Destination = "https://x/y" }, "assessmentReportsDestination.destination"},
		{"relative directory", func(a *Assessment) { a.ReportsDestination.Destination = "reports" }, "assessmentReportsDestination.destination"},
		{"dot-dot directory", func(a *Assessment) { a.ReportsDestination.Destination = "/var/../etc" }, "assessmentReportsDestination.destination"},
		{"bad bucket", func(a *Assessment) { a.ReportsDestination.Destination = "s3://A_b/x" }, "assessmentReportsDestination.destination"},
		{"no accounts", func(a *Assessment) { a.Scope.Accounts = nil }, "scope.awsAccounts"},
		{"201 accounts", func(a *Assessment) { a.Scope.Accounts = many }, "scope.awsAccounts"},
		{"short account", func(a *Assessment) { a.Scope.Accounts[0].ID = "1234" }, "scope.awsAccounts[0].id"},
		{"duplicate account", func(a *Assessment) { a.Scope.Accounts = append(a.Scope.Accounts, a.Scope.Accounts[0]) }, "scope.awsAccounts[1].id"},
		{"bad email", func(a *Assessment) { a.Scope.Accounts[0].EmailAddress = "nobody" }, "scope.awsAccounts[0].emailAddress"},
		{"bad service", func(a *Assessment) { a.Scope.Services = []string{"s3!"} }, "scope.awsServices[0].serviceName"},
		{"no process owner", func(a *Assessment) { a.Roles = []Role{{RoleResourceOwner, ownerARN}} }, "roles"},
		{"no roles", func(a *Assessment) { a.Roles = nil }, "roles"},
		{"bad role type", func(a *Assessment) { a.Roles = append(a.Roles, Role{"OWNER", ownerARN}) }, "roles[1].roleType"},
		{"bad role arn", func(a *Assessment) { a.Roles = append(a.Roles, Role{RoleResourceOwner, "arn:aws:s3:::bucket-name-x"}) }, "roles[1].roleArn"},
		{"duplicate role", func(a *Assessment) { a.Roles = append(a.Roles, a.Roles[0]) }, "roles[1]"},
		{"bad tag", func(a *Assessment) { a.Tags = map[string]string{"aws:x": "y"} }, "tags.aws:x"},
	}
	for _, tt := range tests {
		a := validAssessment()
		tt.edit(a)
		err := a.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		found := false
		for _, f := range ErrorFields(err) {
			found = found || f.Name == tt.field
		}
		if !found {
			t.Errorf("%s: err = %v, want a field error on %s", tt.name, err, tt.field)
		}
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func TestDeactivateIsFinal(t *testing.T) {
	a := accessFixture()
	a.Status = AssessmentActive
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := a.Deactivate(at); err != nil {
		t.Fatal(err)
	}
	for _, s := range a.ControlSets {
		if s.Status != ControlSetReviewed {
			t.Errorf("control set %s is %s after INACTIVE, want REVIEWED", s.ID, s.Status)
		}
	}
	if a.Status != AssessmentInactive || !a.LastUpdatedAt.Equal(at) {
		t.Errorf("status %s at %v", a.Status, a.LastUpdatedAt)
	}
	if err := a.Deactivate(at); ErrorCode(err) != EINVALID {
		t.Errorf("second Deactivate = %v, want EINVALID", err)
	}
	if err := a.CheckActive(); ErrorCode(err) != EINVALID {
		t.Errorf("CheckActive of INACTIVE = %v, want EINVALID", err)
	}
}

func TestSync(t *testing.T) {
	ctl := func(id, name string) *Control {
		return &Control{ID: id, Name: name, ControlMappingSources: []ControlMappingSource{ManualAttestation()}}
	}
	same, edited, gone := ctl("c1", "same"), ctl("c2", "edited"), ctl("c3", "gone")
	fw := &Framework{ControlSets: []ControlSet{{ID: "s1", Controls: []string{"c1", "c2", "c3"}}, {ID: "s2", Controls: []string{"c1"}}}}
	controls := map[string]*Control{"c1": same, "c2": edited, "c3": gone}
	a := &Assessment{ControlSets: Snapshot(fw, controls)}
	comment := []ControlComment{{AuthorName: "x", Body: "looked"}}
	for i := range a.ControlSets {
		a.ControlSets[i].Status = ControlSetReviewed
		for k := range a.ControlSets[i].Controls {
			a.ControlSets[i].Controls[k].Status = ControlReviewed
			a.ControlSets[i].Controls[k].Comments = comment
		}
	}
	// The framework changes: c2's name, c3 leaves set 1, c4 joins it; set 2 is untouched.
	edited2 := ctl("c2", "edited again")
	added := ctl("c4", "added")
	fw2 := &Framework{ControlSets: []ControlSet{{ID: "s1", Controls: []string{"c1", "c2", "c4"}}, {ID: "s2", Controls: []string{"c1"}}}}
	changed, nAdded, removed := a.Sync(Snapshot(fw2, map[string]*Control{"c1": same, "c2": edited2, "c4": added}))
	if changed != 1 || nAdded != 1 || removed != 1 {
		t.Fatalf("changed, added, removed = %d, %d, %d; want 1, 1, 1", changed, nAdded, removed)
	}
	s1, s2 := a.ControlSet("s1"), a.ControlSet("s2")
	wantControl := func(s *AssessmentControlSet, id string, status ControlStatus, comments int) {
		t.Helper()
		c := s.Control(id)
		if c == nil || c.Status != status || len(c.Comments) != comments {
			t.Errorf("control %s of %s = %+v, want status %s with %d comments", id, s.ID, c, status, comments)
		}
	}
	wantControl(s1, "c1", ControlReviewed, 1)
	wantControl(s1, "c2", ControlUnderReview, 1)
	wantControl(s1, "c4", ControlUnderReview, 0)
	wantControl(s2, "c1", ControlReviewed, 1)
	if s1.Control("c3") != nil {
		t.Error("c3 stayed in set 1")
	}
	if s1.Status != ControlSetActive || s2.Status != ControlSetReviewed {
		t.Errorf("set statuses = %s, %s; want ACTIVE (changed) and REVIEWED (unchanged)", s1.Status, s2.Status)
	}
	if s1.Control("c2").Name != "edited again" {
		t.Error("the snapshot did not take the new name")
	}
}
