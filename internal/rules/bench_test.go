package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// benchItems are representative CIs, one per common resource type, in both dialects.
var benchItems = []string{
	`{"configurationItemVersion":"1.3","awsAccountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::S3::Bucket","resourceId":"b%d","resourceName":"b%d","ARN":"arn:aws:s3:::b%d","awsRegion":"us-east-1","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"name":"b%d","owner":{"id":"abc"}},"supplementaryConfiguration":{"AccessControlList":"{\"grantList\":[{\"grantee\":{\"id\":\"abc\"},\"permission\":\"FullControl\"}]}","BucketPolicy":{"policyText":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"},"BucketVersioningConfiguration":{"status":"Enabled"},"BucketLoggingConfiguration":{"destinationBucketName":null},"ServerSideEncryptionConfiguration":{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"aws:kms","kmsMasterKeyID":"k"}}]},"PublicAccessBlockConfiguration":{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true}}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-%d","arn":"arn:aws:ec2:us-east-1:111122223333:security-group/sg-%d","awsRegion":"us-east-1","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"groupId":"sg-%d","groupName":"web%d","vpcId":"vpc-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipRanges":["0.0.0.0/0"],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]},{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"10.0.0.0/8"}],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]}],"ipPermissionsEgress":[{"ipProtocol":"-1","ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]}]},"supplementaryConfiguration":{}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::Instance","resourceId":"i-%d","awsRegion":"us-east-1","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"instanceId":"i-%d","instanceType":"m5.large","ebsOptimized":true,"iamInstanceProfile":{"arn":"arn:aws:iam::111122223333:instance-profile/app"},"metadataOptions":{"httpTokens":"required","httpEndpoint":"enabled"},"networkInterfaces":[{"privateIpAddresses":[{"association":null,"primary":true,"privateIpAddress":"10.0.0.%d"}]}],"state":{"name":"running"},"subnetId":"subnet-1","vpcId":"vpc-1","tags":[]},"supplementaryConfiguration":{}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::Volume","resourceId":"vol-%d","awsRegion":"us-east-1","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"volumeId":"vol-%d","state":"in-use","encrypted":true,"kmsKeyId":"arn:aws:kms:us-east-1:111122223333:key/k%d","attachments":[{"instanceId":"i-%d","deleteOnTermination":true}]},"supplementaryConfiguration":{}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::IAM::User","resourceId":"AIDA%d","awsRegion":"global","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"userName":"u%d","groupList":["dev"],"userPolicyList":[],"attachedManagedPolicies":[]},"supplementaryConfiguration":{}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::IAM::Policy","resourceId":"ANPA%d","awsRegion":"global","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"arn":"arn:aws:iam::111122223333:policy/p%d","defaultVersionId":"v1","attachmentCount":%d,"policyVersionList":[{"versionId":"v1","isDefaultVersion":true,"document":"%%7B%%22Version%%22%%3A%%222012-10-17%%22%%2C%%22Statement%%22%%3A%%5B%%7B%%22Effect%%22%%3A%%22Allow%%22%%2C%%22Action%%22%%3A%%22s3%%3AGet%%2A%%22%%2C%%22Resource%%22%%3A%%22%%2A%%22%%7D%%5D%%7D"}]},"supplementaryConfiguration":{}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::RDS::DBInstance","resourceId":"db-%d","awsRegion":"us-east-1","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":{"dBInstanceIdentifier":"db%d","publiclyAccessible":false,"storageEncrypted":true,"kmsKeyId":"k%d","engine":"postgres","allocatedStorage":%d},"supplementaryConfiguration":{}}`,
	`{"version":"1.3","accountId":"111122223333","configurationItemStatus":"ResourceDeleted","resourceType":"AWS::EC2::Subnet","resourceId":"subnet-%d","awsRegion":"us-east-1","configurationItemCaptureTime":"2024-05-01T00:00:00.000Z","configuration":null,"supplementaryConfiguration":{}}`,
}

