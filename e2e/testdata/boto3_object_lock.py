"""boto3 checks of S3 Object Lock against a running terngate.

Run by TestBoto3ObjectLock with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY
and E2E_BUCKET set (the bucket does not exist: the script creates it with
Object Lock). Covers create_bucket(ObjectLockEnabledForBucket=True),
put/get_object_lock_configuration, the ObjectLock* arguments of put_object
and create_multipart_upload, put/get_object_retention with and without
BypassGovernanceRetention, put/get_object_legal_hold and the errors AWS
gives (ceph/s3-tests test_object_lock_*). Prints "ALL OK" at the end; any
failure exits non-zero.
"""
import datetime
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
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                  request_checksum_calculation="when_supported"),
)
bucket = os.environ["E2E_BUCKET"]
utc = datetime.timezone.utc

s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
conf = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
expect(conf == {"ObjectLockEnabled": "Enabled"}, f"a new lock bucket has no default retention (got {conf})")

default = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=default)
conf = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
expect(conf == default, f"get_object_lock_configuration answers what was put (got {conf})")
expect_error("MalformedXML", 400, s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}})
expect_error("InvalidRetentionPeriod", 400, s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}})

# The bucket default reaches a plain put_object.
s3.put_object(Bucket=bucket, Key="by-default", Body=b"abc")
head = s3.head_object(Bucket=bucket, Key="by-default")
expect(head.get("ObjectLockMode") == "GOVERNANCE", f"default retention on put_object (got {head.get('ObjectLockMode')})")
soon = datetime.datetime.now(utc) + datetime.timedelta(days=1)
until = head.get("ObjectLockRetainUntilDate")
expect(until is not None and abs((until - soon).total_seconds()) < 300, f"default retention runs one day (got {until})")

date = datetime.datetime(2030, 1, 1, tzinfo=utc)
s3.put_object(Bucket=bucket, Key="locked", Body=b"abc", ObjectLockMode="GOVERNANCE",
              ObjectLockRetainUntilDate=date, ObjectLockLegalHoldStatus="ON")
head = s3.head_object(Bucket=bucket, Key="locked")
expect(head.get("ObjectLockMode") == "GOVERNANCE" and head.get("ObjectLockRetainUntilDate") == date
       and head.get("ObjectLockLegalHoldStatus") == "ON", f"put_object ObjectLock* on head_object (got {head})")
ret = s3.get_object_retention(Bucket=bucket, Key="locked")["Retention"]
expect(ret == {"Mode": "GOVERNANCE", "RetainUntilDate": date}, f"get_object_retention (got {ret})")
hold = s3.get_object_legal_hold(Bucket=bucket, Key="locked")["LegalHold"]
expect(hold == {"Status": "ON"}, f"get_object_legal_hold (got {hold})")
s3.put_object_legal_hold(Bucket=bucket, Key="locked", LegalHold={"Status": "OFF"})
hold = s3.get_object_legal_hold(Bucket=bucket, Key="locked")["LegalHold"]
expect(hold == {"Status": "OFF"}, f"put_object_legal_hold OFF (got {hold})")
expect_error("MalformedXML", 400, s3.put_object_legal_hold, Bucket=bucket, Key="locked", LegalHold={"Status": "abc"})

earlier = datetime.datetime(2029, 1, 1, tzinfo=utc)
e = expect_error("AccessDenied", 403, s3.put_object_retention, Bucket=bucket, Key="locked",
                 Retention={"Mode": "GOVERNANCE", "RetainUntilDate": earlier})
if e is not None:
    msg = e.response["Error"]["Message"]
    expect(msg == "Access Denied because object protected by object lock.", f"AccessDenied text (got {msg!r})")
expect_error("AccessDenied", 403, s3.put_object_retention, Bucket=bucket, Key="locked",
             Retention={"Mode": "COMPLIANCE", "RetainUntilDate": date})
s3.put_object_retention(Bucket=bucket, Key="locked", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": earlier},
                        BypassGovernanceRetention=True)
ret = s3.get_object_retention(Bucket=bucket, Key="locked")["Retention"]
expect(ret["RetainUntilDate"] == earlier, f"shortened with BypassGovernanceRetention (got {ret})")
s3.put_object_retention(Bucket=bucket, Key="locked", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": date},
                        BypassGovernanceRetention=True)
expect_error("AccessDenied", 403, s3.put_object_retention, Bucket=bucket, Key="locked",
             Retention={"Mode": "COMPLIANCE", "RetainUntilDate": earlier}, BypassGovernanceRetention=True)
expect_error("AccessDenied", 403, s3.put_object_retention, Bucket=bucket, Key="locked",
             Retention={"Mode": "GOVERNANCE", "RetainUntilDate": date}, BypassGovernanceRetention=True)
expect_error("MalformedXML", 400, s3.put_object_retention, Bucket=bucket, Key="locked",
             Retention={"Mode": "governance", "RetainUntilDate": date})

up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=date)
part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"parts")
s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                             MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})
head = s3.head_object(Bucket=bucket, Key="mp")
expect(head.get("ObjectLockMode") == "COMPLIANCE" and head.get("ObjectLockRetainUntilDate") == date,
       f"create_multipart_upload ObjectLock* reach the object (got {head.get('ObjectLockMode')})")

plain = bucket + "-plain"
s3.create_bucket(Bucket=plain)
expect_error("ObjectLockConfigurationNotFoundError", 404, s3.get_object_lock_configuration, Bucket=plain)
expect_error("InvalidBucketState", 409, s3.put_object_lock_configuration, Bucket=plain, ObjectLockConfiguration=default)
s3.put_object(Bucket=plain, Key="k", Body=b"x")
expect_error("InvalidRequest", 400, s3.put_object_retention, Bucket=plain, Key="k",
             Retention={"Mode": "GOVERNANCE", "RetainUntilDate": date})
expect_error("InvalidRequest", 400, s3.put_object, Bucket=plain, Key="k2", Body=b"x", ObjectLockLegalHoldStatus="ON")

if failures:
    sys.exit(1)
print("ALL OK")
