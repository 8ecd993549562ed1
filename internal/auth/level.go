package auth

// Level is an access level: what a principal may do. Each level may do what the levels
// before it in Levels may. Its text is what keys store and the CLI takes.
type Level string

// Access levels, from least to most trusted.
const (
	Viewer Level = "viewer" // reads
	Editor Level = "editor" // also changes the control and framework libraries
	Admin  Level = "admin"  // also manages settings, account registration and shares
)

// Levels lists the access levels in order of trust.
var Levels = []Level{Viewer, Editor, Admin}

// Valid reports whether l is one of Levels.
func (l Level) Valid() bool { return l.rank() > 0 }

// Allows reports whether l may do what needs requires: l is at least needs. An unknown
// level allows nothing, and nothing allows an unknown need.
func (l Level) Allows(needs Level) bool {
	return l.rank() > 0 && needs.rank() > 0 && l.rank() >= needs.rank()
}

func (l Level) rank() int {
	for i, v := range Levels {
		if v == l {
			return i + 1
		}
	}
	return 0
}
