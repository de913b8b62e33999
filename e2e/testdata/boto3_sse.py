"""boto3 checks of encryption at rest against a running terngate.

Run by TestSSEClients with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY,
E2E_BUCKET and E2E_CA_BUNDLE (the gateway serves HTTPS: SSE-C needs it)
set, and a master key ring configured. Covers SSE-C (SSECustomerKey on
put_object, get_object with Range, head_object; a wrong key is 403, as the
S3 User Guide's "Using server-side encryption with customer-provided keys"
says), SSE-S3 (ServerSideEncryption='AES256', ETag the MD5 of the data as
API_Object says) and bucket default encryption (API_PutBucketEncryption,
API_GetBucketEncryption, API_DeleteBucketEncryption). Prints "ALL OK" at
the end; any failure exits non-zero.
"""
import hashlib
import os
import sys

import boto3
from botocore.config import Config

from s3expect import expect, expect_error, failures


def main():
    bucket = os.environ["E2E_BUCKET"]
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["E2E_ENDPOINT"],
        aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
        aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
        region_name="us-east-1",
        verify=os.environ.get("E2E_CA_BUNDLE") or None,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    s3.create_bucket(Bucket=bucket)
    body = b"E2E-SSE-PLAINTEXT-" * 17000  # about 300 KiB: several packages; the Go test greps the store for it
    key = b"\x01" * 32
    other = b"\x02" * 32

    # SSE-C: boto3 base64-encodes the key and adds its MD5.
    put = s3.put_object(Bucket=bucket, Key="ssec", Body=body, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    expect(put["SSECustomerAlgorithm"] == "AES256", "SSE-C PUT echoes the algorithm")
    expect(put["ETag"].strip('"') != hashlib.md5(body).hexdigest(), "SSE-C ETag is not the MD5 of the data")
    got = s3.get_object(Bucket=bucket, Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    expect(got["Body"].read() == body, "SSE-C GET returns the data")
    expect(got["SSECustomerKeyMD5"] == put["SSECustomerKeyMD5"], "SSE-C GET echoes the key MD5")
    part = s3.get_object(Bucket=bucket, Key="ssec", Range="bytes=65000-140000", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    expect(part["Body"].read() == body[65000:140001], "SSE-C range GET across packages")
    head = s3.head_object(Bucket=bucket, Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    expect(head["ContentLength"] == len(body), "SSE-C HEAD reports the plaintext size")
    expect_error("AccessDenied", 403, s3.get_object, Bucket=bucket, Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=other)
    expect_error("InvalidRequest", 400, s3.get_object, Bucket=bucket, Key="ssec")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="ssec")["Contents"]
    expect(listed[0]["Size"] == len(body), "listing reports the plaintext size")

    # SSE-S3.
    put = s3.put_object(Bucket=bucket, Key="sses3", Body=body, ServerSideEncryption="AES256")
    expect(put["ServerSideEncryption"] == "AES256", "SSE-S3 PUT answers AES256")
    expect(put["ETag"].strip('"') == hashlib.md5(body).hexdigest(), "SSE-S3 ETag is the MD5 of the data")
    got = s3.get_object(Bucket=bucket, Key="sses3")
    expect(got["Body"].read() == body and got["ServerSideEncryption"] == "AES256", "SSE-S3 GET")
    expect(s3.head_object(Bucket=bucket, Key="sses3")["ServerSideEncryption"] == "AES256", "SSE-S3 HEAD")

    # Bucket default encryption.
    expect_error("ServerSideEncryptionConfigurationNotFoundError", 404, s3.get_bucket_encryption, Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    expect(rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", "GetBucketEncryption")
    put = s3.put_object(Bucket=bucket, Key="by-default", Body=body)
    expect(put.get("ServerSideEncryption") == "AES256", "PUT in a default-encrypted bucket is SSE-S3")
    expect(s3.get_object(Bucket=bucket, Key="by-default")["Body"].read() == body, "GET of a default-encrypted object")
    s3.delete_bucket_encryption(Bucket=bucket)
    expect_error("ServerSideEncryptionConfigurationNotFoundError", 404, s3.get_bucket_encryption, Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="plain", Body=b"E2E-CONTROL-UNENCRYPTED")
    expect("ServerSideEncryption" not in put, "PUT after DeleteBucketEncryption is not encrypted")

    if failures:
        print(f"{len(failures)} FAILED:", *failures, sep="\n  ")
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # report and fail: the Go test reads the output
        print("FAIL:", type(exc).__name__, exc)
        print("earlier failures:", failures)
        sys.exit(1)
