package s3api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/terngate/terngate/auth"
	"github.com/terngate/terngate/kms"
)

// localKMSVersion is the local-kms .ci/run installs.
const localKMSVersion = "v0.0.0-20260228092603-2a5e92d09ab6"

// startLocalKMS runs local-kms (github.com/nsmithuk/local-kms, a server of
// the AWS KMS API) on a free port until the test ends, and returns its
// endpoint. Its binary is $TERNGATE_LOCAL_KMS or local-kms on PATH; .ci/run
// installs it, and without it the test fails rather than skip.
func startLocalKMS(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TERNGATE_LOCAL_KMS")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("local-kms"); err != nil {
			t.Fatalf("local-kms is needed: GOBIN=$(mktemp -d) go install github.com/nsmithuk/local-kms@%s, and TERNGATE_LOCAL_KMS=<that dir>/local-kms", localKMSVersion)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "KMS_DATA_PATH="+t.TempDir(),
		"KMS_REGION="+testRegion, "KMS_ACCOUNT_ID=111122223333", "KMS_SEED_PATH="+t.TempDir()+"/none.yaml")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting local-kms: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("local-kms did not start listening")
		}
	}
	return "http://" + addr
}

func localKMSClient(endpoint string) *awskms.Client {
	return awskms.New(awskms.Options{Region: testRegion, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("kms", "kms", "")})
}

// SSE-KMS over an external KMS speaking the AWS KMS API (local-kms): the
// object keys are its GenerateDataKey's data keys, opened by its Decrypt
// with the object's context; responses name the key's ARN as the KMS
// reports it, whether the request named it by ID, alias or not at all.
// The KMS's refusals reach the client as S3 relays them (400
// KMS.NotFoundException, KMS.DisabledException, with KMS's message: S3
// error responses list both), and a KMS that cannot be reached is a 503
// that clients retry, never plaintext or ciphertext.
func TestSSEKMSExternal(t *testing.T) {
	endpoint := startLocalKMS(t)
	ctx := context.Background()
	admin := localKMSClient(endpoint)
	key := func(alias string) string {
		out, err := admin.CreateKey(ctx, &awskms.CreateKeyInput{})
		if err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		if alias != "" {
			if _, err := admin.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
				t.Fatalf("CreateAlias: %v", err)
			}
		}
		return aws.ToString(out.KeyMetadata.Arn)
	}
	defaultARN := key("alias/terngate-default")
	namedARN := key("alias/named")
	disabledARN := key("")
	if _, err := admin.DisableKey(ctx, &awskms.DisableKeyInput{KeyId: aws.String(disabledARN)}); err != nil {
		t.Fatal(err)
	}
	remote, err := kms.NewRemote(kms.RemoteConfig{Endpoint: endpoint, Region: testRegion, AccessKey: "kms", SecretKey: "kms", DefaultKey: "alias/terngate-default"})
	if err != nil {
		t.Fatal(err)
	}
	g, stop := startSSEGatewayIn(t, t.TempDir(), Config{KMS: remote})
	defer stop()
	g.mustCreateBucket(t, "extkms")
	c := g.client()
	body := patterned(100 << 10)
	ec := kmsContextHeaderValue(map[string]string{"app": "tests"})
	// In this order: the object's last version is under the named key,
	// which the HEAD with the KMS down below expects.
	for _, w := range []struct{ keyID, wantARN string }{{"", defaultARN}, {"alias/named", namedARN}, {namedARN, namedARN}} {
		keyID, wantARN := w.keyID, w.wantARN
		in := &s3.PutObjectInput{Bucket: aws.String("extkms"), Key: aws.String("o"), Body: strings.NewReader(string(body)),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSEncryptionContext: aws.String(ec)}
		if keyID != "" {
			in.SSEKMSKeyId = aws.String(keyID)
		}
		put, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatalf("PUT with key %q: %v", keyID, err)
		}
		if aws.ToString(put.SSEKMSKeyId) != wantARN {
			t.Fatalf("PUT with key %q answered %q, want %q", keyID, aws.ToString(put.SSEKMSKeyId), wantARN)
		}
		out, data := getBody(t, c, "extkms", "o", "bytes=1000-70000")
		if string(data) != string(body[1000:70001]) || aws.ToString(out.SSEKMSKeyId) != wantARN {
			t.Fatalf("GET with key %q: %d bytes, key %q", keyID, len(data), aws.ToString(out.SSEKMSKeyId))
		}
	}
	// The record holds KMS's ciphertext blob, which only KMS opens, and
	// only with the object's context.
	info, err := g.layer.Stat(ctx, "extkms", "o")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Decrypt(ctx, info.Encryption.KeyID, info.Encryption.Sealed, kmsContextOf(kms.Context{"app": "tests"}, "extkms", "other")); err == nil {
		t.Fatal("the data key opened under another object's context")
	}

	for _, tc := range []struct {
		name, keyID, code, message string
	}{
		{"unknown alias", "alias/nope", "KMS.NotFoundException", ""},
		{"unknown key", "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000", "KMS.NotFoundException", ""},
		{"disabled key", disabledARN, "KMS.DisabledException", ""},
	} {
		resp, e := sendWithHeaders(t, g, "PUT", "/extkms/refused", []byte("x"), map[string]string{sseHeader: "aws:kms", kmsKeyIDHeader: tc.keyID})
		if resp.StatusCode != 400 || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: %d %+v, want 400 %s", tc.name, resp.StatusCode, e, tc.code)
		}
	}
	if g.objectExists(t, "extkms", "refused") {
		t.Fatal("a refused write stored the object")
	}

	// The KMS gone: reads and writes of SSE-KMS are 503, and nothing is
	// stored; HEAD needs no key and still answers.
	down, err := kms.NewRemote(kms.RemoteConfig{Endpoint: "http://127.0.0.1:1", Region: testRegion, AccessKey: "kms", SecretKey: "kms", DefaultKey: "alias/terngate-default", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	g2, stop2 := startSSEGatewayOver(t, g, Config{KMS: down})
	defer stop2()
	resp, e := sendWithHeaders(t, g2, "GET", "/extkms/o", nil, nil)
	if resp.StatusCode != 503 || e.Code != "ServiceUnavailable" {
		t.Fatalf("GET with the KMS down: %d %+v", resp.StatusCode, e)
	}
	resp, e = sendWithHeaders(t, g2, "PUT", "/extkms/down", []byte("x"), map[string]string{sseHeader: "aws:kms"})
	if resp.StatusCode != 503 || e.Code != "ServiceUnavailable" || g2.objectExists(t, "extkms", "down") {
		t.Fatalf("PUT with the KMS down: %d %+v", resp.StatusCode, e)
	}
	if head, err := g2.client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("extkms"), Key: aws.String("o")}); err != nil || aws.ToString(head.SSEKMSKeyId) != namedARN {
		t.Fatalf("HEAD with the KMS down: %v", err)
	}
}

// startSSEGatewayOver serves a second API with cfg over g's object layer,
// as a gateway restarted with other settings would.
func startSSEGatewayOver(t *testing.T, g *gateway, cfg Config) (*gateway, func()) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.AllowSSEKMSOverHTTP = true // plain HTTP on loopback
	app := New(g.layer, &auth.Verifier{Region: testRegion, Credentials: staticCredentials{testAccessKey: testSecretKey}}, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	addr := ln.Addr().String()
	return &gateway{addr: addr, endpoint: "http://" + addr, region: testRegion, layer: g.layer}, func() { _ = app.ShutdownWithTimeout(5 * time.Second) }
}
