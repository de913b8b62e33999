"""boto3 checks of CORS configuration and browser-form uploads.

Run by TestBoto3BrowserUploads with E2E_ENDPOINT, E2E_ACCESS_KEY,
E2E_SECRET_KEY and E2E_BUCKET set. Posts the forms boto3's
generate_presigned_post builds with urllib3 (botocore's own HTTP library),
reads the objects back, and prints "ALL OK" at the end; any failure exits
non-zero.
"""
import os
import sys

import boto3
import urllib3
from botocore.config import Config
from botocore.exceptions import ClientError

failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


def post(presigned, filename, data, extra=None):
    # The file goes last: S3 ignores fields that follow it.
    fields = list(presigned["fields"].items()) + list((extra or {}).items())
    fields.append(("file", (filename, data, "application/octet-stream")))
    body, content_type = urllib3.encode_multipart_formdata(fields)
    return urllib3.PoolManager().request(
        "POST", presigned["url"], body=body, headers={"Content-Type": content_type}, redirect=False
    )


def main():
    bucket = os.environ["E2E_BUCKET"]
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["E2E_ENDPOINT"],
        aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
        aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"max_attempts": 1}),
    )
    s3.create_bucket(Bucket=bucket)

    # CORS configuration round trip.
    try:
        s3.get_bucket_cors(Bucket=bucket)
        expect(False, "GetBucketCors without a configuration fails")
    except ClientError as e:
        expect(e.response["Error"]["Code"] == "NoSuchCORSConfiguration", "GetBucketCors: NoSuchCORSConfiguration")
    rules = [{
        "ID": "browser",
        "AllowedOrigins": ["http://app.example.com"],
        "AllowedMethods": ["GET", "PUT", "POST"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 300,
    }]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    expect(got == rules, f"GetBucketCors returns the rules ({got})")
    try:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})
        expect(False, "PutBucketCors refuses PATCH")
    except ClientError as e:
        expect(e.response["Error"]["Code"] == "InvalidRequest" and "Unsupported method is PATCH" in e.response["Error"]["Message"],
               f"PutBucketCors refuses PATCH ({e})")

    # A presigned POST with conditions, 201 and user metadata.
    data = os.urandom(100_000)
    presigned = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"success_action_status": "201", "x-amz-meta-origin": "boto3", "Content-Type": "application/pdf"},
        Conditions=[
            {"success_action_status": "201"},
            {"x-amz-meta-origin": "boto3"},
            ["starts-with", "$Content-Type", "application/"],
            ["content-length-range", 1, 1_000_000],
        ],
        ExpiresIn=600,
    )
    resp = post(presigned, "report.pdf", data)
    expect(resp.status == 201 and b"<Key>uploads/report.pdf</Key>" in resp.data, f"POST 201 ({resp.status} {resp.data[:300]})")
    obj = s3.get_object(Bucket=bucket, Key="uploads/report.pdf")
    expect(obj["Body"].read() == data, "the posted object reads back")
    expect(obj["ContentType"] == "application/pdf", f"Content-Type field stored ({obj['ContentType']})")
    expect(obj["Metadata"] == {"origin": "boto3"}, f"metadata field stored ({obj['Metadata']})")

    # content-length-range: one byte over the limit stores nothing.
    small = s3.generate_presigned_post(bucket, "limited", Conditions=[["content-length-range", 1, 10]], ExpiresIn=600)
    resp = post(small, "f", b"x" * 11)
    expect(resp.status == 400 and b"<Code>EntityTooLarge</Code>" in resp.data, f"EntityTooLarge ({resp.status} {resp.data[:300]})")
    try:
        s3.head_object(Bucket=bucket, Key="limited")
        expect(False, "a refused POST stores nothing")
    except ClientError as e:
        expect(e.response["Error"]["Code"] == "404", "a refused POST stores nothing")

    # A field the policy does not cover is refused.
    resp = post(presigned, "other.pdf", b"x", extra={"x-amz-meta-extra": "1"})
    expect(resp.status == 403 and b"Extra input fields: x-amz-meta-extra" in resp.data, f"extra field refused ({resp.status} {resp.data[:300]})")

    # success_action_redirect.
    redirect = s3.generate_presigned_post(
        bucket, "redirected", Fields={"success_action_redirect": "http://app.example.com/done"},
        Conditions=[{"success_action_redirect": "http://app.example.com/done"}], ExpiresIn=600)
    resp = post(redirect, "f", b"moved")
    location = resp.headers.get("Location", "")
    expect(resp.status == 303 and location.startswith("http://app.example.com/done?") and "key=redirected" in location,
           f"303 to the redirect ({resp.status} {location})")

    if failures:
        print(f"{len(failures)} FAILURES")
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    main()
