package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"runtime/debug"
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
func contentDigest(c *probity.Control) string { return probity.ContentDigest(c) }

// sourceDigest is what the catalog records on a control it writes: the file it came from
// and what that file said.
func sourceDigest(file string, c *probity.Control) string {
	return file + "/" + contentDigest(c)
}

// knownControls returns, by file digest, the library's controls whose content is still
// exactly what the recorded file said. A control changed since by any other writer no
// longer matches its record and is left out. An outline library (store.Library.Outline)
// is checked against the content digests its store recorded.
func knownControls(lib *store.Library) map[string]*probity.Control {
	if lib == nil {
		return nil
	}
	known := make(map[string]*probity.Control, len(lib.Controls))
	for i := range lib.Controls {
		c := &lib.Controls[i]
		file, content, ok := strings.Cut(c.SourceDigest, "/")
		if ok && c.Type == probity.ControlTypeCustom && content == libraryContent(lib, c) {
			known[file] = c
		}
	}
	return known
}

// libraryContent returns the content digest of a control of lib: the one its store
// recorded for an outline, else computed.
func libraryContent(lib *store.Library, c *probity.Control) string {
	if lib.Outline() {
		return lib.ContentDigests[c.ID]
	}
	return contentDigest(c)
}

// fromKnown returns the document a file with this digest decodes to, from the library's
// control, without parsing it. From an outline the document is a stand-in: its name,
// and a control only for data sources that may name custom rules (type, name and those
// sources); MakePlan counts it unchanged once it has checked that the library's control
// still has the content recorded for the file (see Document.stubID).
func fromKnown(f doc.File, digest string, c *probity.Control, outline bool) *Document {
	if file, _, _ := strings.Cut(c.SourceDigest, "/"); file == digest {
		digest = file // the library's string, held already, instead of this load's copy
	}
	if outline {
		dc := &Document{Path: f.Path, Kind: KindControl, Digest: digest, known: true, data: f.Data,
			stubID: c.ID, stubName: c.Name}
		_, dc.stubContent, _ = strings.Cut(c.SourceDigest, "/")
		if len(c.ControlMappingSources) > 0 {
			dc.Control = &probity.Control{Type: probity.ControlTypeCustom, Name: c.Name,
				ControlMappingSources: make([]probity.ControlMappingSource, len(c.ControlMappingSources))}
			for i, s := range c.ControlMappingSources {
				s.SourceID = ""
				dc.Control.ControlMappingSources[i] = s
			}
			dc.RuleRefs = customRefs(dc.Control, "datasources", nil)
		}
		return dc
	}
	ctl := &probity.Control{
		Type: probity.ControlTypeCustom, Name: c.Name, Description: c.Description,
		TestingInformation: c.TestingInformation, ActionPlanTitle: c.ActionPlanTitle,
		ActionPlanInstructions: c.ActionPlanInstructions, Domain: c.Domain, Tags: maps.Clone(c.Tags),
	}
	if len(c.ControlMappingSources) > 0 {
		ctl.ControlMappingSources = make([]probity.ControlMappingSource, len(c.ControlMappingSources))
	}
	for i, s := range c.ControlMappingSources {
		s.SourceID = ""
		ctl.ControlMappingSources[i] = s
	}
	return &Document{Path: f.Path, Kind: KindControl, Control: ctl, Digest: digest, known: true, data: f.Data,
		RuleRefs: customRefs(ctl, "datasources", nil)}
}
