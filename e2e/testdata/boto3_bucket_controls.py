"""boto3 checks of the bucket controls against a running terngate.

Run by TestBoto3BucketControls with E2E_ENDPOINT, E2E_ACCESS_KEY,
E2E_SECRET_KEY and E2E_BUCKET set. Covers Block Public Access
(API_PutPublicAccessBlock, API_GetPublicAccessBlock,
API_DeletePublicAccessBlock), GetBucketPolicyStatus and the ownership
controls (API_PutBucketOwnershipControls). Prints "ALL OK" at the end; any
failure exits non-zero.
"""
import json
import os
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

from s3expect import expect, expect_error, failures


def anonymous_get(url):
    try:
        with urllib.request.urlopen(url) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def main():
    bucket = os.environ["E2E_BUCKET"]
    endpoint = os.environ["E2E_ENDPOINT"]
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
        aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="public/page.html", Body=b"hi")
    public = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/public/*"}],
    })
    page = f"{endpoint}/{bucket}/public/page.html"

    # Block Public Access.
    expect_error("NoSuchPublicAccessBlockConfiguration", 404, s3.get_public_access_block, Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    })
    cfg = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    expect(cfg == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                   "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
           f"GetPublicAccessBlock returns what was put ({cfg})")
    e = expect_error("AccessDenied", 403, s3.put_bucket_policy, Bucket=bucket, Policy=public)
    if e is not None:
        expect(e.response["Error"]["Message"] == "Access Denied", "BlockPublicPolicy's message is S3's")
    expect_error("NoSuchBucketPolicy", 404, s3.get_bucket_policy_status, Bucket=bucket)

    # Allow public policies again but keep them from anonymous requests.
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    status = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]
    expect(status.get("IsPublic") is True, f"GetBucketPolicyStatus IsPublic ({status})")
    expect(anonymous_get(page) == 403, "RestrictPublicBuckets refuses the anonymous GET")
    s3.delete_public_access_block(Bucket=bucket)
    expect_error("NoSuchPublicAccessBlockConfiguration", 404, s3.get_public_access_block, Bucket=bucket)
    expect(anonymous_get(page) == 200, "without the block the policy makes the page public")

    # Ownership controls: BucketOwnerEnforced only.
    oc = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    expect(oc == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}, f"ownership controls ({oc})")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    expect_error("NotImplemented", 501, s3.put_bucket_ownership_controls, Bucket=bucket,
                 OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    expect_error("NotImplemented", 501, s3.delete_bucket_ownership_controls, Bucket=bucket)

    s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="public/page.html")
    s3.delete_bucket(Bucket=bucket)
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
