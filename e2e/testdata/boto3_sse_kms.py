"""boto3 checks of SSE-KMS against a running terngate.

Run by TestSSEKMSClients with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY,
E2E_BUCKET and E2E_CA_BUNDLE set (HTTPS), and a static KMS key ring of the keys
e2e-kms-1 (the default) and e2e-kms-2. Covers ServerSideEncryption='aws:kms'
with SSEKMSKeyId (ID, alias or none: API_PutObject, "Amazon S3 uses the AWS
managed key (aws/s3)") and SSEKMSEncryptionContext (base64 JSON), the key's
full ARN in the answers, no context on GET/HEAD (their response syntax has
none), an ETag that is not the MD5 (API_Object), an unknown key
(KMS.NotFoundException, aws/aws-cli#4507), a key without aws:kms
(InvalidArgument), CopyObject into SSE-KMS and an aws:kms bucket default
with BucketKeyEnabled. Prints "ALL OK" at the end; any failure exits
non-zero.
"""
import base64
import hashlib
import json
import os
import sys

import boto3
from botocore.config import Config

from s3expect import expect, expect_error, failures

ARN = "arn:aws:kms:us-east-1:000000000000:key/"


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
    body = b"E2E-SSE-PLAINTEXT-" * 17000  # about 300 KiB; the Go test greps the store for it
    context = base64.b64encode(json.dumps({"project": "e2e"}).encode()).decode()

    put = s3.put_object(Bucket=bucket, Key="kms", Body=body, ServerSideEncryption="aws:kms",
                        SSEKMSKeyId="e2e-kms-2", SSEKMSEncryptionContext=context)
    expect(put["ServerSideEncryption"] == "aws:kms", "SSE-KMS PUT answers aws:kms")
    expect(put["SSEKMSKeyId"] == ARN + "e2e-kms-2", "SSE-KMS PUT answers the key's ARN")
    expect(put.get("SSEKMSEncryptionContext") == context, "SSE-KMS PUT echoes the context")
    expect(put["ETag"].strip('"') != hashlib.md5(body).hexdigest(), "SSE-KMS ETag is not the MD5 of the data")
    got = s3.get_object(Bucket=bucket, Key="kms")
    expect(got["Body"].read() == body, "SSE-KMS GET returns the data")
    expect(got["ServerSideEncryption"] == "aws:kms" and got["SSEKMSKeyId"] == ARN + "e2e-kms-2", "SSE-KMS GET names the key")
    expect("SSEKMSEncryptionContext" not in got, "SSE-KMS GET does not answer the context")
    part = s3.get_object(Bucket=bucket, Key="kms", Range="bytes=65000-140000")
    expect(part["Body"].read() == body[65000:140001], "SSE-KMS range GET across packages")
    head = s3.head_object(Bucket=bucket, Key="kms")
    expect(head["ContentLength"] == len(body) and head["SSEKMSKeyId"] == ARN + "e2e-kms-2", "SSE-KMS HEAD")

    put = s3.put_object(Bucket=bucket, Key="default-key", Body=b"x", ServerSideEncryption="aws:kms")
    expect(put["SSEKMSKeyId"] == ARN + "e2e-kms-1", "no key ID is the default key")
    put = s3.put_object(Bucket=bucket, Key="alias", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/e2e-kms-2")
    expect(put["SSEKMSKeyId"] == ARN + "e2e-kms-2", "an alias names its key")
    # Refused after 100 Continue, before the body is read, on a connection
    # that served the calls above: boto3 over HTTPS sends the whole
    # aws-chunked body before it reads the answer, and a gateway closing
    # with the body unread used to reset the connection under it (an SSL
    # EOF instead of the error). Twice: the second on a fresh connection.
    for _ in range(2):
        err = expect_error("KMS.NotFoundException", 400, s3.put_object, Bucket=bucket, Key="nokey", Body=body,
                           ServerSideEncryption="aws:kms", SSEKMSKeyId="no-such-key")
        expect(err is not None and err.response["Error"]["Message"] == "Invalid keyId 'no-such-key'", "unknown key message")
    # Refused before 100 Continue (the headers decide): boto3 never sends
    # the body.
    expect_error("InvalidArgument", 400, s3.put_object, Bucket=bucket, Key="nokey", Body=body, SSEKMSKeyId="e2e-kms-2")
    expect_error("NotImplemented", 501, s3.put_object, Bucket=bucket, Key="nokey", Body=body, ServerSideEncryption="aws:kms:dsse")

    cp = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "kms"},
                        ServerSideEncryption="aws:kms", SSEKMSKeyId="e2e-kms-1")
    expect(cp["SSEKMSKeyId"] == ARN + "e2e-kms-1", "CopyObject re-encrypts under the key it names")
    expect(s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == body, "GET of the copy")

    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "e2e-kms-2"},
        "BucketKeyEnabled": True}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    expect(rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "e2e-kms-2"}
           and rule.get("BucketKeyEnabled") is True, "GetBucketEncryption answers the aws:kms rule")
    put = s3.put_object(Bucket=bucket, Key="by-default", Body=body)
    expect(put.get("ServerSideEncryption") == "aws:kms" and put.get("SSEKMSKeyId") == ARN + "e2e-kms-2"
           and put.get("BucketKeyEnabled") is True, "PUT in an aws:kms default bucket")
    expect(s3.get_object(Bucket=bucket, Key="by-default")["Body"].read() == body, "GET of a default-encrypted object")
    s3.delete_bucket_encryption(Bucket=bucket)
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
