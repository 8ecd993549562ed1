package ci

// DataFacts are account facts for the periodic rules on data services
// (EMR_BLOCK_PUBLIC_ACCESS, DYNAMODB_THROUGHPUT_LIMIT_CHECK). It is embedded in Account,
// so its keys sit beside the others in a snapshot's account object.
type DataFacts struct {
	// EMRBlockPublicAccess is GetBlockPublicAccessConfiguration's
	// BlockPublicAccessConfiguration for the snapshot's region.
	EMRBlockPublicAccess *EMRBlockPublicAccess `json:"emr.BlockPublicAccessConfiguration"`
	// DynamoDBLimits is DescribeLimits for the snapshot's region.
	DynamoDBLimits *DynamoDBLimits `json:"dynamodb.DescribeLimits"`
	// DynamoDBTables is DescribeTable's Table per table name, reduced to its provisioned
	// throughput (the table's and its global secondary indexes').
	DynamoDBTables map[string]DynamoDBTableThroughput `json:"dynamodb.Tables"`
}

// EMRBlockPublicAccess is EMR's BlockPublicAccessConfiguration.
type EMRBlockPublicAccess struct {
	BlockPublicSecurityGroupRules          bool           `json:"BlockPublicSecurityGroupRules"`
	PermittedPublicSecurityGroupRuleRanges []EMRPortRange `json:"PermittedPublicSecurityGroupRuleRanges"`
}

// EMRPortRange is a port range; MaxRange nil means the single port MinRange.
type EMRPortRange struct {
	MinRange int  `json:"MinRange"`
	MaxRange *int `json:"MaxRange"`
}

// DynamoDBLimits is DescribeLimits' response: the account's and a table's maximum
// provisioned capacity units in the region.
type DynamoDBLimits struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

// DynamoDBThroughput is a ProvisionedThroughput (DescribeTable's description).
type DynamoDBThroughput struct {
	ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
}

// DynamoDBTableThroughput is the part of DescribeTable's Table that
// DYNAMODB_THROUGHPUT_LIMIT_CHECK adds up.
type DynamoDBTableThroughput struct {
	ProvisionedThroughput  DynamoDBThroughput `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexes []struct {
		IndexName             string             `json:"IndexName"`
		ProvisionedThroughput DynamoDBThroughput `json:"ProvisionedThroughput"`
	} `json:"GlobalSecondaryIndexes"`
}
