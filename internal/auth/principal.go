package auth

// Principal is who a request acts as, once its credentials have been checked.
//
// An identity ARN (an IAM user or role the caller federates from) belongs here too when
// callers authenticate that way; today every principal holds an access key.
type Principal struct {
	// KeyID is the access key the caller proved it holds.
	KeyID string
	// Name is the caller's name, recorded as createdBy and lastUpdatedBy and in logs.
	Name string
	// AccountID is the 12-digit account the caller acts for.
	AccountID string
	// Level bounds what the caller may do; see Level.Allows.
	Level Level
}
