package auth

import "context"

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p, for the code that serves the
// request p was authenticated for.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal ctx carries, and false when it carries none (the
// request was not authenticated).
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
