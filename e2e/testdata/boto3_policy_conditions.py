"""boto3 checks of bucket policy Condition blocks against a running terngate.

Run by TestPolicyConditionClients with E2E_ENDPOINT, E2E_ACCESS_KEY and
E2E_SECRET_KEY (alice, the bucket owner), E2E_BOB_ACCESS_KEY and
E2E_BOB_SECRET_KEY, E2E_BUCKET (which holds home/bob/a, home/alice/b and
public/p and the test's policy) and E2E_CA_BUNDLE (empty over plain HTTP).
The policy denies everything when aws:SecureTransport is false, denies
PutObject without s3:x-amz-server-side-encryption AES256, lets bob list
under s3:prefix home/bob/ and anyone read public/* from 127.0.0.0/8.
Prints "ALL OK" at the end; any failure exits non-zero.
"""
import os
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from s3expect import expect, expect_error, failures


def client(access_key=None, secret_key=None, unsigned=False):
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    if unsigned:
        config = config.merge(Config(signature_version=UNSIGNED))
    return boto3.client(
        "s3",
        endpoint_url=os.environ["E2E_ENDPOINT"],
        aws_access_key_id=access_key or "unused",
        aws_secret_access_key=secret_key or "unused",
        region_name="us-east-1",
        verify=os.environ.get("E2E_CA_BUNDLE") or None,
        config=config,
    )


def main():
    bucket = os.environ["E2E_BUCKET"]
    secure = bool(os.environ.get("E2E_CA_BUNDLE"))
    alice = client(os.environ["E2E_ACCESS_KEY"], os.environ["E2E_SECRET_KEY"])
    bob = client(os.environ["E2E_BOB_ACCESS_KEY"], os.environ["E2E_BOB_SECRET_KEY"])
    anonymous = client(unsigned=True)

    if not secure:
        # Deny on aws:SecureTransport false binds everyone, the owner too.
        expect_error("AccessDenied", 403, alice.get_object, Bucket=bucket, Key="public/p")
        expect_error("AccessDenied", 403, anonymous.get_object, Bucket=bucket, Key="public/p")
        expect_error("AccessDenied", 403, bob.list_objects_v2, Bucket=bucket, Prefix="home/bob/")
        expect_error("AccessDenied", 403, alice.put_object, Bucket=bucket, Key="sealed", Body=b"x", ServerSideEncryption="AES256")
        return

    # Deny PutObject unless x-amz-server-side-encryption is AES256.
    expect_error("AccessDenied", 403, alice.put_object, Bucket=bucket, Key="plain", Body=b"x")
    alice.put_object(Bucket=bucket, Key="sealed", Body=b"x", ServerSideEncryption="AES256")
    head = alice.head_object(Bucket=bucket, Key="sealed")
    expect(head.get("ServerSideEncryption") == "AES256", "the allowed PUT is SSE-S3")
    expect_error("NoSuchKey", 404, alice.get_object, Bucket=bucket, Key="plain")

    # bob lists under home/bob/ only.
    listed = bob.list_objects_v2(Bucket=bucket, Prefix="home/bob/")
    expect([o["Key"] for o in listed.get("Contents", [])] == ["home/bob/a"], "bob lists home/bob/")
    expect_error("AccessDenied", 403, bob.list_objects_v2, Bucket=bucket, Prefix="home/alice/")
    expect_error("AccessDenied", 403, bob.list_objects_v2, Bucket=bucket)

    # Anonymous reads of public/* from 127.0.0.0/8.
    got = anonymous.get_object(Bucket=bucket, Key="public/p")["Body"].read()
    expect(got == b"for everyone\n", "anonymous GET public/p from 127.0.0.1")
    expect_error("AccessDenied", 403, anonymous.get_object, Bucket=bucket, Key="home/bob/a")


if __name__ == "__main__":
    main()
    if failures:
        sys.exit(1)
    print("ALL OK")