// benchParts are benchItems split at each %d (with %% read as %).
var benchParts = func() [][]string {
	out := make([][]string, len(benchItems))
	for i, t := range benchItems {
		for _, p := range strings.Split(strings.ReplaceAll(t, "%%", "\x00"), "%d") {
			out[i] = append(out[i], strings.ReplaceAll(p, "\x00", "%"))
		}
	}
	return out
}()

// snapshotReader streams a snapshot of n CIs without holding it in memory.
type snapshotReader struct {
	n, i int
	buf  bytes.Buffer
	done bool
}

func (r *snapshotReader) Read(p []byte) (int, error) {
	for r.buf.Len() < len(p) && !r.done {
		switch {
		case r.i == 0:
			r.buf.WriteString(`{"account":{"accountId":"111122223333","region":"us-east-1"},"items":[`)
		case r.i > r.n:
			r.buf.WriteString(`]}`)
			r.done = true
			continue
		case r.i > 1:
			r.buf.WriteByte(',')
		}
		if r.i >= 1 {
			// The template's pieces around %d, with the item's number between them:
			// the generator should cost little next to what it feeds.
			parts := benchParts[r.i%len(benchParts)]
			var num [20]byte
			n := strconv.AppendInt(num[:0], int64(r.i), 10)
			for k, p := range parts {
				if k > 0 {
					r.buf.Write(n)
				}
				r.buf.WriteString(p)
			}
		}
		r.i++
	}
	if r.buf.Len() == 0 {
		return 0, io.EOF
	}
	return r.buf.Read(p)
}

// benchParams returns the parameters the benchmarks bind rule with: none when every
// required parameter has a default, else those of the rule's first own test case that
// gives some (testdata/cases/ID.json).
func benchParams(tb testing.TB, rule *Rule) map[string]string {
	benchParamsMu.Lock()
	defer benchParamsMu.Unlock()
	if p, ok := benchParamsCache[rule.ID]; ok {
		return p
	}
	p := readBenchParams(tb, rule)
	benchParamsCache[rule.ID] = p
	return p
}

// benchParamsCache keeps benchParams' answers: the benchmarks bind every rule on each
// pass, and reading the case files should not count.
var (
	benchParamsMu    sync.Mutex
	benchParamsCache = map[string]map[string]string{}
)

func readBenchParams(tb testing.TB, rule *Rule) map[string]string {
	need := false
	for _, p := range rule.Params {
		need = need || (p.Required && p.Default == "")
	}
	if !need {
		return nil
	}
	b, err := os.ReadFile("testdata/cases/" + rule.ID + ".json")
	if err != nil {
		tb.Fatalf("%s needs parameters: %v", rule.ID, err)
	}
	var f CaseFile
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatalf("%s: %v", rule.ID, err)
	}
	for _, c := range f.Cases {
		if len(c.Params) > 0 {
			return c.Params
		}
	}
	tb.Fatalf("%s needs parameters and none of its cases gives any", rule.ID)
	return nil
}

// evaluateAll decodes the stream and runs every in-scope rule (default parameters) on
// every item, then every account rule, and returns the number of items and results.
func evaluateAll(tb testing.TB, r io.Reader) (items, results int) {
	byType := map[string][]*Check{}
	var account []*Check
	for _, rule := range All() {
		params := benchParams(tb, rule)
		c, err := rule.Bind(params)
		if err != nil {
			tb.Fatal(err)
		}
		for _, t := range rule.Scope {
			byType[t] = append(byType[t], c)
		}
		if rule.Account != nil {
			account = append(account, c)
		}
	}
	env := Env{Now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	dec := ci.NewDecoder(r)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		items++
		env.Account = dec.Account()
		for _, c := range byType[it.ResourceType] {
			if _, err := c.EvaluateItem(it, env); err != nil {
				tb.Fatal(err)
			}
			results++
		}
	}
	for _, c := range account {
		rs, err := c.EvaluateAccount(dec.Account(), env)
		if err != nil {
			tb.Fatal(err)
		}
		results += len(rs)
	}
	return items, results
}

