package pipeline

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/notify"
)

// message describes one reconcile for people and programs: what changed, with the
// object key or file (and the commit, for git), and every failing file with its
// diagnostics verbatim.
func (p *Pipeline) message(source string, snap *Snapshot, res *result) notify.Message {
	m := notify.Message{Source: source, Revision: snap.Revision, OK: len(res.failures) == 0,
		Changes: res.changes, Failures: res.failures, Time: p.cfg.Now().UTC()}
	var b strings.Builder
	fmt.Fprintf(&b, "Catalog source: %s\n", source)
	if snap.Revision != "" {
		fmt.Fprintf(&b, "Revision: %s\n", snap.Revision)
	}
	switch {
	case m.OK && len(res.changes) == 0:
		m.Subject = "Probity catalog: no changes, every file is valid (" + source + ")"
		b.WriteString("\nEvery file is valid and in effect; nothing changed.\n")
	case m.OK:
		m.Subject = fmt.Sprintf("Probity catalog: %d change(s) applied (%s)", len(res.changes), source)
	default:
		m.Subject = fmt.Sprintf("Probity catalog: %d file(s) failed, %d change(s) applied (%s)", len(res.failures), len(res.changes), source)
	}
	if len(res.changes) > 0 {
		fmt.Fprintf(&b, "\nApplied %d change(s): %d created, %d updated, %d deleted.\n",
			len(res.changes), res.count("create"), res.count("update"), res.count("delete"))
		for _, c := range res.changes {
			verb := map[string]string{"create": "created", "update": "updated", "delete": "deleted"}[c.Action]
			fmt.Fprintf(&b, "  %s %s %q", verb, strings.ToLower(c.Kind), c.Name)
			switch {
			case c.Path != "" && c.Action == "delete":
				fmt.Fprintf(&b, " (was in %s)", c.Path)
			case c.Path != "":
				fmt.Fprintf(&b, " from %s", c.Path)
			}
			if c.Revision != "" {
				fmt.Fprintf(&b, " at %s", c.Revision)
			}
			if len(c.Members) > 0 {
				fmt.Fprintf(&b, ": %s", strings.Join(c.Members, ", "))
			}
			b.WriteByte('\n')
		}
	}
	if len(res.failures) > 0 {
		b.WriteString("\n" + failureText(res.failures))
	}
	m.Text = b.String()
	return m
}

// failureText lists every failing file and its diagnostics, one per line.
func failureText(fs []notify.Failure) string {
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d file(s) failed:\n", len(fs))
	for _, f := range fs {
		switch {
		case f.Path == "":
			b.WriteString("nothing was applied:\n")
		case f.KeptLastGood:
			fmt.Fprintf(&b, "%s (its last good version stays in effect):\n", f.Path)
		default:
			fmt.Fprintf(&b, "%s (not in effect):\n", f.Path)
		}
		for _, line := range f.Problems {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}
