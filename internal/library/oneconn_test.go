package library_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/sqlstore"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestOneConnectionIsEnough runs every library operation and a catalog apply on stores
// bounded to one connection: an operation that read through the store while its own
// transaction held the connection would wait for itself. The deadline only turns such a
// hang into a failure; the operations take milliseconds.
func TestOneConnectionIsEnough(t *testing.T) {
	one := sqlstore.Options{MaxConns: 1}
	for _, b := range []struct {
		name string
		open func(t *testing.T) (store.Store, error)
	}{
		{"sqlite", func(t *testing.T) (store.Store, error) {
			return sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "probity.db"), one)
		}},
		{"postgres", func(t *testing.T) (store.Store, error) {
			return postgres.OpenWith(context.Background(), pgtest.DSN(t), one)
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			st, err := b.open(t)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			everyOperation(ctx, t, st)
		})
	}
}

func everyOperation(ctx context.Context, t *testing.T, st store.Store) {
	s := &library.Service{Store: st, MaxCustomControls: 100, MaxCustomFrameworks: 100}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	c, err := s.CreateControl(ctx, alice, manual("one"))
	must("CreateControl", err)
	again := manual("one again") // and a source to add, which gets an id
	again.ControlMappingSources = append(again.ControlMappingSources, probity.ControlMappingSource{
		SourceName: "added", SourceSetUpOption: probity.SetUpProcedural, SourceType: probity.SourceTypeManual})
	_, err = s.UpdateControl(ctx, alice, c.ID, again)
	must("UpdateControl", err)
	must("Tag", s.Tag(ctx, alice, c.ARN, map[string]string{"k": "v"}))
	must("Untag", s.Untag(ctx, alice, c.ARN, []string{"k"}))
	_, err = s.Tags(ctx, alice, c.ARN)
	must("Tags", err)
	v, err := s.CreateFramework(ctx, alice, library.FrameworkInput{Name: "F",
		ControlSets: []probity.ControlSet{{Name: "set", Controls: []string{c.ID}}}})
	must("CreateFramework", err)
	_, err = s.UpdateFramework(ctx, alice, v.Framework.ID, library.FrameworkInput{Name: "F2",
		ControlSets: []probity.ControlSet{{Name: "set", Controls: []string{c.ID}}, {Name: "added", Controls: []string{c.ID}}}})
	must("UpdateFramework", err)
	_, err = s.Framework(ctx, alice, v.Framework.ID)
	must("Framework", err)
	req, err := s.StartShare(ctx, alice, library.ShareInput{FrameworkID: v.Framework.ID,
		DestinationAccount: bob.AccountID, DestinationRegion: "us-east-1"})
	must("StartShare", err)
	_, err = s.AnswerShare(ctx, bob, req.ID, probity.ShareReceived, probity.ShareAccept)
	must("AnswerShare", err)
	must("DeleteShare", s.DeleteShare(ctx, bob, req.ID, probity.ShareReceived))
	topic := "arn:aws:sns:us-east-1:111111111111:t"
	_, err = s.UpdateSettings(ctx, alice, library.SettingsChange{SNSTopic: &topic})
	must("UpdateSettings", err)
	_, err = s.Deregister(ctx, alice)
	must("Deregister", err)
	_, err = s.Register(ctx, alice, nil, nil)
	must("Register", err)
	must("DeleteFramework", s.DeleteFramework(ctx, alice, v.Framework.ID))
	must("DeleteControl", s.DeleteControl(ctx, alice, c.ID))

	files, err := doc.ReadPaths([]string{"../../examples"}, doc.ReadOptions{})
	must("read examples", err)
	cat, diags := catalog.Load(files)
	if len(diags) > 0 {
		t.Fatalf("examples: %v", diags)
	}
	opt := catalog.Options{InTransaction: func(ctx context.Context, tx store.Tx) error {
		return tx.SaveCatalogFiles(ctx, "files", []store.CatalogFile{{Source: "files", Path: "x.yaml", Data: []byte("x"), UpdatedAt: time.Now()}}, nil)
	}}
	_, err = catalog.Apply(ctx, st, cat, opt)
	must("catalog.Apply", err)
	_, err = catalog.Apply(ctx, st, cat, opt) // the no-op apply reads the library it wrote
	must("catalog.Apply again", err)
}

// TestEveryOperationRunsAgain runs every library operation on a store whose Update calls
// each fn twice, as a group commit may (store.Store.Update): each operation's second call
// must not trip over what its first left behind.
func TestEveryOperationRunsAgain(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		everyOperation(context.Background(), t, storetest.RunsTwice{Store: st})
	})
}
