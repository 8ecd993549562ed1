package assess_test

import (
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// owner is the admin who makes the fixture's assessments, their PROCESS_OWNER.
var owner = auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}

// assessable puts a control (storetest.NewControl: a Config source and a manual one) and
// a framework of it in st's library, and returns them with the input of an assessment of
// that framework, of the owner's account, owned by the owner.
func assessable(t *testing.T, st store.Store, control string) (*probity.Control, *probity.Framework, assess.Input) {
	t.Helper()
	c := storetest.NewControl(control)
	fw := storetest.NewFramework("fw", []*probity.Control{c})
	storetest.Put(t, st, []*probity.Control{c}, []*probity.Framework{fw})
	return c, fw, assess.Input{Name: "a", FrameworkID: fw.ID, ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
		Scope: probity.Scope{Accounts: []probity.AWSAccount{{ID: storetest.Account}}},
		Roles: []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}}
}
