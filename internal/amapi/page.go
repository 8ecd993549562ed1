package amapi

import (
	"encoding/base64"
	"encoding/binary"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Paging bounds of the model's MaxResults and Token shapes.
const (
	minResults     = 1
	maxResults     = 1000
	defaultResults = 100
	maxTokenLength = 1000
)

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9+/=]*$`)

// notificationIDPattern is the model's TimestampUUID, the shape of notification ids.
var notificationIDPattern = regexp.MustCompile(`^[0-9]{10,13}_[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)

// Token kinds, so that a token from one listing is refused by another.
const (
	tokenControls      = 'c'
	tokenFrameworks    = 'f'
	tokenShares        = 's'
	tokenKeywords      = 'k'
	tokenNotifications = 'n'
)

// pageParams returns maxResults (or the default) and the cursor of nextToken from the
// query string, or a ValidationException naming the bad member.
func (c *call) pageParams(kind byte) (int, store.Cursor, error) {
	limit, err := c.maxResults()
	if err != nil {
		return 0, store.Cursor{}, err
	}
	q := c.r.URL.Query()
	cur, err := parseToken(kind, q.Get("nextToken"), q.Has("nextToken"))
	return limit, cur, err
}

// maxResults returns the maxResults query member, or the default when it is absent.
func (c *call) maxResults() (int, error) {
	q := c.r.URL.Query()
	if !q.Has("maxResults") {
		return defaultResults, nil
	}
	n, err := strconv.Atoi(q.Get("maxResults"))
	if err != nil {
		return 0, invalidField("maxResults", "must be an integer")
	}
	if n < minResults || n > maxResults {
		return 0, invalidField("maxResults", "must be between %d and %d, got %d", minResults, maxResults, n)
	}
	return n, nil
}

// nextToken returns the token of the page after the one that ended at cur.
func nextToken(kind byte, cur store.Cursor) string {
	b := make([]byte, 9, 9+len(cur.ID))
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:], uint64(cur.CreatedAt.UnixNano()))
	return base64.StdEncoding.EncodeToString(append(b, cur.ID...))
}

// parseToken returns the cursor of a token of the kind, or a ValidationException. A
// token is only accepted in the exact form nextToken writes, with an id of the shape its
// listing uses (a UUID, also a TimestampUUID for notifications, or a data source type for keywords), so nothing a client forges
// reaches the store.
func parseToken(kind byte, tok string, present bool) (store.Cursor, error) {
	if !present {
		return store.Cursor{}, nil
	}
	bad := invalidField("nextToken", "is not a token this listing returned")
	if len(tok) < 1 || len(tok) > maxTokenLength || !tokenPattern.MatchString(tok) {
		return store.Cursor{}, bad
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) < 10 || b[0] != kind {
		return store.Cursor{}, bad
	}
	cur := store.Cursor{CreatedAt: time.Unix(0, int64(binary.BigEndian.Uint64(b[1:9]))).UTC(), ID: string(b[9:])}
	valid := probity.IsUUID(cur.ID)
	switch kind {
	case tokenKeywords:
		valid = slices.Contains(keywordSources, cur.ID)
	case tokenNotifications:
		valid = valid || notificationIDPattern.MatchString(cur.ID)
	}
	if !valid || nextToken(kind, cur) != tok {
		return store.Cursor{}, bad
	}
	return cur, nil
}

// enumQuery returns the query member name, which must be one of allowed; required says
// whether it may be absent.
func (c *call) enumQuery(name string, required bool, allowed ...string) (string, error) {
	q := c.r.URL.Query()
	v := q.Get(name)
	if !q.Has(name) {
		if required {
			return "", invalidField(name, "is required; one of %s", strings.Join(allowed, ", "))
		}
		return "", nil
	}
	if !slices.Contains(allowed, v) {
		return "", invalidField(name, "must be one of %s", strings.Join(allowed, ", "))
	}
	return v, nil
}

// pathUUID returns the path member name, or a ValidationException naming it unless it is a
// UUID.
func (c *call) pathUUID(name string) (string, error) {
	id := c.r.PathValue(name)
	return id, checkUUID(name, id)
}

// checkUUID returns a ValidationException unless the member is a UUID.
func checkUUID(name, v string) error {
	if !probity.IsUUID(v) {
		return invalidField(name, "must be a UUID such as 0123abcd-0123-4567-89ab-0123456789ab")
	}
	return nil
}
