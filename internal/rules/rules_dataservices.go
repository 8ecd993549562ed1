package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// Resource types of the data services' rules. AWS Config records these types with
// CloudFormation's member names, which are the describe APIs' names for what the rules
// read (ClusterEndpointEncryptionType, SslMode, EncryptionInfo, Logs, KmsKeyId); where
// the two differ the rules read both (noted per rule). Members are matched in any case.
const (
	daxCluster      = "AWS::DAX::Cluster"
	dmsEndpoint     = "AWS::DMS::Endpoint"
	kinesisStream   = "AWS::Kinesis::Stream"
	mskCluster      = "AWS::MSK::Cluster"
	mqBroker        = "AWS::AmazonMQ::Broker"
	athenaWorkGroup = "AWS::Athena::WorkGroup"
	smNotebook      = "AWS::SageMaker::NotebookInstance"
	smEndpointCfg   = "AWS::SageMaker::EndpointConfig"
)

// dmsEndpointConf is the part of a DMS endpoint the rules read.
type dmsEndpointConf struct {
	EngineName    string `json:"EngineName"`
	SslMode       string `json:"SslMode"`
	RedisSettings *struct {
		SslSecurityProtocol string `json:"SslSecurityProtocol"`
	} `json:"RedisSettings"`
	KafkaSettings *struct {
		SecurityProtocol string `json:"SecurityProtocol"`
	} `json:"KafkaSettings"`
}

// dmsImplicitTLS are the DMS engines that have no SSL mode because DMS always encrypts
// their connections (Security Hub control DMS.9 skips them).
var dmsImplicitTLS = []string{"s3", "dynamodb", "kinesis", "neptune", "elasticsearch", "opensearch"}

// redisTLS reports whether a Redis endpoint uses TLS: SslSecurityProtocol
// ssl-encryption, DMS's default when the setting is not recorded.
func (e *dmsEndpointConf) redisTLS() bool {
	return e.RedisSettings == nil || e.RedisSettings.SslSecurityProtocol == "" || strings.EqualFold(e.RedisSettings.SslSecurityProtocol, "ssl-encryption")
}

// kmsKeyRule builds the SageMaker rules: the resource names a KMS key (KmsKeyId), one of
// kmsKeyArns when given.
func kmsKeyRule(id, desc, scope, what string) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{scope}, Params: []Param{{Name: "kmsKeyArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				KmsKeyID string `json:"KmsKeyId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case c.KmsKeyID == "":
				return NonCompliant, "The " + what + " names no KMS key.", nil
			case a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), c.KmsKeyID):
				return NonCompliant, "The " + what + "'s key " + c.KmsKeyID + " is not in kmsKeyArns.", nil
			}
			return Compliant, "", nil
		}}
}

