package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// The controls-as-code format, as Export writes it. Field order is the order in files.
type (
	controlFile struct {
		Name                   string            `yaml:"name"`
		Description            string            `yaml:"description,omitempty"`
		ActionPlanTitle        string            `yaml:"actionPlanTitle,omitempty"`
		ActionPlanInstructions string            `yaml:"actionPlanInstructions,omitempty"`
		TestingInformation     string            `yaml:"testingInformation,omitempty"`
		Domain                 string            `yaml:"domain,omitempty"`
		Tags                   map[string]string `yaml:"tags,omitempty"`
		Datasources            []sourceFile      `yaml:"datasources"`
	}
	sourceFile struct {
		SourceName          string       `yaml:"sourceName"`
		SourceDescription   string       `yaml:"sourceDescription,omitempty"`
		SourceSetUpOption   string       `yaml:"sourceSetUpOption,omitempty"`
		SourceType          string       `yaml:"sourceType"`
		SourceKeyword       *keywordFile `yaml:"sourceKeyword,omitempty"`
		SourceFrequency     string       `yaml:"sourceFrequency,omitempty"`
		TroubleshootingText string       `yaml:"troubleshootingText,omitempty"`
	}
	keywordFile struct {
		KeywordInputType string `yaml:"keywordInputType,omitempty"`
		KeywordValue     string `yaml:"keywordValue,omitempty"`
	}
	frameworkFile struct {
		Name           string            `yaml:"name"`
		Description    string            `yaml:"description,omitempty"`
		ComplianceType string            `yaml:"complianceType,omitempty"`
		ControlSets    []controlSetFile  `yaml:"controlSets"`
		Tags           map[string]string `yaml:"tags,omitempty"`
	}
	controlSetFile struct {
		Name     string `yaml:"name"`
		Controls []any  `yaml:"controls"` // a name, or {id: ...} when the name is ambiguous
	}
	customRuleFile struct {
		Name          string          `yaml:"name"`
		Description   string          `yaml:"description,omitempty"`
		ResourceTypes []string        `yaml:"resourceTypes"`
		Parameters    []ruleParamFile `yaml:"parameters,omitempty"`
		Applicable    string          `yaml:"applicable,omitempty"`
		Condition     string          `yaml:"condition"`
		Annotation    string          `yaml:"annotation,omitempty"`
	}
	ruleParamFile struct {
		Name     string `yaml:"name"`
		Type     string `yaml:"type"`
		Default  string `yaml:"default,omitempty"`
		Required bool   `yaml:"required,omitempty"`
	}
	mappingFile struct {
		Name        string            `yaml:"name"`
		Description string            `yaml:"description,omitempty"`
		Rules       []mappingRuleFile `yaml:"rules"`
	}
	mappingRuleFile struct {
		Provider     string   `yaml:"provider,omitempty"`
		CheckID      string   `yaml:"checkId,omitempty"`
		ResourceType string   `yaml:"resourceType,omitempty"`
		Controls     []string `yaml:"controls"`
	}
)

