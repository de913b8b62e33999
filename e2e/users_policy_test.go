package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	alice = testUser{name: "alice", accessKey: "E2EALICE000000000001", secretKey: "alice-secret-0000000000000000000000000001"}
	bob   = testUser{name: "bob", accessKey: "E2EBOB00000000000002", secretKey: "bob-secret-00000000000000000000000000002"}
	carol = testUser{name: "carol", accessKey: "E2ECAROL000000000003", secretKey: "carol-secret-0000000000000000000000000003"}
)

// usersReloadDeadline is how soon a rewritten users file must take effect
// (the gateway polls it every 2 s).
const usersReloadDeadline = 10 * time.Second

// TestUsersAndPolicies drives ownership, bucket policies, public access,
// users-file reload and ACLs with the AWS CLI and plain HTTP.
func TestUsersAndPolicies(t *testing.T) {
	usersFile := filepath.Join(t.TempDir(), "users.yaml")
	writeUsersFile(t, usersFile, alice, bob)
	g := startUsersGateway(t, newDataDir(t), usersFile, alice)
	asAlice, asBob := newAWSCLI(t, g), newAWSCLI(t, g.as(bob))
	work := t.TempDir()

	asAlice.must("s3", "mb", "s3://alice-bucket")
	objects := map[string][]byte{
		"shared/x":  []byte("shared with bob\n"),
		"private/y": []byte("alice only\n"),
		"public/p":  []byte("for everyone\n"),
	}
	for key, data := range objects {
		// Signed as alice by the harness: the CLI's start-up time is spent
		// on the checks below instead.
		expectStatus(t, g.do(t, testContext(t, time.Minute), rawRequest{method: "PUT", rawPath: "/alice-bucket/" + key, bodyBytes: data}), http.StatusOK, "alice puts "+key)
	}

	t.Run("other users are denied by default", func(t *testing.T) {
		expectCLIDenied(t, asBob, "AccessDenied", "s3api", "get-object", "--bucket", "alice-bucket", "--key", "shared/x", filepath.Join(work, "denied"))
		expectCLIDenied(t, asBob, "AccessDenied", "s3", "ls", "s3://alice-bucket")
		expectCLIDenied(t, asBob, "AccessDenied", "s3api", "put-object", "--bucket", "alice-bucket", "--key", "shared/new", "--body", writeTemp(t, work, "new", []byte("x")))
	})

	bobMayReadShared := policyStatement{Effect: "Allow", Principal: map[string]any{"AWS": []string{"bob"}},
		Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::alice-bucket/shared/*"}}
	putBucketPolicy(t, asAlice, work, bobMayReadShared)

	t.Run("a policy grants bob shared/*", func(t *testing.T) {
		dst := filepath.Join(work, "bob-x")
		asBob.must("s3api", "get-object", "--bucket", "alice-bucket", "--key", "shared/x", dst)
		expectFileBytes(t, dst, objects["shared/x"])
		expectCLIDenied(t, asBob, "AccessDenied", "s3api", "get-object", "--bucket", "alice-bucket", "--key", "private/y", filepath.Join(work, "bob-y"))
		expectCLIDenied(t, asBob, "AccessDenied", "s3api", "put-object", "--bucket", "alice-bucket", "--key", "shared/z", "--body", writeTemp(t, work, "z", []byte("z")))
		expectCLIDenied(t, asBob, "AccessDenied", "s3", "ls", "s3://alice-bucket")
	})

	putBucketPolicy(t, asAlice, work, bobMayReadShared, policyStatement{Effect: "Allow", Principal: "*",
		Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::alice-bucket/public/*"}})

	t.Run("Principal * lets anonymous GET, not list or put", func(t *testing.T) {
		ctx := testContext(t, time.Minute)
		got := g.do(t, ctx, rawRequest{method: "GET", rawPath: "/alice-bucket/public/p", unsigned: true})
		if got.status != http.StatusOK || !bytes.Equal(got.body, objects["public/p"]) {
			t.Errorf("anonymous GET public/p: %d %q, want 200 with the object", got.status, got.body)
		}
		for _, req := range []rawRequest{
			{method: "GET", rawPath: "/alice-bucket", unsigned: true},
			{method: "GET", rawPath: "/alice-bucket", rawQuery: "list-type=2", unsigned: true},
			{method: "GET", rawPath: "/alice-bucket/private/y", unsigned: true},
			{method: "PUT", rawPath: "/alice-bucket/public/anon", bodyBytes: []byte("anon"), unsigned: true},
		} {
			resp := g.do(t, ctx, req)
			if resp.status != http.StatusForbidden || resp.errorCode() != "AccessDenied" {
				t.Errorf("anonymous %s %s?%s: %d %s, want 403 AccessDenied", req.method, req.rawPath, req.rawQuery, resp.status, resp.errorCode())
			}
		}
		if resp := g.do(t, ctx, rawRequest{method: "HEAD", rawPath: "/alice-bucket/public/anon"}); resp.status != http.StatusNotFound {
			t.Errorf("the refused anonymous PUT stored an object (HEAD %d)", resp.status)
		}
	})

	t.Run("a new user in the users file works without restart", func(t *testing.T) {
		ctx := testContext(t, time.Minute)
		asCarol := g.as(carol)
		if resp := asCarol.do(t, ctx, rawRequest{method: "GET", rawPath: "/"}); resp.errorCode() != "InvalidAccessKeyId" {
			t.Fatalf("carol before she is added: %d %s, want 403 InvalidAccessKeyId", resp.status, resp.errorCode())
		}
		writeUsersFile(t, usersFile, alice, bob, carol)
		added := time.Now()
		var resp *rawResponse
		for time.Since(added) < usersReloadDeadline {
			if resp = asCarol.do(t, ctx, rawRequest{method: "GET", rawPath: "/"}); resp.status == http.StatusOK {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if resp.status != http.StatusOK {
			t.Fatalf("carol's key still refused %v after the users file gained her: %d %s", usersReloadDeadline, resp.status, resp.errorCode())
		}
		t.Logf("carol's key worked %v after the rewrite", time.Since(added).Round(100*time.Millisecond))
		if bytes.Contains(resp.body, []byte("alice-bucket")) {
			t.Errorf("carol's ListBuckets shows alice's bucket:\n%s", resp.body)
		}
		if g.hasExited() {
			t.Errorf("the gateway exited during the reload")
		}
	})

	t.Run("ACLs as with BucketOwnerEnforced", func(t *testing.T) {
		var acl struct {
			Owner  struct{ ID string }
			Grants []struct {
				Grantee    struct{ ID, Type string }
				Permission string
			}
		}
		out := asAlice.must("s3api", "get-bucket-acl", "--bucket", "alice-bucket")
		mustNoErr(t, json.Unmarshal([]byte(out), &acl), "parse get-bucket-acl output %s", out)
		if acl.Owner.ID == "" || len(acl.Grants) != 1 || acl.Grants[0].Grantee.ID != acl.Owner.ID || acl.Grants[0].Permission != "FULL_CONTROL" {
			t.Errorf("get-bucket-acl: want the owner alone with FULL_CONTROL, got:\n%s", out)
		}
		expectCLIDenied(t, asAlice, "AccessControlListNotSupported", "s3api", "put-bucket-acl", "--bucket", "alice-bucket", "--acl", "public-read")
		// The refused ACL changed nothing: anonymous listing is still denied.
		if resp := g.do(t, testContext(t, time.Minute), rawRequest{method: "GET", rawPath: "/alice-bucket", unsigned: true}); resp.status != http.StatusForbidden {
			t.Errorf("anonymous list after the refused public-read ACL: %d, want 403", resp.status)
		}
	})
}

// policyStatement is one statement of a bucket policy document.
type policyStatement struct {
	Effect    string
	Principal any
	Action    []string
	Resource  []string
}

func putBucketPolicy(t *testing.T, cli *awsCLI, work string, statements ...policyStatement) {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	mustNoErr(t, err, "encode policy")
	path := filepath.Join(work, "policy.json")
	mustNoErr(t, os.WriteFile(path, doc, 0o600), "write policy")
	cli.must("s3api", "put-bucket-policy", "--bucket", "alice-bucket", "--policy", "file://"+path)
}

// expectCLIDenied runs the CLI and wants a non-zero exit naming code.
func expectCLIDenied(t *testing.T, cli *awsCLI, code string, args ...string) {
	t.Helper()
	stdout, stderr, err := cli.run(args...)
	if err == nil || !strings.Contains(stderr, code) {
		t.Errorf("aws %s: exit %v, want a failure with %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, code, stdout, stderr)
	}
}
