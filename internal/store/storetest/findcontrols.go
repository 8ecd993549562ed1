package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testFindControls: FindControls gives what filtering the account's whole library in
// memory gives, for every filter of a corpus chosen to trip a text match over JSON
// (tag keys and values with quotes, commas, colons and LIKE's wildcards; one key the
// prefix of another; a description that spells a source type's member), in byte order
// of name across the standard content and the account's own, page after page; another
// account's controls never show.
func testFindControls(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var cs []*probity.Control
	add := func(account string, typ probity.ControlType, name, desc, domain, managedBy string, tags map[string]string, src probity.SourceType) {
		c := NewControl(name)
		c.Type, c.Description, c.Domain, c.ManagedBy, c.Tags = typ, desc, domain, managedBy, tags
		c.ControlMappingSources[0].SourceType = src
		if src == probity.SourceTypeManual {
			c.ControlMappingSources = []probity.ControlMappingSource{probity.ManualAttestation()}
		}
		c.AccountID = account
		c.ARN = probity.DefaultPartition.In(cmp.Or(account, "000000000000")).ARN("control", c.ID)
		c.Normalize()
		cs = append(cs, c)
	}
	std, cust := probity.ControlTypeStandard, probity.ControlTypeCustom
	add("", std, "AC-2 Account Management", "Manage accounts", "AC", "", map[string]string{"family": "AC"}, probity.SourceTypeConfig)
	add("", std, "au-2 event logging", "Log 50% of events", "AU", "", map[string]string{"family": "AU"}, probity.SourceTypeCloudTrail)
	add("", std, "Zeta standard", `spells "sourceType":"AWS_Config" in prose`, "", "", nil, probity.SourceTypeManual)
	add(Account, cust, "Access review", "Review ACCESS quarterly", "AC", "", map[string]string{"a": "1", "ab": "2"}, probity.SourceTypeConfig)
	add(Account, cust, "access keys rotated", "rotate_keys", "IA", "files", map[string]string{`a"b`: "x,y", "c:d": `"a":1`}, probity.SourceTypeAPICall)
	add(Account, cust, "Ação de backup", "Backups é daily", "", "", map[string]string{"%": "_", "k": "v"}, probity.SourceTypeSecurityHub)
	add(Account, cust, "Backup_restore", `a\b path`, "CP", "git", map[string]string{"ab": "1"}, probity.SourceTypeManual)
	add("", std, "access keys rotated", "same name, other id", "IA", "", map[string]string{"k": "v2"}, probity.SourceTypeConfig)
	add(Account, cust, "<script>&", "html-escaped by JSON", "", "", map[string]string{"<k>": "&v"}, probity.SourceTypeConfig)
	add("444455556666", cust, "Access review", "another account's", "AC", "", map[string]string{"a": "1"}, probity.SourceTypeConfig)
	Put(t, s, cs, nil)

	// want is the filter over the library in memory.
	want := func(f store.ControlFilter) []probity.Control {
		var out []probity.Control
		lower := func(s string) string { // ASCII letters only, as every backend does
			b := []byte(s)
			for i, c := range b {
				if 'A' <= c && c <= 'Z' {
					b[i] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
		search := lower(strings.TrimSpace(f.Search))
		for _, c := range cs {
			v, has := c.Tags[f.TagKey]
			switch {
			case c.AccountID != "" && c.AccountID != f.AccountID,
				f.Type != "" && c.Type != f.Type,
				f.SourceType != "" && !slices.ContainsFunc(c.ControlMappingSources, func(m probity.ControlMappingSource) bool { return m.SourceType == f.SourceType }),
				f.TagKey != "" && (!has || f.HasTagValue && v != f.TagValue),
				f.Domain != "" && cmp.Or(c.Domain, probity.DomainUncategorized) != f.Domain,
				f.ManagedBy == store.ManagedByFile && c.ManagedBy == "",
				f.ManagedBy == store.ManagedByAPI && (c.ManagedBy != "" || c.Type != cust),
				search != "" && !strings.Contains(lower(c.Name), search) && !strings.Contains(lower(c.Description), search),
				f.AfterID != "" && cmp.Or(cmp.Compare(c.Name, f.AfterName), cmp.Compare(c.ID, f.AfterID)) <= 0:
				continue
			}
			out = append(out, *c)
		}
		slices.SortFunc(out, func(a, b probity.Control) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
		return out
	}
	names := func(cs []probity.Control) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.Name + " " + c.ID
		}
		return out
	}
	var filters []store.ControlFilter
	for _, tag := range [][3]string{{}, {"a"}, {"a", "1", "="}, {"a", "2", "="}, {"ab"}, {`a"b`}, {`a"b`, "x,y", "="}, {"c:d", `"a":1`, "="},
		{"b"}, {"%"}, {"%", "_", "="}, {"_"}, {"k", "v", "="}, {"k", "v2", "="}, {"<k>", "&v", "="}, {"family", "AU", "="}, {"1"}} {
		filters = append(filters, store.ControlFilter{TagKey: tag[0], TagValue: tag[1], HasTagValue: tag[2] == "="})
	}
	for _, st := range probity.SourceTypes {
		filters = append(filters, store.ControlFilter{SourceType: st})
	}
	for _, q := range []string{"access", "ACCESS", " review ", "%", "_", `\`, "50%", "é", "ação", "<script>", "nothing"} {
		filters = append(filters, store.ControlFilter{Search: q})
	}
	for _, d := range []string{"AC", "IA", probity.DomainUncategorized, "ZZ"} {
		filters = append(filters, store.ControlFilter{Domain: d})
	}
	filters = append(filters, store.ControlFilter{ManagedBy: store.ManagedByFile}, store.ControlFilter{ManagedBy: store.ManagedByAPI},
		store.ControlFilter{Type: std}, store.ControlFilter{Type: cust, Search: "access", ManagedBy: store.ManagedByAPI},
		store.ControlFilter{Type: cust, TagKey: "k", Domain: probity.DomainUncategorized})
	for _, account := range []string{Account, "444455556666", "999999999999"} {
		for _, f := range filters {
			f.AccountID = account
			t.Run(fmt.Sprintf("%s %+v", account, f), func(t *testing.T) {
				got, err := s.FindControls(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if d := gocmp.Diff(names(want(f)), names(got)); d != "" {
					t.Errorf("FindControls (-want +got):\n%s", d)
				}
				// Page by two: the pages join up to the whole answer.
				var all []probity.Control
				p := f
				p.Limit = 2
				for i := 0; ; i++ {
					page, err := s.FindControls(ctx, p)
					if err != nil || i > len(cs) {
						t.Fatalf("page %d: %v", i, err)
					}
					all = append(all, page...)
					if len(page) < p.Limit {
						break
					}
					p.AfterName, p.AfterID = page[len(page)-1].Name, page[len(page)-1].ID
				}
				if d := gocmp.Diff(names(got), names(all)); d != "" {
					t.Errorf("pages (-whole +pages):\n%s", d)
				}
			})
		}
	}
	// A whole control reads back as stored.
	got, err := s.FindControls(ctx, store.ControlFilter{AccountID: Account, Search: "Backup_restore"})
	if err != nil || len(got) != 1 {
		t.Fatalf("one control: %v, %v", got, err)
	}
	one, err := s.Control(ctx, Account, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(*one, got[0]); d != "" {
		t.Errorf("control (-Control +FindControls):\n%s", d)
	}
}
