package console

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/store"
)

// afterParam is the query parameter that carries a list's cursor.
const afterParam = "after"

// pager is the links of one page of a list: Next is empty on the last page, First on
// the first.
type pager struct{ First, Next string }

// pageLinks returns the links of the page the request shows, given the cursor of the next
// page ("" on the last): the request's own query with its cursor replaced, so filters
// carry over.
func pageLinks(r *http.Request, next string) pager {
	var p pager
	q := r.URL.Query()
	if q.Get(afterParam) != "" {
		q.Del(afterParam)
		p.First = r.URL.Path + "?" + q.Encode()
	}
	if next != "" {
		q.Set(afterParam, next)
		p.Next = r.URL.Path + "?" + q.Encode()
	}
	return p
}

// encodeCursor and decodeCursor turn a store.Cursor into the opaque text of afterParam
// and back; decodeCursor returns false for text it did not make.
func encodeCursor(c store.Cursor) string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixNano(), 10) + " " + c.ID))
}

func decodeCursor(s string) (store.Cursor, bool) {
	if s == "" {
		return store.Cursor{}, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.Cursor{}, false
	}
	ns, id, ok := strings.Cut(string(b), " ")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return store.Cursor{}, false
	}
	return store.Cursor{CreatedAt: time.Unix(0, n).UTC(), ID: id}, true
}
