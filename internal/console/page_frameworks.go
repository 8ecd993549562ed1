package console

import (
	"net/http"
	"slices"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
)

// frameworksPageSize is how many frameworks one page lists.
const frameworksPageSize = 50

// frameworksData is the framework list's data.
type frameworksData struct {
	Type       probity.FrameworkType
	Types      []probity.FrameworkType
	Frameworks []store.FrameworkSummary
	Pager      pager
}

// frameworks lists the frameworks of one type (Standard by default), paged in creation
// order, as ListAssessmentFrameworks does.
func (c *Console) frameworks(w http.ResponseWriter, r *http.Request) error {
	typ := probity.FrameworkType(r.URL.Query().Get("type"))
	if typ == "" {
		typ = probity.FrameworkTypeStandard
	}
	if !slices.Contains(frameworkTypes, typ) {
		return probity.Errorf(probity.EINVALID, "The framework type must be Standard or Custom.")
	}
	after, ok := decodeCursor(r.URL.Query().Get(afterParam))
	if !ok {
		return probity.Errorf(probity.EINVALID, "The page asked for is not a page of this list; start again from the first page.")
	}
	fs, err := c.cfg.Library.Frameworks(r.Context(), principal(r), store.Page{Type: string(typ), After: after, Limit: frameworksPageSize + 1})
	if err != nil {
		return err
	}
	var next string
	if len(fs) > frameworksPageSize {
		fs = fs[:frameworksPageSize]
		last := fs[len(fs)-1]
		next = encodeCursor(store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	return c.render(w, r, "frameworks", frameworksData{Type: typ, Types: frameworkTypes, Frameworks: fs, Pager: pageLinks(r, next)})
}

var frameworkTypes = []probity.FrameworkType{probity.FrameworkTypeStandard, probity.FrameworkTypeCustom}

// frameworkData is the framework page's data.
type frameworkData struct {
	View     *library.FrameworkView
	Editable bool // an editor may edit it: custom, and no file manages it
}

// framework shows a framework's control sets and their controls.
func (c *Console) framework(w http.ResponseWriter, r *http.Request) error {
	v, err := c.cfg.Library.Framework(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.render(w, r, "framework", frameworkData{View: v,
		Editable: principal(r).Level.Allows(auth.Editor) && v.Framework.CheckOwner("") == nil})
}
