package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestListeners seeds an Application Load Balancer whose HTTP listener redirects to HTTPS
// and whose HTTPS listener has an ACM certificate, one whose HTTP listener forwards, and
// a Network Load Balancer with a TLS listener on a certificate from IAM; it collects a
// snapshot and checks the listener CIs (ARN as resource id, DescribeListeners with
// CloudFormation's member names) and, through the AWS_Config collector's Evaluate, the
// evidence of the two rules that judge load balancers by their listeners.
func TestListeners(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must(t, err)
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String([]string{"10.0.1.0/24", "10.0.2.0/24"}[i]), AvailabilityZone: aws.String(region + az)})
		must(t, err)
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	cert, err := acm.NewFromConfig(cfg).RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("example.com")})
	must(t, err)
	const iamCert = "arn:aws:iam::" + account + ":server-certificate/legacy"

	v2 := elbv2.NewFromConfig(cfg)
	balancer := func(name string, typ elbv2types.LoadBalancerTypeEnum) string {
		out, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Subnets: subnets, Type: typ})
		must(t, err)
		return aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	}
	tg, err := v2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("tg"), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), VpcId: vpc.Vpc.VpcId})
	must(t, err)
	tgARN := tg.TargetGroups[0].TargetGroupArn
	forward := []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tgARN}}
	listener := func(lb string, port int32, proto elbv2types.ProtocolEnum, certARN string, actions []elbv2types.Action) string {
		in := &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(lb), Port: aws.Int32(port), Protocol: proto, DefaultActions: actions}
		if certARN != "" {
			in.Certificates = []elbv2types.Certificate{{CertificateArn: aws.String(certARN)}}
		}
		out, err := v2.CreateListener(ctx, in)
		must(t, err)
		return aws.ToString(out.Listeners[0].ListenerArn)
	}
	web, legacy := balancer("web", elbv2types.LoadBalancerTypeEnumApplication), balancer("legacy", elbv2types.LoadBalancerTypeEnumApplication)
	nlb := balancer("nlb", elbv2types.LoadBalancerTypeEnumNetwork)
	webHTTP := listener(web, 80, elbv2types.ProtocolEnumHttp, "", []elbv2types.Action{{Type: elbv2types.ActionTypeEnumRedirect,
		RedirectConfig: &elbv2types.RedirectActionConfig{Protocol: aws.String("HTTPS"), Port: aws.String("443"), StatusCode: elbv2types.RedirectActionStatusCodeEnumHttp301}}})
	webHTTPS := listener(web, 443, elbv2types.ProtocolEnumHttps, aws.ToString(cert.CertificateArn), forward)
	legacyHTTP := listener(legacy, 80, elbv2types.ProtocolEnumHttp, "", forward)
	nlbTLS := listener(nlb, 443, elbv2types.ProtocolEnumTls, iamCert, []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tgARN}})

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)

	type listenerCI struct {
		LB, Protocol, Zone string
		Port               float64
		Certificates       []string
		Actions            []string
	}
	got := map[string]listenerCI{}
	dec := ci.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if it.ResourceType != "AWS::ElasticLoadBalancingV2::Listener" {
			continue
		}
		var conf struct {
			ListenerArn, LoadBalancerArn, Protocol string
			Port                                   float64
			Certificates                           []struct{ CertificateArn string }
			DefaultActions                         []struct {
				Type           string
				RedirectConfig *struct{ Protocol string }
			}
		}
		must(t, json.Unmarshal(it.Configuration, &conf))
		if conf.ListenerArn != it.ResourceID || it.ARN != it.ResourceID {
			t.Errorf("listener %s: ARN %s, ListenerArn %s", it.ResourceID, it.ARN, conf.ListenerArn)
		}
		l := listenerCI{LB: conf.LoadBalancerArn, Protocol: conf.Protocol, Zone: it.AvailabilityZone, Port: conf.Port, Certificates: []string{}}
		for _, c := range conf.Certificates {
			l.Certificates = append(l.Certificates, c.CertificateArn)
		}
		for _, a := range conf.DefaultActions {
			s := a.Type
			if a.RedirectConfig != nil {
				s += " " + a.RedirectConfig.Protocol
			}
			l.Actions = append(l.Actions, s)
		}
		got[it.ResourceID] = l
	}
	want := map[string]listenerCI{
		webHTTP:    {LB: web, Protocol: "HTTP", Zone: "Regional", Port: 80, Certificates: []string{}, Actions: []string{"redirect HTTPS"}},
		webHTTPS:   {LB: web, Protocol: "HTTPS", Zone: "Regional", Port: 443, Certificates: []string{aws.ToString(cert.CertificateArn)}, Actions: []string{"forward"}},
		legacyHTTP: {LB: legacy, Protocol: "HTTP", Zone: "Regional", Port: 80, Certificates: []string{}, Actions: []string{"forward"}},
		nlbTLS:     {LB: nlb, Protocol: "TLS", Zone: "Regional", Port: 443, Certificates: []string{iamCert}, Actions: []string{"forward"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("listeners (-want +got):\n%s", d)
	}

	for _, tc := range []struct {
		rule string
		want map[string]string // load balancer ARN -> compliance
	}{
		{"ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK", map[string]string{web: "COMPLIANT", legacy: "NON_COMPLIANT", nlb: "NOT_APPLICABLE"}},
		{"ELBV2_ACM_CERTIFICATE_REQUIRED", map[string]string{web: "COMPLIANT", legacy: "NOT_APPLICABLE", nlb: "NON_COMPLIANT"}},
	} {
		r, err := rules.Get(tc.rule)
		must(t, err)
		check, err := r.Bind(nil)
		must(t, err)
		evs, err := inventory.Evaluate(check, buf.Bytes(), region, rules.Env{})
		must(t, err)
		got := map[string]string{}
		for _, ev := range evs {
			got[ev.ResourcesIncluded[0].ARN] = ev.ComplianceCheck
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.rule, d)
		}
	}
}