// mqAuditRule builds the two Amazon MQ audit logging rules (one periodic, one on
// change in AWS Config; the same decision here). RabbitMQ brokers, which have no audit
// log, are NOT_APPLICABLE.
func mqAuditRule(id string) *Rule {
	return &Rule{ID: id, Description: "Amazon MQ ActiveMQ brokers publish audit logs to CloudWatch Logs (Logs.Audit); RabbitMQ brokers are NOT_APPLICABLE.",
		Scope: []string{mqBroker},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			b, err := cfg[struct {
				EngineType string `json:"EngineType"`
				Logs       struct {
					Audit bool `json:"Audit"`
				} `json:"Logs"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if strings.EqualFold(b.EngineType, "rabbitmq") {
				return na("RabbitMQ brokers have no audit log.")
			}
			return verdict(b.Logs.Audit, "The broker does not publish audit logs to CloudWatch Logs.")
		}}
}

var dataServiceRules = []*Rule{
	{
		ID: "DAX_ENCRYPTION_ENABLED",
		Description: "DAX clusters are encrypted at rest (CloudFormation's SSESpecification.SSEEnabled, or DescribeClusters' " +
			"SSEDescription.Status ENABLED).",
		Scope: []string{daxCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				SSESpecification struct {
					SSEEnabled bool `json:"SSEEnabled"`
				} `json:"SSESpecification"`
				SSEDescription struct {
					Status string `json:"Status"`
				} `json:"SSEDescription"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(c.SSESpecification.SSEEnabled || strings.EqualFold(c.SSEDescription.Status, "ENABLED"),
				"The cluster is not encrypted at rest.")
		},
	},
	{
		ID:          "DAX_TLS_ENDPOINT_ENCRYPTION",
		Description: "DAX clusters' endpoints are encrypted with TLS (ClusterEndpointEncryptionType TLS).",
		Scope:       []string{daxCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				Type string `json:"ClusterEndpointEncryptionType"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.EqualFold(c.Type, "TLS"), "The cluster endpoint is not encrypted with TLS ("+orNone(c.Type)+").")
		},
	},
	{
		ID: "DMS_ENDPOINT_SSL_CONFIGURED",
		Description: "DMS endpoints use SSL: SslMode other than none; Redis endpoints by SslSecurityProtocol ssl-encryption (the default) and " +
			"Kafka endpoints by a SecurityProtocol with TLS; S3, DynamoDB, Kinesis, Neptune and OpenSearch endpoints, always encrypted, are NOT_APPLICABLE.",
		Scope: []string{dmsEndpoint},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			e, err := cfg[dmsEndpointConf](it)
			if err != nil {
				return "", "", err
			}
			engine := strings.ToLower(e.EngineName)
			switch {
			case inList(dmsImplicitTLS, engine):
				return na("DMS always encrypts connections to " + engine + " endpoints.")
			case engine == "redis":
				return verdict(e.redisTLS(), "The Redis endpoint does not use TLS.")
			case engine == "kafka":
				p := ""
				if e.KafkaSettings != nil {
					p = strings.ToLower(e.KafkaSettings.SecurityProtocol)
				}
				return verdict(p == "ssl-encryption" || p == "sasl-ssl", "The Kafka endpoint does not use TLS.")
			}
			return verdict(e.SslMode != "" && !strings.EqualFold(e.SslMode, "none"), "The endpoint's SSL mode is "+orNone(e.SslMode)+".")
		},
	},
	{
		ID: "DMS_REDIS_TLS_ENABLED",
		Description: "DMS endpoints for Redis use TLS (RedisSettings.SslSecurityProtocol ssl-encryption, DMS's default when not recorded); " +
			"endpoints of other engines are NOT_APPLICABLE.",
		Scope: []string{dmsEndpoint},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			e, err := cfg[dmsEndpointConf](it)
			if err != nil {
				return "", "", err
			}
			if !strings.EqualFold(e.EngineName, "redis") {
				return na("The endpoint's engine is " + orNone(e.EngineName) + ", not redis.")
			}
			return verdict(e.redisTLS(), "The Redis endpoint uses plaintext, not TLS.")
		},
	},
	{
		ID: "KINESIS_STREAM_ENCRYPTED",
		Description: "Kinesis data streams are encrypted at rest: StreamEncryption is present (CloudFormation's shape) with an " +
			"EncryptionType other than NONE, or DescribeStreamSummary's EncryptionType is KMS.",
		Scope: []string{kinesisStream},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[struct {
				StreamEncryption *struct {
					EncryptionType string `json:"EncryptionType"`
				} `json:"StreamEncryption"`
				EncryptionType string `json:"EncryptionType"`
			}](it)
			if err != nil {
				return "", "", err
			}
			enc := strings.EqualFold(s.EncryptionType, "KMS") ||
				(s.StreamEncryption != nil && !strings.EqualFold(s.StreamEncryption.EncryptionType, "NONE"))
			return verdict(enc, "The stream is not encrypted at rest.")
		},
	},
	{
		ID: "MSK_IN_CLUSTER_NODE_REQUIRE_TLS",
		Description: "MSK clusters encrypt traffic between brokers with TLS (EncryptionInfo.EncryptionInTransit.InCluster, true when not set, " +
			"as MSK defaults it).",
		Scope: []string{mskCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				EncryptionInfo struct {
					EncryptionInTransit struct {
						InCluster *bool `json:"InCluster"`
					} `json:"EncryptionInTransit"`
				} `json:"EncryptionInfo"`
			}](it)
			if err != nil {
				return "", "", err
			}
			in := c.EncryptionInfo.EncryptionInTransit.InCluster
			return verdict(in == nil || *in, "Brokers of the cluster talk to each other in plain text.")
		},
	},
	mqAuditRule("MQ_CLOUDWATCH_AUDIT_LOGGING_ENABLED"),
	mqAuditRule("MQ_CLOUDWATCH_AUDIT_LOG_ENABLED"),
	{
		ID: "ATHENA_WORKGROUP_ENCRYPTED_AT_REST",
		Description: "Athena workgroups encrypt query results at rest: ResultConfiguration.EncryptionConfiguration.EncryptionOption is set " +
			"(under WorkGroupConfiguration, CloudFormation's name, or Configuration, GetWorkGroup's).",
		Scope: []string{athenaWorkGroup},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			type conf struct {
				ResultConfiguration struct {
					EncryptionConfiguration struct {
						EncryptionOption string `json:"EncryptionOption"`
					} `json:"EncryptionConfiguration"`
				} `json:"ResultConfiguration"`
			}
			w, err := cfg[struct {
				WorkGroupConfiguration conf `json:"WorkGroupConfiguration"`
				Configuration          conf `json:"Configuration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			opt := w.WorkGroupConfiguration.ResultConfiguration.EncryptionConfiguration.EncryptionOption
			if opt == "" {
				opt = w.Configuration.ResultConfiguration.EncryptionConfiguration.EncryptionOption
			}
			return verdict(opt != "", "The workgroup does not encrypt query results at rest.")
		},
	},
	kmsKeyRule("SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED",
		"SageMaker endpoint configurations name a KMS key (KmsKeyId), one of kmsKeyArns when given.", smEndpointCfg, "endpoint configuration"),
	kmsKeyRule("SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED",
		"SageMaker notebook instances name a KMS key (KmsKeyId), one of kmsKeyArns when given.", smNotebook, "notebook instance"),
}
