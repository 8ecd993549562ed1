package probity

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sort"
)

// ContentDigest identifies the user-supplied members of a control, the ones a catalog
// file sets: type, name, description, testing information, action plan, every data
// source's user-supplied members (not its id) in order, and the tags. Two controls have
// the same digest exactly when these members are equal. Stores record it on every write
// of a control, so that a catalog can tell whether a control still says what its file
// said without reading the control.
func ContentDigest(c *Control) string {
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
