package auth

// Principal is who a request acts as, once its credentials have been checked.
type Principal struct {
	// KeyID is the access key the caller proved it holds.
	KeyID string
	// Name is the caller's name, recorded as createdBy and lastUpdatedBy and in logs.
	Name string
	// AccountID is the 12-digit account the caller acts for.
	AccountID string
	// Level bounds what the caller may do; see Level.Allows.
	Level Level
	// ARN is the caller's IAM identity (arn:aws:iam::ACCOUNT:role/NAME or user/NAME): what
	// assessment roles and delegations name, and what change logs record as createdBy.
	ARN string
}
