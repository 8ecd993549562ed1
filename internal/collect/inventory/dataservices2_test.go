package inventory_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	dmstypes "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dax"
	daxtypes "github.com/aws/aws-sdk-go-v2/service/dax/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestMessagingAndMigrationCIs seeds, for MSK, Amazon MQ, DMS, Athena and DAX, one
// resource that meets its rule and one that does not, collects a snapshot, and checks
// the CIs (the APIs' member names) and MSK_IN_CLUSTER_NODE_REQUIRE_TLS,
// MQ_CLOUDWATCH_AUDIT_LOG_ENABLED, DMS_ENDPOINT_SSL_CONFIGURED and
// DMS_REDIS_TLS_ENABLED, ATHENA_WORKGROUP_ENCRYPTED_AT_REST and DAX_TLS_ENDPOINT_ENCRYPTION
// on them.
func TestMessagingAndMigrationCIs(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()

	k := kafka.NewFromConfig(cfg)
	mskARN := map[string]string{}
	// CreateCluster, not CreateClusterV2: moto's CreateClusterV2 drops EncryptionInfo.
	for name, inCluster := range map[string]bool{"tls": true, "plain": false} {
		out, err := k.CreateCluster(ctx, &kafka.CreateClusterInput{ClusterName: aws.String(name), KafkaVersion: aws.String("3.5.1"), NumberOfBrokerNodes: aws.Int32(2),
			BrokerNodeGroupInfo: &kafkatypes.BrokerNodeGroupInfo{InstanceType: aws.String("kafka.m5.large"), ClientSubnets: []string{"subnet-1", "subnet-2"}},
			EncryptionInfo:      &kafkatypes.EncryptionInfo{EncryptionInTransit: &kafkatypes.EncryptionInTransit{InCluster: aws.Bool(inCluster), ClientBroker: kafkatypes.ClientBrokerTls}}})
		must(t, err)
		mskARN[name] = aws.ToString(out.ClusterArn)
	}

	q := mq.NewFromConfig(cfg)
	mqID := map[string]string{}
	for name, audit := range map[string]bool{"audited": true, "quiet": false} {
		out, err := q.CreateBroker(ctx, &mq.CreateBrokerInput{BrokerName: aws.String(name), EngineType: mqtypes.EngineTypeActivemq, EngineVersion: aws.String("5.17.6"),
			HostInstanceType: aws.String("mq.t3.micro"), DeploymentMode: mqtypes.DeploymentModeSingleInstance, PubliclyAccessible: aws.Bool(false),
			AutoMinorVersionUpgrade: aws.Bool(true), Users: []mqtypes.User{{Username: aws.String("u"), Password: aws.String("passwordpassword")}},
			Logs: &mqtypes.Logs{Audit: aws.Bool(audit), General: aws.Bool(true)}})
		must(t, err)
		mqID[name] = aws.ToString(out.BrokerId)
	}

	d := dms.NewFromConfig(cfg)
	for _, in := range []*dms.CreateEndpointInput{
		{EndpointIdentifier: aws.String("mysql-ssl"), EndpointType: dmstypes.ReplicationEndpointTypeValueSource, EngineName: aws.String("mysql"),
			SslMode: dmstypes.DmsSslModeValueRequire, ServerName: aws.String("h"), Port: aws.Int32(3306), Username: aws.String("u"), Password: aws.String("p")},
		{EndpointIdentifier: aws.String("mysql-plain"), EndpointType: dmstypes.ReplicationEndpointTypeValueSource, EngineName: aws.String("mysql"),
			SslMode: dmstypes.DmsSslModeValueNone, ServerName: aws.String("h"), Port: aws.Int32(3306), Username: aws.String("u"), Password: aws.String("p")},
		{EndpointIdentifier: aws.String("redis-plain"), EndpointType: dmstypes.ReplicationEndpointTypeValueTarget, EngineName: aws.String("redis"),
			RedisSettings: &dmstypes.RedisSettings{ServerName: aws.String("h"), Port: 6379, SslSecurityProtocol: dmstypes.SslSecurityProtocolValuePlaintext}},
	} {
		_, err := d.CreateEndpoint(ctx, in)
		must(t, err)
	}

	a := athena.NewFromConfig(cfg)
	_, err := a.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("sealed"), Configuration: &athenatypes.WorkGroupConfiguration{
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://results/"),
			EncryptionConfiguration: &athenatypes.EncryptionConfiguration{EncryptionOption: athenatypes.EncryptionOptionSseS3}}}})
	must(t, err)

	x := dax.NewFromConfig(cfg)
	for name, enc := range map[string]daxtypes.ClusterEndpointEncryptionType{"daxtls": daxtypes.ClusterEndpointEncryptionTypeTls, "daxplain": daxtypes.ClusterEndpointEncryptionTypeNone} {
		_, err := x.CreateCluster(ctx, &dax.CreateClusterInput{ClusterName: aws.String(name), NodeType: aws.String("dax.t3.small"), ReplicationFactor: 1,
			IamRoleArn: aws.String("arn:aws:iam::123456789012:role/dax"), ClusterEndpointEncryptionType: enc, SSESpecification: &daxtypes.SSESpecification{Enabled: aws.Bool(true)}})
		must(t, err)
	}

	items, _ := dataSnapshot(t, m)
	dataDiff(t, "MSK clusters", map[string]dataCI{
		mskARN["tls"]:   {ARN: mskARN["tls"], Name: "tls", Result: "COMPLIANT", Config: map[string]string{"ClusterName": `"tls"`, "EncryptionInfo": `{"EncryptionInTransit":{"ClientBroker":"TLS","InCluster":true}}`}},
		mskARN["plain"]: {ARN: mskARN["plain"], Name: "plain", Result: "NON_COMPLIANT", Config: map[string]string{"ClusterName": `"plain"`, "EncryptionInfo": `{"EncryptionInTransit":{"ClientBroker":"TLS","InCluster":false}}`}},
	}, dataView(t, items, "AWS::MSK::Cluster", "MSK_IN_CLUSTER_NODE_REQUIRE_TLS", nil, "ClusterName", "EncryptionInfo"))
	mqARN := "arn:aws:mq:us-east-1:123456789012:broker:"
	dataDiff(t, "MQ brokers", map[string]dataCI{
		mqID["audited"]: {ARN: mqARN + mqID["audited"], Name: "audited", Result: "COMPLIANT", Config: map[string]string{"EngineType": `"ACTIVEMQ"`, "Logs": `{"Audit":true,"General":true}`}},
		mqID["quiet"]:   {ARN: mqARN + mqID["quiet"], Name: "quiet", Result: "NON_COMPLIANT", Config: map[string]string{"EngineType": `"ACTIVEMQ"`, "Logs": `{"Audit":false,"General":true}`}},
	}, dataView(t, items, "AWS::AmazonMQ::Broker", "MQ_CLOUDWATCH_AUDIT_LOG_ENABLED", nil, "EngineType", "Logs"))

	endpoints := func(rule string) map[string]string {
		out := map[string]string{}
		for id, v := range dataView(t, items, "AWS::DMS::Endpoint", rule, nil) {
			out[id] = v.Result
		}
		return out
	}
	dataDiff(t, "DMS_ENDPOINT_SSL_CONFIGURED", map[string]string{"mysql-ssl": "COMPLIANT", "mysql-plain": "NON_COMPLIANT", "redis-plain": "NON_COMPLIANT"}, endpoints("DMS_ENDPOINT_SSL_CONFIGURED"))
	dataDiff(t, "DMS_REDIS_TLS_ENABLED", map[string]string{"mysql-ssl": "NOT_APPLICABLE", "mysql-plain": "NOT_APPLICABLE", "redis-plain": "NON_COMPLIANT"}, endpoints("DMS_REDIS_TLS_ENABLED"))
	endpointConf := dataView(t, items, "AWS::DMS::Endpoint", "DMS_REDIS_TLS_ENABLED", nil, "EngineName", "SslMode", "RedisSettings")["redis-plain"].Config
	dataDiff(t, "redis endpoint configuration", map[string]string{"EngineName": `"redis"`, "RedisSettings": `{"Port":6379,"ServerName":"h","SslSecurityProtocol":"plaintext"}`}, endpointConf)

	wgARN := "arn:aws:athena:us-east-1:123456789012:workgroup/"
	wg := dataView(t, items, "AWS::Athena::WorkGroup", "ATHENA_WORKGROUP_ENCRYPTED_AT_REST", nil, "Name")
	for id, v := range wg {
		if id != "sealed" && id != "primary" {
			t.Errorf("unexpected workgroup %s", id)
		}
		if v.ARN != wgARN+id {
			t.Errorf("workgroup %s: ARN %s", id, v.ARN)
		}
	}
	dataDiff(t, "workgroups", map[string]string{"sealed": "COMPLIANT", "primary": "NON_COMPLIANT"}, map[string]string{"sealed": wg["sealed"].Result, "primary": wg["primary"].Result})

	clusters := dataView(t, items, "AWS::DAX::Cluster", "DAX_TLS_ENDPOINT_ENCRYPTION", nil, "ClusterName", "ClusterEndpointEncryptionType")
	dataDiff(t, "DAX clusters", map[string]string{"daxtls": "COMPLIANT", "daxplain": "NON_COMPLIANT"}, map[string]string{"daxtls": clusters["daxtls"].Result, "daxplain": clusters["daxplain"].Result})
	dataDiff(t, "DAX configuration", map[string]string{"ClusterName": `"daxtls"`, "ClusterEndpointEncryptionType": `"TLS"`}, clusters["daxtls"].Config)
}
