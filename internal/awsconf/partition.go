package awsconf

import "strings"

// partitions maps region name prefixes to their partition, most specific first; it
// follows the regionRegex of every partition in the SDK's own table.
var partitions = []struct{ prefix, partition string }{
	{"us-gov-", "aws-us-gov"},
	{"us-isob-", "aws-iso-b"},
	{"us-isof-", "aws-iso-f"},
	{"us-iso-", "aws-iso"},
	{"eu-isoe-", "aws-iso-e"},
	{"eusc-", "aws-eusc"},
	{"cn-", "aws-cn"},
}

// Partition returns the partition of region, the second field of the ARNs that live
// there: aws-cn for China (cn-north-1), aws-us-gov for GovCloud (us-gov-west-1), the
// aws-iso* and aws-eusc partitions for theirs, and aws for every other region. A
// global pseudo-region such as aws-cn-global gives its own partition.
func Partition(region string) string {
	if p, ok := strings.CutSuffix(region, "-global"); ok && strings.HasPrefix(p, "aws") {
		for _, e := range partitions {
			if p == e.partition {
				return p
			}
		}
		return "aws"
	}
	for _, e := range partitions {
		if strings.HasPrefix(region, e.prefix) {
			return e.partition
		}
	}
	return "aws"
}
