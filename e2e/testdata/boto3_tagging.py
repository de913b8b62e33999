"""boto3 checks of object tagging against a running terngate.

Run by TestBoto3Tagging with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY
and E2E_BUCKET set (the bucket exists). Covers API_PutObjectTagging,
API_GetObjectTagging, API_DeleteObjectTagging, Tagging= on put_object and
create_multipart_upload (API_PutObject, API_CreateMultipartUpload) and
TaggingDirective on copy_object (API_CopyObject), and bucket tagging. Prints "ALL OK" at the
end; any failure exits non-zero.
"""
import os
import sys

import boto3
from botocore.config import Config

from s3expect import expect, expect_error, failures


s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["E2E_ENDPOINT"],
    aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
    aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
bucket = os.environ["E2E_BUCKET"]


def tags(key):
    return [(t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]]


s3.put_object(Bucket=bucket, Key="t1", Body=b"one", Tagging="team=storage&env=test%20run")
expect(tags("t1") == [("env", "test run"), ("team", "storage")], f"put_object Tagging= (got {tags('t1')})")
got = s3.get_object(Bucket=bucket, Key="t1")
expect(got.get("TagCount") == 2, f"get_object TagCount 2 (got {got.get('TagCount')})")
etag, modified = got["ETag"], got["LastModified"]

s3.put_object_tagging(Bucket=bucket, Key="t1", Tagging={"TagSet": [{"Key": "owner", "Value": "ops@example.com"}]})
expect(tags("t1") == [("owner", "ops@example.com")], "put_object_tagging replaces the set")
head = s3.head_object(Bucket=bucket, Key="t1")
expect(head["ETag"] == etag and head["LastModified"] == modified, "tagging keeps ETag and Last-Modified")

s3.copy_object(Bucket=bucket, Key="t1-copy", CopySource={"Bucket": bucket, "Key": "t1"})
expect(tags("t1-copy") == [("owner", "ops@example.com")], "copy_object copies the tags by default")
s3.copy_object(Bucket=bucket, Key="t1-new", CopySource={"Bucket": bucket, "Key": "t1"},
               TaggingDirective="REPLACE", Tagging="fresh=1")
expect(tags("t1-new") == [("fresh", "1")], "copy_object TaggingDirective=REPLACE")

resp = s3.delete_object_tagging(Bucket=bucket, Key="t1")
expect(resp["ResponseMetadata"]["HTTPStatusCode"] == 204, "delete_object_tagging answers 204")
expect(tags("t1") == [], "delete_object_tagging leaves an empty TagSet")

up = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="part=whole")
part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"parts")
s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                             MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})
expect(tags("mp") == [("part", "whole")], "create_multipart_upload Tagging= reaches the object")

eleven = {"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]}
e = expect_error("BadRequest", 400, s3.put_object_tagging, Bucket=bucket, Key="t1", Tagging=eleven)
expect(e is not None and e.response["Error"]["Message"] == "Object tags cannot be greater than 10", "11 tags: S3's text")
expect_error("InvalidTag", 400, s3.put_object_tagging, Bucket=bucket, Key="t1",
             Tagging={"TagSet": [{"Key": "k" * 129, "Value": "v"}]})
expect_error("InvalidTag", 400, s3.put_object_tagging, Bucket=bucket, Key="t1",
             Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
expect_error("InvalidArgument", 400, s3.put_object, Bucket=bucket, Key="dup", Body=b"x", Tagging="a=1&a=2")
expect_error("NoSuchKey", 404, s3.get_object_tagging, Bucket=bucket, Key="missing")

# Bucket tagging (API_PutBucketTagging, API_GetBucketTagging,
# API_DeleteBucketTagging): NoSuchTagSet without a tag set.
expect_error("NoSuchTagSet", 404, s3.get_bucket_tagging, Bucket=bucket)
s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "cost-centre", "Value": "42"}]})
bt = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
expect(bt == [{"Key": "cost-centre", "Value": "42"}], f"get_bucket_tagging (got {bt})")
s3.delete_bucket_tagging(Bucket=bucket)
expect_error("NoSuchTagSet", 404, s3.get_bucket_tagging, Bucket=bucket)

if failures:
    print(f"{len(failures)} FAILURES")
    sys.exit(1)
print("ALL OK")
