package rules

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	ec2Instance = "AWS::EC2::Instance"
	ec2SG       = "AWS::EC2::SecurityGroup"
	ec2Volume   = "AWS::EC2::Volume"
)

// instance is the part of an EC2 instance CI the rules read.
type instance struct {
	InstanceType       string `json:"instanceType"`
	PublicIPAddress    string `json:"publicIpAddress"`
	EbsOptimized       bool   `json:"ebsOptimized"`
	IamInstanceProfile *struct {
		Arn string `json:"arn"`
	} `json:"iamInstanceProfile"`
	MetadataOptions *struct {
		HTTPTokens   string `json:"httpTokens"`
		HTTPEndpoint string `json:"httpEndpoint"`
	} `json:"metadataOptions"`
	NetworkInterfaces []struct {
		Association        any `json:"association"`
		PrivateIPAddresses []struct {
			Association any `json:"association"`
		} `json:"privateIpAddresses"`
	} `json:"networkInterfaces"`
}

// publicIP reports whether the instance, or any address of any interface, has a public
// IPv4 address. AWS Config writes a missing association as null or "None".
func (in *instance) publicIP() bool {
	if in.PublicIPAddress != "" {
		return true
	}
	has := func(assoc any) bool {
		m, ok := assoc.(map[string]any)
		if !ok {
			return false
		}
		ip, _ := m["publicIp"].(string)
		return ip != ""
	}
	for _, ni := range in.NetworkInterfaces {
		if has(ni.Association) {
			return true
		}
		for _, a := range ni.PrivateIPAddresses {
			if has(a.Association) {
				return true
			}
		}
	}
	return false
}

type volume struct {
	State       string `json:"state"`
	Encrypted   bool   `json:"encrypted"`
	KmsKeyID    string `json:"kmsKeyId"`
	Attachments []struct {
		InstanceID          string `json:"instanceId"`
		DeleteOnTermination bool   `json:"deleteOnTermination"`
	} `json:"attachments"`
}

