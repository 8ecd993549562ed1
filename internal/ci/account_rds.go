package ci

// RDSFacts are account facts for the periodic RDS rules that read DB parameter groups
// (RDS_MYSQL_INSTANCE_ENCRYPTED_IN_TRANSIT, RDS_POSTGRES_INSTANCE_ENCRYPTED_IN_TRANSIT).
// It is embedded in Account, so its keys sit beside the others in a snapshot's account
// object.
type RDSFacts struct {
	// DBParameters is DescribeDBParameters' Parameters (ParameterName, ParameterValue)
	// per DB parameter group name, for the groups the region's DB instances use.
	DBParameters map[string][]DBParameter `json:"rds.DBParameters"`
}

// DBParameter is one parameter of a DB parameter group; ParameterValue is "" when the
// parameter has no value.
type DBParameter struct {
	ParameterName  string `json:"ParameterName"`
	ParameterValue string `json:"ParameterValue"`
}
