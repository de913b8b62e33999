package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/terngate/terngate/store/ternfs"
)

// Config is the program's configuration. Each field has one name used three
// ways: the flag --name, the environment variable TERNGATE_NAME (dashes
// become underscores) and the YAML key name in --config. Precedence, highest
// first: flag, environment, YAML file, default.
type Config struct {
	Listen     string   `yaml:"listen"`
	DataDir    string   `yaml:"data-dir"`
	AccessKey  string   `yaml:"access-key"`
	SecretKey  string   `yaml:"secret-key"`
	Region     string   `yaml:"region"`
	Domain     string   `yaml:"domain"`
	SigV2      bool     `yaml:"sigv2"`
	LogLevel   string   `yaml:"log-level"`
	LogFormat  string   `yaml:"log-format"`
	MaxPutSize byteSize `yaml:"max-put-size"`

	// LogFlushInterval is the longest a log record waits in memory
	// before it is written (0: at once; logwriter.go).
	LogFlushInterval string `yaml:"log-flush-interval"`

	MinBodyRate       byteSize `yaml:"min-body-rate"`
	MinBodyRateWindow string   `yaml:"min-body-rate-window"`

	TLSCert       string `yaml:"tls-cert"`
	TLSKey        string `yaml:"tls-key"`
	TLSSelfSigned bool   `yaml:"tls-self-signed"`
	UsersFile     string `yaml:"users-file"`
	// SSECOverHTTP accepts SSE-C keys over plain HTTP (loopback tests).
	SSECOverHTTP bool `yaml:"sse-c-over-http"`
	// SSEKMSOverHTTP accepts SSE-KMS requests over plain HTTP (loopback
	// tests and benchmarks).
	SSEKMSOverHTTP bool `yaml:"sse-kms-over-http"`
	// SSEMasterKeyFile / SSEMasterKey: the SSE-S3 master key ring
	// (sse_keys.go).
	SSEMasterKeyFile string `yaml:"sse-master-key-file"`
	SSEMasterKey     string `yaml:"sse-master-key"`
	// KMS*: the SSE-KMS provider, a static key ring or an external KMS
	// (kms_provider.go).
	KMSKeyFile    string `yaml:"kms-key-file"`
	KMSKey        string `yaml:"kms-key"`
	KMSEndpoint   string `yaml:"kms-endpoint"`
	KMSRegion     string `yaml:"kms-region"`
	KMSAccessKey  string `yaml:"kms-access-key"`
	KMSSecretKey  string `yaml:"kms-secret-key"`
	KMSDefaultKey string `yaml:"kms-default-key"`

	RedisURL        string `yaml:"redis-url"`
	MultipartExpiry string `yaml:"multipart-expiry"`
	// LifecycleInterval is how often objects are expired by their bucket's
	// lifecycle (one gateway at a time).
	LifecycleInterval string `yaml:"lifecycle-interval"`
	LeaseTTL          string `yaml:"lease-ttl"`
	SingleReplica     bool   `yaml:"single-replica"`

	AdminListen   string `yaml:"admin-listen"`
	ShutdownGrace string `yaml:"shutdown-grace"`

	Store          string `yaml:"store"`
	TernFSRegistry string `yaml:"ternfs-registry"`
	TernFSRoot     string `yaml:"ternfs-root"`
	// TernFSBucketMap: see parseBucketMap.
	TernFSBucketMap         string   `yaml:"ternfs-bucket-map"`
	TernFSSnapshotRetention string   `yaml:"ternfs-snapshot-retention"`
	TernFSBufferMemory      byteSize `yaml:"ternfs-buffer-memory"`
	TernFSSpanPolicy        string   `yaml:"ternfs-span-policy"`
}