var ec2Rules = []*Rule{
	{
		ID:          "EC2_INSTANCE_NO_PUBLIC_IP",
		Description: "Instances have no public IPv4 address.",
		Scope:       []string{ec2Instance},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[instance](it)
			if err != nil {
				return "", "", err
			}
			return verdict(!in.publicIP(), "The instance has a public IP address.")
		},
	},
	{
		ID:          "EC2_IMDSV2_CHECK",
		Description: "Instances require IMDSv2 (metadata httpTokens required).",
		Scope:       []string{ec2Instance},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[instance](it)
			if err != nil {
				return "", "", err
			}
			m := in.MetadataOptions
			if m != nil && m.HTTPEndpoint == "disabled" {
				return Compliant, "The instance metadata endpoint is disabled.", nil
			}
			return verdict(m != nil && m.HTTPTokens == "required", "IMDSv2 is not required (httpTokens is not required).")
		},
	},
	{
		ID:          "EC2_INSTANCE_PROFILE_ATTACHED",
		Description: "Instances have an IAM instance profile, one of IamInstanceProfileArnList when given.",
		Scope:       []string{ec2Instance},
		Params:      []Param{{Name: "IamInstanceProfileArnList", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[instance](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case in.IamInstanceProfile == nil || in.IamInstanceProfile.Arn == "":
				return NonCompliant, "No IAM instance profile is attached.", nil
			case a.Set("IamInstanceProfileArnList") && !inList(a.List("IamInstanceProfileArnList"), in.IamInstanceProfile.Arn):
				return NonCompliant, "The instance profile is not in IamInstanceProfileArnList.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "EBS_OPTIMIZED_INSTANCE",
		Description: "Instances of types that can be EBS-optimized are; types optimized by default are COMPLIANT, types that cannot be are NOT_APPLICABLE.",
		Scope:       []string{ec2Instance},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[instance](it)
			if err != nil {
				return "", "", err
			}
			switch ebsOptimization(in.InstanceType) {
			case "none":
				return na("Instance type " + in.InstanceType + " cannot be EBS-optimized.")
			case "default":
				return Compliant, "", nil
			}
			return verdict(in.EbsOptimized, "EBS optimization is not enabled.")
		},
	},
	{
		ID:          "EC2_VOLUME_INUSE_CHECK",
		Description: "Volumes are attached to an instance; with deleteOnTermination true, they are also deleted with it.",
		Scope:       []string{ec2Volume},
		Params:      []Param{{Name: "deleteOnTermination", Type: Bool}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			v, err := cfg[volume](it)
			if err != nil {
				return "", "", err
			}
			if len(v.Attachments) == 0 {
				return NonCompliant, "The volume is not attached to an instance.", nil
			}
			if a.Bool("deleteOnTermination") {
				for _, at := range v.Attachments {
					if !at.DeleteOnTermination {
						return NonCompliant, "The volume is not deleted on termination of " + at.InstanceID + ".", nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "ENCRYPTED_VOLUMES",
		Description: "Attached volumes are encrypted, with kmsId when given; unattached volumes are NOT_APPLICABLE.",
		Scope:       []string{ec2Volume},
		Params:      []Param{{Name: "kmsId", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			v, err := cfg[volume](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case len(v.Attachments) == 0:
				return na("The volume is not attached.")
			case !v.Encrypted:
				return NonCompliant, "The volume is not encrypted.", nil
			case a.Set("kmsId") && !sameKey(a.Str("kmsId"), v.KmsKeyID):
				return NonCompliant, "The volume is not encrypted with kmsId.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "INCOMING_SSH_DISABLED",
		Description: "No security group rule admits TCP port 22 from 0.0.0.0/0.",
		Scope:       []string{ec2SG},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			sg, err := cfg[ci.SecurityGroup](it)
			if err != nil {
				return "", "", err
			}
			return verdict(!openToWorld(sg, "tcp", 22), "Port 22 is open to 0.0.0.0/0.")
		},
	},
	{
		ID:          "RESTRICTED_INCOMING_TRAFFIC",
		Description: "No security group rule admits TCP traffic from 0.0.0.0/0 to the blocked ports.",
		Scope:       []string{ec2SG},
		Params: []Param{
			{Name: "blockedPort1", Type: Int, Default: "20"}, {Name: "blockedPort2", Type: Int, Default: "21"},
			{Name: "blockedPort3", Type: Int, Default: "3389"}, {Name: "blockedPort4", Type: Int, Default: "3306"},
			{Name: "blockedPort5", Type: Int, Default: "4333"},
		},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			sg, err := cfg[ci.SecurityGroup](it)
			if err != nil {
				return "", "", err
			}
			var open []string
			for i := 1; i <= 5; i++ {
				name := "blockedPort" + strconv.Itoa(i)
				if a.Set(name) && openToWorld(sg, "tcp", a.Int(name)) {
					open = append(open, a.Str(name))
				}
			}
			return verdict(len(open) == 0, "Blocked ports open to 0.0.0.0/0: "+strings.Join(open, ", ")+".")
		},
	},
	{
		ID:          "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
		Description: "A VPC's default security group has no inbound or outbound rules; other groups are NOT_APPLICABLE.",
		Scope:       []string{ec2SG},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			sg, err := cfg[ci.SecurityGroup](it)
			if err != nil {
				return "", "", err
			}
			if sg.GroupName != "default" {
				return na("Not a default security group.")
			}
			return verdict(len(sg.IPPermissions) == 0 && len(sg.IPPermissionsEgress) == 0, "The default security group has inbound or outbound rules.")
		},
	},
	{
		ID:          "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
		Description: "Security group rules open to 0.0.0.0/0 admit only authorizedTcpPorts and authorizedUdpPorts (e.g. \"443,1020-1025\"); groups with no such rule are NOT_APPLICABLE.",
		Scope:       []string{ec2SG},
		Params:      []Param{{Name: "authorizedTcpPorts", Type: String}, {Name: "authorizedUdpPorts", Type: String}},
		CheckParams: checks(parses("authorizedTcpPorts", parsePortRanges), parses("authorizedUdpPorts", parsePortRanges)),
		Item:        authorizedPorts,
	},
	{
		ID:          "NACL_NO_UNRESTRICTED_SSH_RDP",
		Description: "No network ACL inbound allow entry admits ports 22 or 3389 from 0.0.0.0/0 or ::/0.",
		Scope:       []string{"AWS::EC2::NetworkAcl"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				Entries []struct {
					Protocol      string                  `json:"protocol"`
					RuleAction    string                  `json:"ruleAction"`
					Egress        bool                    `json:"egress"`
					CidrBlock     string                  `json:"cidrBlock"`
					IPv6CidrBlock string                  `json:"ipv6CidrBlock"`
					PortRange     *struct{ From, To int } `json:"portRange"`
				} `json:"entries"`
			}](it)
			if err != nil {
				return "", "", err
			}
			for _, e := range n.Entries {
				if e.Egress || e.RuleAction != "allow" || (e.CidrBlock != "0.0.0.0/0" && e.IPv6CidrBlock != "::/0") {
					continue
				}
				if e.Protocol != "-1" && e.Protocol != "6" && e.Protocol != "17" {
					continue
				}
				for _, port := range []int{22, 3389} {
					if e.Protocol == "-1" || e.PortRange == nil || (e.PortRange.From <= port && port <= e.PortRange.To) {
						return NonCompliant, fmt.Sprintf("An inbound entry allows port %d from anywhere.", port), nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "NO_UNRESTRICTED_ROUTE_TO_IGW",
		Description: "No route sends 0.0.0.0/0 or ::/0 to an internet gateway, except in routeTableIds.",
		Scope:       []string{"AWS::EC2::RouteTable"},
		Params:      []Param{{Name: "routeTableIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			rt, err := cfg[struct {
				RouteTableID string `json:"routeTableId"`
				Routes       []struct {
					DestinationCidrBlock     string `json:"destinationCidrBlock"`
					DestinationIPv6CidrBlock string `json:"destinationIpv6CidrBlock"`
					GatewayID                string `json:"gatewayId"`
				} `json:"routes"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if inList(a.List("routeTableIds"), cmp.Or(rt.RouteTableID, it.ResourceID)) {
				return Compliant, "The route table is listed in routeTableIds.", nil
			}
			for _, r := range rt.Routes {
				if strings.HasPrefix(r.GatewayID, "igw-") && (r.DestinationCidrBlock == "0.0.0.0/0" || r.DestinationIPv6CidrBlock == "::/0") {
					return NonCompliant, "A route sends all traffic to " + r.GatewayID + ".", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED",
		Description: "Subnets do not assign public IPv4 addresses on launch.",
		Scope:       []string{"AWS::EC2::Subnet"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[struct {
				MapPublicIPOnLaunch bool `json:"mapPublicIpOnLaunch"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(!s.MapPublicIPOnLaunch, "The subnet assigns public IP addresses on launch.")
		},
	},
	{
		ID:          "AUTOSCALING_LAUNCH_CONFIG_PUBLIC_IP_DISABLED",
		Description: "Launch configurations do not associate public IP addresses.",
		Scope:       []string{"AWS::AutoScaling::LaunchConfiguration"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lc, err := cfg[struct {
				AssociatePublicIPAddress bool `json:"associatePublicIpAddress"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(!lc.AssociatePublicIPAddress, "The launch configuration associates a public IP address.")
		},
	},
	{
		ID:          "VPC_FLOW_LOGS_ENABLED",
		Description: "Each VPC has an active flow log (of trafficType when given); needs the snapshot's ec2.FlowLogs.",
		Scope:       []string{"AWS::EC2::VPC"},
		Params:      []Param{{Name: "trafficType", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if !env.Account.Has("ec2.FlowLogs") {
				return na("Flow logs were not collected (ec2.FlowLogs).")
			}
			for _, f := range env.Account.FlowLogs {
				if f.ResourceID != it.ResourceID || (f.FlowLogStatus != "" && f.FlowLogStatus != "ACTIVE") {
					continue
				}
				if !a.Set("trafficType") || strings.EqualFold(f.TrafficType, a.Str("trafficType")) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No active flow log for the VPC.", nil
		},
	},
	{
		ID:          "EC2_EBS_ENCRYPTION_BY_DEFAULT",
		Description: "EBS encryption by default is enabled in the region.",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if acct.EbsEncryptionByDefault == nil {
				return nil, nil
			}
			c, note, _ := verdict(bool(*acct.EbsEncryptionByDefault), "EBS encryption by default is not enabled.")
			return []Result{accountResult(acct, c, note)}, nil
		},
	},
	{
		ID:          "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
		Description: "No owned EBS snapshot is restorable by everyone (createVolumePermission group all).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("ec2.Snapshots") {
				return nil, nil
			}
			var public []string
			for _, s := range acct.Snapshots {
				for _, p := range s.CreateVolumePermission {
					if p.Group == "all" {
						public = append(public, s.SnapshotID)
						break
					}
				}
			}
			c, note, _ := verdict(len(public) == 0, "Public snapshots: "+strings.Join(public, ", ")+".")
			return []Result{accountResult(acct, c, note)}, nil
		},
	},
}

// openToWorld reports whether an ingress rule admits proto on port from 0.0.0.0/0.
func openToWorld(sg *ci.SecurityGroup, proto string, port int) bool {
	for _, p := range sg.IPPermissions {
		if p.OpenToWorldIPv4() && p.CoversPort(proto, port) {
			return true
		}
	}
	return false
}

// authorizedPorts implements VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS.
func authorizedPorts(a Args, it *ci.Item, env Env) (Compliance, string, error) {
	sg, err := cfg[ci.SecurityGroup](it)
	if err != nil {
		return "", "", err
	}
	allowed := map[string][][2]int{}
	for proto, param := range map[string]string{"tcp": "authorizedTcpPorts", "udp": "authorizedUdpPorts"} {
		allowed[proto], _ = parsePortRanges(a.Str(param))
	}
	open := false
	for _, p := range sg.IPPermissions {
		if !p.OpenToWorldIPv4() {
			continue
		}
		open = true
		from, to := p.Ports()
		for _, proto := range []string{"tcp", "udp"} {
			if pr := p.Protocol(); pr != "all" && pr != proto {
				continue
			}
			param := map[string]string{"tcp": "authorizedTcpPorts", "udp": "authorizedUdpPorts"}[proto]
			if len(allowed[proto]) == 0 {
				return NonCompliant, fmt.Sprintf("No %s port is authorized to be open, according to the %s parameter.", strings.ToUpper(proto), param), nil
			}
			if !rangeCovered(allowed[proto], from, to) {
				return NonCompliant, fmt.Sprintf("%s ports %d-%d are open to 0.0.0.0/0 but not in %s (%s).", strings.ToUpper(proto), from, to, param, a.Str(param)), nil
			}
		}
	}
	if !open {
		return na("No inbound rule is open to 0.0.0.0/0.")
	}
	return Compliant, "", nil
}

// parsePortRanges parses "443,1020-1025"; errors name the bad item.
func parsePortRanges(s string) ([][2]int, error) {
	var out [][2]int
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		from, err1 := strconv.Atoi(strings.TrimSpace(lo))
		to := from
		var err2 error
		if isRange {
			to, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || from < 0 || to > 65535 || from > to {
			return nil, fmt.Errorf("%q is not a port or a port range like 1020-1025", item)
		}
		out = append(out, [2]int{from, to})
	}
	return out, nil
}

// rangeCovered reports whether every port from..to lies in one of the ranges.
func rangeCovered(ranges [][2]int, from, to int) bool {
	for port := from; port <= to; {
		next := -1
		for _, r := range ranges {
			if r[0] <= port && port <= r[1] {
				next = r[1] + 1
				break
			}
		}
		if next < 0 {
			return false
		}
		port = next
	}
	return true
}

// ebsOptimization classifies an instance type: "default" (EBS-optimized always),
// "none" (cannot be), or "optional" (can be, when enabled). Types not listed are current
// generation, EBS-optimized by default.
func ebsOptimization(t string) string {
	family, size, _ := strings.Cut(t, ".")
	switch {
	case inList([]string{"c1.xlarge", "c3.xlarge", "c3.2xlarge", "c3.4xlarge", "g2.2xlarge", "i2.xlarge", "i2.2xlarge", "i2.4xlarge",
		"m1.large", "m1.xlarge", "m2.2xlarge", "m2.4xlarge", "m3.xlarge", "m3.2xlarge", "r3.xlarge", "r3.2xlarge", "r3.4xlarge"}, t):
		return "optional"
	case family == "t1" || family == "t2" || family == "cc2" || family == "cr1" || family == "hs1" || family == "g2" ||
		family == "i2" || family == "c1" || family == "m1" || family == "m2" || family == "m3" || family == "c3" || family == "r3" || family == "hi1":
		_ = size
		return "none"
	}
	return "default"
}
