package catalog

import (
	"fmt"
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
)

// Export writes the library's custom controls and frameworks under dir, as
// controls/NAME.yaml and frameworks/NAME.yaml in the controls-as-code format, so that
// loading and applying them again changes nothing. It overwrites files of the same name
// and returns how many files it wrote.
func Export(lib *store.Library, dir string) (int, error) {
	byName := map[string]int{}
	byID := map[string]*probity.Control{}
	for i := range lib.Controls {
		byName[lib.Controls[i].Name]++
		byID[lib.Controls[i].ID] = &lib.Controls[i]
	}
	var files []File
	used := map[string]bool{}
	for _, c := range lib.Controls {
		if c.Type != probity.ControlTypeCustom {
			continue
		}
		out := controlFile{
			Name: c.Name, Description: c.Description, ActionPlanTitle: c.ActionPlanTitle,
			ActionPlanInstructions: c.ActionPlanInstructions, TestingInformation: c.TestingInformation, Tags: c.Tags,
		}
		for _, s := range c.ControlMappingSources {
			sf := sourceFile{
				SourceName: s.SourceName, SourceDescription: s.SourceDescription, SourceSetUpOption: s.SourceSetUpOption,
				SourceType: s.SourceType, SourceFrequency: s.SourceFrequency, TroubleshootingText: s.TroubleshootingText,
			}
			if k := s.SourceKeyword; k != nil {
				sf.SourceKeyword = &keywordFile{KeywordInputType: k.KeywordInputType, KeywordValue: k.KeywordValue}
			}
			out.Datasources = append(out.Datasources, sf)
		}
		data, err := marshalFile(out)
		if err != nil {
			return 0, fmt.Errorf("export control %q: %w", c.Name, err)
		}
		files = append(files, File{Path: uniqueName(used, "controls", c.Name), Data: data})
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
		data, err := marshalFile(out)
		if err != nil {
			return 0, fmt.Errorf("export framework %q: %w", f.Name, err)
		}
		files = append(files, File{Path: uniqueName(used, "frameworks", f.Name), Data: data})
	}
	for _, sub := range []string{"controls", "frameworks"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return 0, err
		}
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Path), f.Data, 0o644); err != nil {
			return 0, err
		}
	}
	return len(files), nil
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
