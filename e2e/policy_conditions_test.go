package e2e

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// conditionsPolicy is the policy TestPolicyConditionClients stores with
// `aws s3api put-bucket-policy`, one common Condition per statement:
//   - Deny everything when aws:SecureTransport is false (AWS S3 user
//     guide, security-best-practices, "Enforce encryption of data in
//     transit");
//   - Deny PutObject unless s3:x-amz-server-side-encryption is AES256 (S3
//     user guide, UsingServerSideEncryption, "Requiring server-side
//     encryption"; StringNotEquals holds for a request without the header,
//     IAM user guide, reference_policies_elements_condition_operators);
//   - Allow bob ListBucket only under s3:prefix home/bob/ (S3 user guide,
//     amazon-s3-policy-keys, s3:prefix);
//   - Allow anyone GetObject of public/* from 127.0.0.0/8 (aws:SourceIp,
//     IAM user guide, reference_policies_condition-keys).
const conditionsPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::cond","arn:aws:s3:::cond/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"SSEOnly","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::cond/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
 {"Sid":"BobHome","Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond","Condition":{"StringLike":{"s3:prefix":["home/bob/","home/bob/*"]}}},
 {"Sid":"LocalRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond/public/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`

// startConditionsGateway runs terngate with alice and bob in a users file
// and an SSE-S3 master key, over HTTPS or plain HTTP.
func startConditionsGateway(t *testing.T, secure bool) *gateway {
	t.Helper()
	dataDir := newDataDir(t)
	usersFile := filepath.Join(t.TempDir(), "users.yaml")
	writeUsersFile(t, usersFile, alice, bob)
	addr := freeAddr(t)
	args := []string{"--listen", addr, "--data-dir", dataDir, "--users-file", usersFile}
	spec := launchSpec{addr: addr,
		env: []string{"TERNGATE_SSE_MASTER_KEY=e2e-cond:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 32))}}
	if secure {
		args = append(args, "--tls-self-signed")
		spec.caFile = filepath.Join(dataDir, "tls", "cert.pem")
	}
	spec.args = args
	g := launch(t, spec)
	g.dataDir = dataDir
	g.accessKey, g.secretKey = alice.accessKey, alice.secretKey
	return g
}

// TestPolicyConditionClients stores a policy with Condition blocks through
// the AWS CLI and checks what it decides with the CLI, boto3
// (testdata/boto3_policy_conditions.py) and plain HTTP, over HTTPS and
// over plain HTTP, where the aws:SecureTransport Deny refuses everything
// but managing the policy (S3 user guide, security-best-practices). The
// rules each statement follows are cited at conditionsPolicy; "deny
// unencrypted PutObject" is UsingServerSideEncryption's.
func TestPolicyConditionClients(t *testing.T) {
	for _, secure := range []bool{true, false} {
		name := "https"
		if !secure {
			name = "http"
		}
		t.Run(name, func(t *testing.T) {
			g := startConditionsGateway(t, secure)
			cli := newAWSCLI(t, g)
			work := t.TempDir()
			cli.must("s3", "mb", "s3://cond")
			for key, body := range map[string]string{"home/bob/a": "bob's\n", "home/alice/b": "alice's\n", "public/p": "for everyone\n"} {
				cli.must("s3api", "put-object", "--bucket", "cond", "--key", key, "--body", writeTemp(t, work, "obj", []byte(body)))
			}
			policyFile := writeTemp(t, work, "policy.json", []byte(conditionsPolicy))
			cli.must("s3api", "put-bucket-policy", "--bucket", "cond", "--policy", "file://"+policyFile)

			ctx := testContext(t, time.Minute)
			anonymous := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/cond/public/p", unsigned: true})
			if secure {
				expectStatus(t, anonymous, http.StatusOK, "anonymous GET public/p from 127.0.0.1 over HTTPS")
				// Fixed to 127.0.0.0/8, the anonymous grant is not public
				// (S3 user guide, access-control-block-public-access, "The
				// meaning of public").
				status := decodeJSON(t, cli.must("s3api", "get-bucket-policy-status", "--bucket", "cond"))
				if ps, ok := status["PolicyStatus"].(map[string]any); !ok || ps["IsPublic"] != false {
					t.Errorf("get-bucket-policy-status: %v", status)
				}
				cli.must("s3api", "put-object", "--bucket", "cond", "--key", "cli-sealed", "--body", writeTemp(t, work, "x", []byte("x")), "--server-side-encryption", "AES256")
				expectCLIDenied(t, cli, "AccessDenied", "s3api", "put-object", "--bucket", "cond", "--key", "cli-plain", "--body", writeTemp(t, work, "x", []byte("x")))
				expectCLIDenied(t, newAWSCLI(t, g.as(bob)), "AccessDenied", "s3api", "list-objects-v2", "--bucket", "cond", "--prefix", "home/alice/")
				newAWSCLI(t, g.as(bob)).must("s3api", "list-objects-v2", "--bucket", "cond", "--prefix", "home/bob/")
			} else {
				expectStatus(t, anonymous, http.StatusForbidden, "anonymous GET public/p over HTTP")
				expectCLIDenied(t, cli, "AccessDenied", "s3api", "put-object", "--bucket", "cond", "--key", "cli-sealed", "--body", writeTemp(t, work, "x", []byte("x")), "--server-side-encryption", "AES256")
			}
			runBoto3Script(t, g, "testdata/boto3_policy_conditions.py", "cond",
				"E2E_BOB_ACCESS_KEY="+bob.accessKey, "E2E_BOB_SECRET_KEY="+bob.secretKey)
			if !secure {
				// The owner can always fix the policy.
				cli.must("s3api", "delete-bucket-policy", "--bucket", "cond")
				cli.must("s3api", "put-object", "--bucket", "cond", "--key", "after", "--body", writeTemp(t, work, "x", []byte("x")))
			}
		})
	}
}
