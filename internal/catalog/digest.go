package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"maps"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// formatVersion names the rules that turn a file into a control. Change it whenever
// reading or validation changes what a file means; builds from a git checkout also mix
// in their commit, so a new binary never trusts an old record.
const formatVersion = "probity-catalog-1"

var buildStamp = func() string {
	stamp := formatVersion
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				stamp += "+" + s.Value
			}
		}
	}
	return stamp
}()

// fileDigest identifies what a file says: its bytes, the kind its folder implies and the
// rules that read it.
func fileDigest(f doc.File) string {
	h := sha256.New()
	h.Write([]byte(buildStamp))
	h.Write([]byte{0})
	h.Write([]byte(kindFromPath(f.Path)))
	h.Write([]byte{0})
	h.Write(f.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// contentDigest identifies the user-supplied members of a control, the ones a file sets.
func contentDigest(c *probity.Control) string {
	h := sha256.New()
	field := func(h hash.Hash, s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, s := range []string{string(c.Type), c.Name, c.Description, c.TestingInformation, c.ActionPlanTitle, c.ActionPlanInstructions, c.Domain} {
		field(h, s)
	}
	for _, s := range c.ControlMappingSources {
		for _, v := range []string{s.SourceName, s.SourceDescription, string(s.SourceSetUpOption), string(s.SourceType), string(s.SourceFrequency), s.TroubleshootingText} {
			field(h, v)
		}
		if k := s.SourceKeyword; k != nil {
			field(h, "keyword")
			field(h, string(k.KeywordInputType))
			field(h, k.KeywordValue)
		}
		field(h, "end of source")
	}
	keys := make([]string, 0, len(c.Tags))
	for k := range c.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field(h, k)
		field(h, c.Tags[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sourceDigest is what the catalog records on a control it writes: the file it came from
// and what that file said.
func sourceDigest(file string, c *probity.Control) string {
	return file + "/" + contentDigest(c)
}

// knownControls returns, by file digest, the library's controls whose content is still
// exactly what the recorded file said. A control changed since by any other writer no
// longer matches its record and is left out.
func knownControls(lib *store.Library) map[string]*probity.Control {
	if lib == nil {
		return nil
	}
	known := make(map[string]*probity.Control, len(lib.Controls))
	for i := range lib.Controls {
		c := &lib.Controls[i]
		file, content, ok := strings.Cut(c.SourceDigest, "/")
		if ok && c.Type == probity.ControlTypeCustom && content == contentDigest(c) {
			known[file] = c
		}
	}
	return known
}

// fromKnown returns the document a file with this digest decodes to, from the library's
// control, without parsing it.
func fromKnown(f doc.File, digest string, c *probity.Control) *Document {
	ctl := &probity.Control{
		Type: probity.ControlTypeCustom, Name: c.Name, Description: c.Description,
		TestingInformation: c.TestingInformation, ActionPlanTitle: c.ActionPlanTitle,
		ActionPlanInstructions: c.ActionPlanInstructions, Domain: c.Domain, Tags: maps.Clone(c.Tags),
		ControlMappingSources: make([]probity.ControlMappingSource, len(c.ControlMappingSources)),
	}
	for i, s := range c.ControlMappingSources {
		s.SourceID = ""
		ctl.ControlMappingSources[i] = s
	}
	return &Document{Path: f.Path, Kind: KindControl, Control: ctl, Digest: digest, known: true, data: f.Data,
		RuleRefs: customRefs(ctl, "datasources", nil)}
}
