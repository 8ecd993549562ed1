package probity

// Partition is where Probity's ARNs live: ids are stable across deployments that share
// a region and account, and clients that parse ARNs see the shape they expect.
type Partition struct {
	Region    string // default us-east-1
	AccountID string // default 000000000000
}

// DefaultPartition is used when nothing else is configured.
var DefaultPartition = Partition{Region: "us-east-1", AccountID: "000000000000"}

// In returns the partition of the account, in the same region.
func (p Partition) In(account string) Partition {
	return Partition{Region: p.Region, AccountID: account}
}

// ARN returns arn:aws:auditmanager:REGION:ACCOUNT:KIND/ID, for example kind "control".
func (p Partition) ARN(kind, id string) string {
	return "arn:aws:auditmanager:" + p.Region + ":" + p.AccountID + ":" + kind + "/" + id
}