// Export writes the library's custom controls, frameworks, custom rules and finding
// mappings under dir, as controls/NAME.yaml, frameworks/NAME.yaml, rules/NAME.yaml and
// mappings/NAME.yaml in the controls-as-code format, so that loading and applying them
// again changes nothing. It replaces files of the same name (a link among them is
// replaced, never written through) and returns how many files it wrote. It returns an
// EINVALID error, and writes nothing, when dir/controls, dir/frameworks or (with rules
// or mappings to write) dir/rules or dir/mappings is a link or not a folder. Each file
// is written as soon as it is made, so that a large library's files are never all held.
func Export(lib *store.Library, dir string) (int, error) {
	return export(lib, func(yield func(*probity.Control) error) error {
		for i := range lib.Controls {
			if lib.Controls[i].Type == probity.ControlTypeCustom {
				if err := yield(&lib.Controls[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}, dir)
}

// exportPage is how many custom controls ExportFrom reads at a time.
var exportPage = 1000

// ExportFrom is Export of the account's library as r reads it (a View, so that every
// read sees one state): its outline, and its custom controls a page at a time, so that
// a large library is never held whole.
func ExportFrom(ctx context.Context, r store.Reader, account, dir string) (int, error) {
	lib, err := r.LibraryOutline(ctx, account)
	if err != nil {
		return 0, err
	}
	return export(lib, func(yield func(*probity.Control) error) error {
		page := exportPage
		f := store.ControlFilter{AccountID: account, Type: probity.ControlTypeCustom, Limit: page}
		for {
			cs, err := r.FindControls(ctx, f)
			if err != nil {
				return err
			}
			for i := range cs {
				if err := yield(&cs[i]); err != nil {
					return err
				}
			}
			if len(cs) < page {
				return nil
			}
			f.AfterName, f.AfterID = cs[len(cs)-1].Name, cs[len(cs)-1].ID
		}
	}, dir)
}

// export writes the custom controls customs yields, and lib's frameworks, rules and
// mappings; lib's controls (whole or an outline) name the controls frameworks use.
func export(lib *store.Library, customs func(yield func(*probity.Control) error) error, dir string) (int, error) {
	folders := []string{"controls", "frameworks"}
	if len(lib.Rules) > 0 {
		folders = append(folders, "rules")
	}
	if len(lib.Mappings) > 0 {
		folders = append(folders, "mappings")
	}
	if err := prepareFolders(dir, folders); err != nil {
		return 0, err
	}
	e := exporter{dir: dir, used: map[string]bool{}}
	// A framework names a control by its name when no other control has it, else by id.
	byName := map[string]int{}
	byID := map[string]*probity.Control{}
	for i := range lib.Controls {
		byName[lib.Controls[i].Name]++
		byID[lib.Controls[i].ID] = &lib.Controls[i]
	}
	err := customs(func(c *probity.Control) error {
		out := controlFile{
			Name: c.Name, Description: c.Description, ActionPlanTitle: c.ActionPlanTitle,
			ActionPlanInstructions: c.ActionPlanInstructions, TestingInformation: c.TestingInformation, Domain: c.Domain, Tags: c.Tags,
		}
		for _, s := range c.ControlMappingSources {
			sf := sourceFile{
				SourceName: s.SourceName, SourceDescription: s.SourceDescription, SourceSetUpOption: string(s.SourceSetUpOption),
				SourceType: string(s.SourceType), SourceFrequency: string(s.SourceFrequency), TroubleshootingText: s.TroubleshootingText,
			}
			if k := s.SourceKeyword; k != nil {
				sf.SourceKeyword = &keywordFile{KeywordInputType: string(k.KeywordInputType), KeywordValue: k.KeywordValue}
			}
			out.Datasources = append(out.Datasources, sf)
		}
		return e.write("controls", "control", c.Name, out)
	})
	if err != nil {
		return e.n, err
	}
	for _, f := range lib.Frameworks {
		if f.Type != probity.FrameworkTypeCustom {
			continue
		}
		out := frameworkFile{Name: f.Name, Description: f.Description, ComplianceType: f.ComplianceType, Tags: f.Tags}
		for _, cs := range f.ControlSets {
			set := controlSetFile{Name: cs.Name}
			for _, id := range cs.Controls {
				if c := byID[id]; c != nil && byName[c.Name] == 1 {
					set.Controls = append(set.Controls, c.Name)
				} else {
					set.Controls = append(set.Controls, map[string]string{"id": id})
				}
			}
			out.ControlSets = append(out.ControlSets, set)
		}
		if err := e.write("frameworks", "framework", f.Name, out); err != nil {
			return e.n, err
		}
	}
	for _, r := range lib.Rules {
		out := customRuleFile{Name: r.Name, Description: r.Description, ResourceTypes: r.ResourceTypes,
			Applicable: r.Applicable, Condition: r.Condition, Annotation: r.Annotation}
		for _, p := range r.Parameters {
			out.Parameters = append(out.Parameters, ruleParamFile{Name: p.Name, Type: p.Type, Default: p.Default, Required: p.Required})
		}
		if err := e.write("rules", "rule", r.Name, out); err != nil {
			return e.n, err
		}
	}
	for _, m := range lib.Mappings {
		out := mappingFile{Name: m.Name, Description: m.Description}
		for _, r := range m.Rules {
			out.Rules = append(out.Rules, mappingRuleFile{Provider: r.Provider, CheckID: r.CheckID, ResourceType: r.ResourceType, Controls: r.Controls})
		}
		if err := e.write("mappings", "mapping", m.Name, out); err != nil {
			return e.n, err
		}
	}
	return e.n, nil
}

// exporter writes Export's files, each under a file name no other object took.
type exporter struct {
	dir  string
	used map[string]bool // file names taken, in lower case
	n    int             // files written
}

// write marshals v, the object of that kind and name, into folder.
func (e *exporter) write(folder, kind, name string, v any) error {
	data, err := marshalFile(v)
	if err != nil {
		return fmt.Errorf("export %s %q: %w", kind, name, err)
	}
	if err := replaceFile(filepath.Join(e.dir, filepath.FromSlash(uniqueName(e.used, folder, name))), data); err != nil {
		return err
	}
	e.n++
	return nil
}

// prepareFolders makes the folders below dir. It returns an EINVALID error, before
// making anything, when any is a link or not a folder: Export writes nowhere but below
// dir.
func prepareFolders(dir string, folders []string) error {
	subs := make([]string, len(folders))
	for i, f := range folders {
		subs[i] = filepath.Join(dir, f)
	}
	for _, sub := range subs {
		info, err := os.Lstat(sub)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			return probity.Errorf(probity.EINVALID, "refusing to export: %s is a symbolic link, and export writes only into folders below %s; nothing was written", sub, dir)
		case !info.IsDir():
			return probity.Errorf(probity.EINVALID, "refusing to export: %s is not a folder; nothing was written", sub)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, sub := range subs {
		// Mkdir and Lstat, not MkdirAll, which would take a link made meanwhile.
		if err := os.Mkdir(sub, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if info, err := os.Lstat(sub); err != nil {
			return err
		} else if !info.IsDir() {
			return probity.Errorf(probity.EINVALID, "refusing to export: %s is not a folder; nothing was written", sub)
		}
	}
	return nil
}

// replaceFile writes data to a new file beside name and renames it over name, so that
// whatever name was (a link, say) is replaced and never written through.
func replaceFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("export %s: %w", name, err)
	}
	return nil
}

// uniqueName returns folder/slug.yaml for the name, adding -2, -3, ... when another
// object already took that file name.
func uniqueName(used map[string]bool, folder, name string) string {
	slug := slugify(name)
	p := folder + "/" + slug + ".yaml"
	for i := 2; used[strings.ToLower(p)]; i++ {
		p = fmt.Sprintf("%s/%s-%d.yaml", folder, slug, i)
	}
	used[strings.ToLower(p)] = true
	return p
}

// slugify keeps letters and digits, turns runs of anything else into one hyphen, and
// bounds the length so the file name is valid everywhere.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		s = "unnamed"
	}
	return s
}
