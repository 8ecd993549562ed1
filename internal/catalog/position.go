package catalog

import "github.com/probity-dev/probity/internal/doc"

// NamePos returns where the document's name is written in its file: the position of the
// name member, or of the document itself when it has none; the zero Pos when unknown.
func (dc *Document) NamePos() doc.Pos { return dc.namePos }