func defaultConfig() Config {
	return Config{
		Listen:     "127.0.0.1:9000",
		DataDir:    "./data",
		Region:     "us-east-1",
		SigV2:      true,
		LogLevel:   "info",
		LogFormat:  "text",
		MaxPutSize: 5 << 30,

		LogFlushInterval: "100ms",

		MinBodyRate:       1024,
		MinBodyRateWindow: "30s",

		MultipartExpiry:   "168h",
		LifecycleInterval: "1h",
		LeaseTTL:          "5s",

		AdminListen:   "127.0.0.1:9001",
		ShutdownGrace: "30s",

		Store:      storeLocal,
		TernFSRoot: "/terngate",

		TernFSSnapshotRetention: "1h",
		TernFSBufferMemory:      ternfs.DefaultSpanBufferBytes,
	}
}

// option describes one setting for flags, environment and help.
type option struct {
	name  string
	usage string
	str   *string
	size  *byteSize
	flag  *bool
}

func (c *Config) options() []option {
	return []option{
		{name: "listen", usage: "address to serve S3 on (host:port)", str: &c.Listen},
		{name: "data-dir", usage: "directory of the embedded local store (objects, metadata, generated credentials)", str: &c.DataDir},
		{name: "access-key", usage: "S3 access key id; with no key pair configured one is generated on first start and kept in the data dir", str: &c.AccessKey},
		{name: "secret-key", usage: "S3 secret access key (prefer the environment variable: flags show in process lists)", str: &c.SecretKey},
		{name: "region", usage: "region the gateway signs and answers for", str: &c.Region},
		{name: "domain", usage: "domain for virtual-host addressing: Host <bucket>.<domain> selects the bucket", str: &c.Domain},
		{name: "sigv2", usage: "also accept AWS Signature Version 2 (legacy clients, aws s3 presign and boto3 presigned URLs against a custom endpoint); false answers them InvalidRequest as V4-only AWS regions do", flag: &c.SigV2},
		{name: "log-level", usage: "debug, info, warn or error", str: &c.LogLevel},
		{name: "log-format", usage: "text or json", str: &c.LogFormat},
		{name: "log-flush-interval", usage: "longest a log line waits in memory before it is written, batching writes (Go duration; 0 writes each line at once); lines at warn and above, and everything before them, are written at once, and a graceful shutdown writes all", str: &c.LogFlushInterval},
		{name: "max-put-size", usage: "largest single PUT: bytes, or with a unit (5GiB, 5GB); S3 allows 5GiB", size: &c.MaxPutSize},
		{name: "min-body-rate", usage: "slowest a request body may arrive, in bytes per second (a size: 1KiB) over --min-body-rate-window of waiting for the client; slower bodies are cut off with RequestTimeout (0 disables)", size: &c.MinBodyRate},
		{name: "min-body-rate-window", usage: "the time over which --min-body-rate is measured, and the longest a body may stall (Go duration)", str: &c.MinBodyRateWindow},
		{name: "tls-cert", usage: "PEM certificate (chain) file: serve HTTPS", str: &c.TLSCert},
		{name: "tls-key", usage: "PEM private key file of --tls-cert", str: &c.TLSKey},
		{name: "tls-self-signed", usage: "serve HTTPS with a self-signed certificate generated once into <data-dir>/tls (its cert.pem is the CA bundle for clients)", flag: &c.TLSSelfSigned},
		{name: "sse-c-over-http", usage: "accept SSE-C (customer-provided key) requests over plain HTTP, which S3 refuses because the key crosses the wire in the clear: for tests on loopback only", flag: &c.SSECOverHTTP},
		{name: "sse-kms-over-http", usage: "accept SSE-KMS (aws:kms) requests over plain HTTP, which S3 refuses: for tests and benchmarks on loopback only", flag: &c.SSEKMSOverHTTP},
		{name: "sse-master-key-file", usage: "file of SSE-S3 master keys, one \"<id> <base64 of 32 bytes>\" a line, the first the current one: enables SSE-S3 (x-amz-server-side-encryption: AES256) and bucket default encryption; to rotate, put a new key first and keep the old ones (objects name the key they were sealed under)", str: &c.SSEMasterKeyFile},
		{name: "sse-master-key", usage: "one SSE-S3 master key \"<id>:<base64 of 32 bytes>\" instead of --sse-master-key-file (give it as the environment variable: flags show in process lists)", str: &c.SSEMasterKey},
		{name: "kms-key-file", usage: "SSE-KMS static key ring (the embedded KMS): one \"<id> <base64 of 32 bytes>\" a line, the first the default key (also alias/aws/s3); keys are named as key IDs, arn:aws:kms:<region>:000000000000:key/<id> or alias/<id>: enables x-amz-server-side-encryption: aws:kms", str: &c.KMSKeyFile},
		{name: "kms-key", usage: "one SSE-KMS key \"<id>:<base64 of 32 bytes>\" instead of --kms-key-file (give it as the environment variable)", str: &c.KMSKey},
		{name: "kms-endpoint", usage: "URL of an external KMS speaking the AWS KMS API (AWS KMS, local-kms): SSE-KMS data keys come from its GenerateDataKey and Decrypt instead of a static ring", str: &c.KMSEndpoint},
		{name: "kms-region", usage: "region of the external KMS (default: --region); with --kms-endpoint unset, AWS KMS in that region", str: &c.KMSRegion},
		{name: "kms-access-key", usage: "access key the gateway signs external KMS calls with", str: &c.KMSAccessKey},
		{name: "kms-secret-key", usage: "secret key of --kms-access-key (give it as the environment variable)", str: &c.KMSSecretKey},
		{name: "kms-default-key", usage: "external KMS key (ID, ARN or alias) used when a request names none; setting it enables the external KMS", str: &c.KMSDefaultKey},
		{name: "redis-url", usage: "Redis tracking multipart uploads for gateways sharing a store: redis://, rediss://, redis+sentinel://h:p,h:p/master, redis+cluster://h:p,h:p (default: an embedded tracker in the data dir)", str: &c.RedisURL},
		{name: "lease-ttl", usage: "how long a gateway's lease on a key, which serialises writes to it between gateways sharing a TernFS root through --redis-url, lasts unrenewed: a gateway that dies or stalls holding one delays writes to that key this long, and after Redis loses its data writes wait this long once (Go duration)", str: &c.LeaseTTL},
		{name: "single-replica", usage: "with --store ternfs, declare this the only gateway serving --ternfs-root, so that it may run without --redis-url (conditional writes are then serialised in this process only; a second gateway would break If-None-Match/If-Match)", flag: &c.SingleReplica},
		{name: "multipart-expiry", usage: "how long a multipart upload may stay idle before it is aborted, unless its bucket's lifecycle says otherwise (Go duration)", str: &c.MultipartExpiry},
		{name: "lifecycle-interval", usage: "how often the objects buckets' lifecycle rules (Expiration) have expired are deleted, by one gateway at a time (Go duration)", str: &c.LifecycleInterval},
		{name: "users-file", usage: "YAML users file (name, access_key, secret_key or secret_key_file per user); re-read when it changes; replaces --access-key/--secret-key", str: &c.UsersFile},
		{name: "admin-listen", usage: "address of the admin HTTP listener: /metrics, /healthz, /readyz, /admin/uploads (loopback clients only); empty disables it", str: &c.AdminListen},
		{name: "shutdown-grace", usage: "how long in-flight requests may run after SIGTERM before the process exits anyway (Go duration)", str: &c.ShutdownGrace},
		{name: "store", usage: "storage backend: local (the embedded store in --data-dir) or ternfs (a TernFS cluster: --ternfs-registry, --ternfs-root)", str: &c.Store},
		{name: "ternfs-registry", usage: "TernFS registry addresses, host:port[,host:port...] (with --store ternfs)", str: &c.TernFSRegistry},
		{name: "ternfs-root", usage: "TernFS directory the buckets live under (with --store ternfs)", str: &c.TernFSRoot},
		{name: "ternfs-bucket-map", usage: "existing TernFS directories served as buckets, name=/path[,name=/path...] (absolute cluster paths; with --store ternfs)", str: &c.TernFSBucketMap},
		{name: "ternfs-snapshot-retention", usage: "how long TernFS keeps deleted and overwritten objects as snapshots before its garbage collector frees them: the SNAPSHOT policy set on --ternfs-root (Go duration, 0 allowed; with --store ternfs)", str: &c.TernFSSnapshotRetention},
		{name: "ternfs-buffer-memory", usage: "bytes the TernFS store may hold in span buffers across all requests: spans being appended (with their parity), read-ahead of GETs and idle buffers kept for reuse; at least one span (38 MiB with the default span policy; with --store ternfs)", size: &c.TernFSBufferMemory},
		{name: "ternfs-span-policy", usage: "SPAN policy set on --ternfs-root: spans of up to MAXSIZE bytes get D data and P parity blocks, MAXSIZE:D+P[,MAXSIZE:D+P...] in ascending sizes (default: TernFS's intended policy, RS(10,4) up to 27,484,160 bytes with fewer data blocks for smaller spans; with --store ternfs)", str: &c.TernFSSpanPolicy},
	}
}