// BenchmarkEvaluateSnapshot decodes and evaluates CIs end to end, every applicable
// rule, one stream on one goroutine; the metric is CIs per second.
func BenchmarkEvaluateSnapshot(b *testing.B) {
	const n = 10000
	b.ReportAllocs()
	total := 0
	cpu0 := cpuTime()
	for b.Loop() {
		items, _ := evaluateAll(b, &snapshotReader{n: n})
		total += items
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "CIs/s")
	// On a shared machine wall time varies with the others' load; CPU time does not.
	b.ReportMetric(float64(total)/(cpuTime()-cpu0).Seconds(), "CIs/cpu-s")
}

// BenchmarkEvaluateParallel runs one stream per goroutine (as collection runs one per
// account and region), so it shows the throughput of all cores.
func BenchmarkEvaluateParallel(b *testing.B) {
	const n = 10000
	var total int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			items, _ := evaluateAll(b, &snapshotReader{n: n})
			atomicAdd(&total, int64(items))
		}
	})
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "CIs/s")
}

// TestMemoryFlat streams a large snapshot and checks that the live heap at the end does
// not grow with the number of items: it compares 5,000 with 50,000 items.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	heap := func(n int) uint64 {
		var peak uint64
		r := &peakReader{r: &snapshotReader{n: n}, peak: &peak}
		if items, _ := evaluateAll(t, r); items != n {
			t.Fatalf("%d items, want %d", items, n)
		}
		return peak
	}
	small, large := heap(5000), heap(50000)
	t.Logf("peak live heap: %d KiB for 5k items, %d KiB for 50k", small/1024, large/1024)
	if large > 2*small+(4<<20) {
		t.Errorf("heap grows with the stream: %d vs %d bytes", large, small)
	}
}

// peakReader samples the live heap every 4 MiB read.
type peakReader struct {
	r    io.Reader
	read int
	peak *uint64
}

func (p *peakReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += n
	if p.read >= 4<<20 {
		p.read = 0
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		*p.peak = max(*p.peak, m.HeapAlloc)
	}
	return n, err
}

func atomicAdd(p *int64, v int64) { atomic.AddInt64(p, v) }

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEvaluateMillion streams 1,000,000 CIs (the snapshot of BenchmarkEvaluateSnapshot,
// a hundred times longer) through the same decode and evaluation, with the GC left to
// itself, and reports the process's resident memory: at the first tenth of the stream,
// at the end, and its peak (VmHWM, which includes the test binary's start). Flat
// means the end is no higher than the first tenth. Run it alone, with -benchtime 1x.
func BenchmarkEvaluateMillion(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		r := &rssReader{r: &snapshotReader{n: n}, total: n}
		cpu0 := cpuTime()
		items, _ := evaluateAll(b, r)
		if items != n {
			b.Fatalf("%d items, want %d", items, n)
		}
		b.ReportMetric(float64(items)/(cpuTime()-cpu0).Seconds(), "CIs/cpu-s")
		b.ReportMetric(float64(r.atTenth)/(1<<20), "RSS-at-100k-MB")
		b.ReportMetric(float64(procStatus("VmRSS"))/(1<<20), "RSS-at-end-MB")
		b.ReportMetric(float64(r.peak)/(1<<20), "RSS-peak-sampled-MB")
		b.ReportMetric(float64(procStatus("VmHWM"))/(1<<20), "VmHWM-MB")
	}
}

// rssReader samples the process's resident memory every 4 MiB read.
type rssReader struct {
	r             *snapshotReader
	total         int
	read          int
	peak, atTenth uint64
}

func (p *rssReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += n
	if p.read >= 4<<20 {
		p.read = 0
		rss := procStatus("VmRSS")
		p.peak = max(p.peak, rss)
		if p.atTenth == 0 && p.r.i >= p.total/10 {
			p.atTenth = rss
		}
	}
	return n, err
}

// procStatus returns a memory line of /proc/self/status (VmRSS, VmHWM) in bytes, or 0.
func procStatus(key string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
