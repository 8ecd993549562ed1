package ci

// ComputeFacts are account facts of the EC2 instance rules on AMIs
// (APPROVED_AMIS_BY_TAG, EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI). It is embedded in
// Account, so its keys sit beside the others in a snapshot's account object.
type ComputeFacts struct {
	// Images is DescribeImages' Images for the AMIs the region's instances were
	// launched from (ImageId, Tags...); an AMI it lacks is no longer visible to the
	// account.
	Images []Image `json:"ec2.Images"`
	// AllowedImages is GetAllowedImagesSettings (State: disabled, audit-mode, enabled).
	AllowedImages *AllowedImagesSettings `json:"ec2.AllowedImagesSettings"`
	// InstanceImageMetadata is DescribeInstanceImageMetadata's InstanceImageMetadata.
	InstanceImageMetadata []InstanceImageMetadata `json:"ec2.InstanceImageMetadata"`
}

// Image is one DescribeImages image, reduced to what the rules read.
type Image struct {
	ImageID string `json:"ImageId"`
	Tags    []Tag  `json:"Tags"`
}

// Tag is an EC2 tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// AllowedImagesSettings is GetAllowedImagesSettings' response, reduced to its state.
type AllowedImagesSettings struct {
	State string `json:"State"`
}

// InstanceImageMetadata is one DescribeInstanceImageMetadata entry; ImageAllowed is nil
// when the response leaves it out (Allowed AMIs disabled).
type InstanceImageMetadata struct {
	InstanceID    string `json:"InstanceId"`
	ImageMetadata *struct {
		ImageID      string `json:"ImageId"`
		ImageAllowed *bool  `json:"ImageAllowed"`
	} `json:"ImageMetadata"`
}