// setFromEnv sets the option from its environment variable's value.
func (o option) setFromEnv(v string) error {
	switch {
	case o.str != nil:
		*o.str = v
	case o.flag != nil:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s: %q is not a boolean", envName(o.name), v)
		}
		*o.flag = b
	default:
		if err := o.size.Set(v); err != nil {
			return fmt.Errorf("%s: %w", envName(o.name), err)
		}
	}
	return nil
}

func envName(flagName string) string {
	return "TERNGATE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// errHelp is returned when --help was asked for and printed.
var errHelp = errors.New("help requested")

// loadConfig builds the configuration from args, the environment (getenv)
// and the optional YAML file named by --config / TERNGATE_CONFIG.
func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	return loadConfigWith(args, getenv, stderr, nil)
}

// loadConfigWith is loadConfig for a subcommand: extra, if not nil, adds
// the subcommand's own flags beside the configuration's.
func loadConfigWith(args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("terngate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", getenv("TERNGATE_CONFIG"), "optional YAML file with any of the settings below (keys are the flag names)")
	// Parse into a scratch config first: flags must win over the file, but
	// the file is only known after parsing.
	fromFlags := Config{}
	for _, o := range fromFlags.options() {
		help := fmt.Sprintf("%s (env %s)", o.usage, envName(o.name))
		switch {
		case o.str != nil:
			fs.StringVar(o.str, o.name, "", help)
		case o.flag != nil:
			fs.BoolVar(o.flag, o.name, false, help)
		default:
			fs.Var(o.size, o.name, help)
		}
	}
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() { printUsage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return cfg, fmt.Errorf("read config file: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("parse config file %s: %w", *configPath, err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	flagOpts := fromFlags.options()
	for i, o := range cfg.options() {
		if set[o.name] {
			switch {
			case o.str != nil:
				*o.str = *flagOpts[i].str
			case o.flag != nil:
				*o.flag = *flagOpts[i].flag
			default:
				*o.size = *flagOpts[i].size
			}
			continue
		}
		if v := getenv(envName(o.name)); v != "" {
			if err := o.setFromEnv(v); err != nil {
				return cfg, err
			}
		}
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	if d, err := time.ParseDuration(c.MultipartExpiry); err != nil || d <= 0 {
		return fmt.Errorf("multipart-expiry must be a positive duration, got %q", c.MultipartExpiry)
	}
	if d, err := time.ParseDuration(c.LifecycleInterval); err != nil || d <= 0 {
		return fmt.Errorf("lifecycle-interval must be a positive duration, got %q", c.LifecycleInterval)
	}
	if d, err := time.ParseDuration(c.ShutdownGrace); err != nil || d < 0 {
		return fmt.Errorf("shutdown-grace must be a duration of at least 0, got %q", c.ShutdownGrace)
	}
	if d, err := time.ParseDuration(c.LeaseTTL); err != nil || d < 100*time.Millisecond {
		return fmt.Errorf("lease-ttl must be a duration of at least 100ms, got %q", c.LeaseTTL)
	}
	if d, err := time.ParseDuration(c.LogFlushInterval); err != nil || d < 0 {
		return fmt.Errorf("log-flush-interval must be a duration of at least 0, got %q", c.LogFlushInterval)
	}
	if c.MinBodyRate < 0 {
		return fmt.Errorf("min-body-rate must be at least 0, got %d", c.MinBodyRate)
	}
	if d, err := time.ParseDuration(c.MinBodyRateWindow); err != nil || d <= 0 {
		return fmt.Errorf("min-body-rate-window must be a positive duration, got %q", c.MinBodyRateWindow)
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return errors.New("access-key and secret-key must be given together")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("tls-cert and tls-key must be given together")
	}
	if c.TLSCert != "" && c.TLSSelfSigned {
		return errors.New("tls-self-signed cannot be combined with tls-cert/tls-key")
	}
	if c.UsersFile != "" && c.AccessKey != "" {
		return errors.New("users-file replaces access-key/secret-key: give one or the other")
	}
	if c.MaxPutSize <= 0 || c.MaxPutSize > 5<<30 {
		return fmt.Errorf("max-put-size must be in (0, 5GiB], got %s", c.MaxPutSize.String())
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log-format must be text or json, got %q", c.LogFormat)
	}
	switch c.Store {
	case storeLocal:
		if c.TernFSBucketMap != "" {
			return errors.New("ternfs-bucket-map needs --store ternfs")
		}
	case storeTernFS:
		if c.TernFSRegistry == "" {
			return errors.New("store ternfs needs --ternfs-registry")
		}
		if c.RedisURL == "" && !c.SingleReplica {
			return errors.New("store ternfs needs --redis-url: gateways sharing a TernFS root can only keep conditional writes (If-None-Match, If-Match) and multipart uploads consistent through Redis; give --single-replica if this is the only gateway serving --ternfs-root")
		}
		if _, err := parseBucketMap(c.TernFSBucketMap); err != nil {
			return err
		}
		if _, err := c.snapshotRetention(); err != nil {
			return err
		}
		if c.TernFSBufferMemory <= 0 {
			return fmt.Errorf("ternfs-buffer-memory must be a positive number of bytes, got %d", c.TernFSBufferMemory)
		}
		if _, err := ternfs.ParseSpanPolicy(c.TernFSSpanPolicy); err != nil {
			return fmt.Errorf("ternfs-span-policy: %w", err)
		}
	default:
		return fmt.Errorf("store must be %s or %s, got %q", storeLocal, storeTernFS, c.Store)
	}
	return nil
}

// Storage backends.
const (
	storeLocal  = "local"
	storeTernFS = "ternfs"
)

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, `terngate: an S3-compatible object gateway for TernFS.

Usage:
  terngate [flags]          serve S3 (the embedded local store by default)
  terngate version          print the version, Go version and commit
  terngate check [flags]    check the configuration, data dir, TLS, users file
                            and Redis as the server would use them; exits 1
                            on any failure
  terngate uploads list [--bucket B] [flags]
  terngate uploads abort --bucket B --key K --upload-id ID [flags]
                            list or abort multipart uploads in progress,
                            through the running gateway's admin listener
                            (or directly when no gateway runs)
  terngate bench [--endpoint URL] [bench flags]
                            measure PUT, GET, multipart, LIST, small and mixed
                            workloads beside a reference server and the raw
                            disk (terngate bench --help for its flags)
  terngate bench --ternfs-registry HOST:PORT [bench flags]
                            terngate on a TernFS cluster against terncli,
                            terns3 and aws s3 cp, as ratios

Every flag can also be set with its environment variable or as a key in the
YAML file given by --config. Precedence: flag, environment, file, default.

Flags:
`)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	defaults := defaultConfig()
	defs := map[string]string{}
	for _, o := range defaults.options() {
		switch {
		case o.str != nil:
			defs[o.name] = *o.str
		case o.flag != nil:
			if *o.flag { // false needs no mention
				defs[o.name] = "true"
			}
		default:
			defs[o.name] = o.size.String()
		}
	}
	for _, n := range names {
		f := fs.Lookup(n)
		fmt.Fprintf(w, "  --%s\n      %s", n, f.Usage)
		if d := defs[n]; d != "" {
			fmt.Fprintf(w, " (default %q)", d)
		}
		fmt.Fprintln(w)
	}
}
