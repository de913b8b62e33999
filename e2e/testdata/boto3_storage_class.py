"""boto3 checks of storage classes against a running terngate.

Run by TestBoto3StorageClass with E2E_ENDPOINT, E2E_ACCESS_KEY,
E2E_SECRET_KEY and E2E_BUCKET set (the bucket exists). StorageClass= on
put_object, create_multipart_upload and copy_object (API_PutObject,
API_CreateMultipartUpload, API_CopyObject) is recorded and reported by
head_object, list_objects_v2 and list_parts. Prints "ALL OK" at the end;
any failure exits non-zero.
"""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["E2E_ENDPOINT"],
    aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
    aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
bucket = os.environ["E2E_BUCKET"]

s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
s3.put_object(Bucket=bucket, Key="std", Body=b"x")
expect(s3.head_object(Bucket=bucket, Key="ia").get("StorageClass") == "STANDARD_IA", "head_object StorageClass STANDARD_IA")
expect("StorageClass" not in s3.head_object(Bucket=bucket, Key="std"), "head_object of a STANDARD object names no class")
listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
expect(listed == {"ia": "STANDARD_IA", "std": "STANDARD"}, f"list_objects_v2 StorageClass (got {listed})")

up = s3.create_multipart_upload(Bucket=bucket, Key="mp", StorageClass="GLACIER_IR")
expect(s3.list_parts(Bucket=bucket, Key="mp", UploadId=up["UploadId"])["StorageClass"] == "GLACIER_IR", "list_parts StorageClass")
s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"])

s3.copy_object(Bucket=bucket, Key="std", CopySource={"Bucket": bucket, "Key": "std"}, StorageClass="ONEZONE_IA")
expect(s3.head_object(Bucket=bucket, Key="std").get("StorageClass") == "ONEZONE_IA", "copy in place changes the class")

try:
    s3.put_object(Bucket=bucket, Key="bad", Body=b"x", StorageClass="EXPRESS_ONEZONE")
    expect(False, "EXPRESS_ONEZONE refused")
except ClientError as e:
    expect(e.response["Error"]["Code"] == "InvalidStorageClass", f"EXPRESS_ONEZONE: InvalidStorageClass (got {e.response['Error']['Code']})")

if failures:
    print(f"{len(failures)} FAILURES")
    sys.exit(1)
print("ALL OK")
