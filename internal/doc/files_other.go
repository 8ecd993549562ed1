//go:build !unix

package doc

// Other systems have no named pipes to wait on, nor a flag to refuse a link when
// opening: ReadFile's check of the entry's type before opening is what stands.
const (
	openNonblock = 0
	openNofollow = 0
)

func isNofollowError(error) bool { return false }
