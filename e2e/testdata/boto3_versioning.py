"""boto3 checks of S3 versioning against a running terngate.

Run by TestBoto3Versioning with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY
and E2E_BUCKET set (the bucket exists). Covers API_PutBucketVersioning,
API_GetObject/HeadObject with VersionId, delete markers (user guide
"Working with delete markers"), API_ListObjectVersions paging with
KeyMarker/VersionIdMarker, API_DeleteObjects with VersionId
(DeleteMarker, DeleteMarkerVersionId) and API_CopyObject from a version.
Prints "ALL OK" at the end; any failure exits non-zero.
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

expect("Status" not in s3.get_bucket_versioning(Bucket=bucket), "a new bucket has no versioning status")
s3.put_object(Bucket=bucket, Key="pre", Body=b"before versioning")
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
expect(s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled", "versioning Enabled")

ids = []
for i in range(5):
    r = s3.put_object(Bucket=bucket, Key="k", Body=b"body %d" % i)
    ids.append(r["VersionId"])
expect(len(set(ids)) == 5, f"five distinct version IDs ({ids})")
for i, vid in enumerate(ids):
    got = s3.get_object(Bucket=bucket, Key="k", VersionId=vid)
    expect(got["Body"].read() == b"body %d" % i and got["VersionId"] == vid, f"get_object VersionId {vid}")
head = s3.head_object(Bucket=bucket, Key="pre")
expect(head.get("VersionId") == "null", f"the object written before versioning is the null version (got {head.get('VersionId')})")
expect(s3.get_object(Bucket=bucket, Key="pre", VersionId="null")["Body"].read() == b"before versioning", "get_object VersionId=null")

# Copy from a version.
r = s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "k", "VersionId": ids[1]})
expect(r.get("CopySourceVersionId") == ids[1] and r.get("VersionId"), f"copy_object from a version ({r.get('CopySourceVersionId')})")
expect(s3.get_object(Bucket=bucket, Key="copied")["Body"].read() == b"body 1", "the copy holds the version's bytes")

# Delete markers.
d = s3.delete_object(Bucket=bucket, Key="k")
expect(d.get("DeleteMarker") is True and d.get("VersionId"), f"delete_object makes a marker ({d})")
marker = d["VersionId"]
e = expect_error("NoSuchKey", 404, s3.get_object, Bucket=bucket, Key="k")
if e is not None:
    h = e.response["ResponseMetadata"]["HTTPHeaders"]
    expect(h.get("x-amz-delete-marker") == "true", "404 of a deleted key carries x-amz-delete-marker")
expect_error("MethodNotAllowed", 405, s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
expect(s3.get_object(Bucket=bucket, Key="k", VersionId=ids[4])["Body"].read() == b"body 4", "older versions stay readable under a marker")

# Paging: one entry per page walks all of k's versions and the marker.
seen = []
kw = {"Bucket": bucket, "Prefix": "k", "MaxKeys": 1}
while True:
    page = s3.list_object_versions(**kw)
    entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
    expect(len(entries) <= 1, "a page holds at most MaxKeys entries")
    seen += [(x["VersionId"], x["IsLatest"]) for x in entries]
    if not page["IsTruncated"]:
        break
    kw["KeyMarker"], kw["VersionIdMarker"] = page["NextKeyMarker"], page["NextVersionIdMarker"]
expect([v for v, _ in seen] == [marker] + ids[::-1], f"paged versions newest first ({seen})")
expect([latest for _, latest in seen] == [True] + [False] * 5, "only the marker is latest")

# The paginator, as applications use it.
pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
count = sum(len(p.get("Versions", [])) + len(p.get("DeleteMarkers", [])) for p in pages)
expect(count == 8, f"paginator lists 8 entries (got {count})")

# delete_objects with versions.
r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
    {"Key": "k", "VersionId": marker},
    {"Key": "k", "VersionId": ids[0]},
    {"Key": "copied"},
]})
deleted = {(x["Key"], x.get("VersionId")): x for x in r.get("Deleted", [])}
expect(not r.get("Errors"), f"delete_objects without errors ({r.get('Errors')})")
expect(deleted.get(("k", marker), {}).get("DeleteMarker") is True, "deleting a marker by ID reports DeleteMarker")
expect(("k", ids[0]) in deleted, "a version deleted by ID")
c = deleted.get(("copied", None), {})
expect(c.get("DeleteMarker") is True and c.get("DeleteMarkerVersionId"), f"a key deleted without version gets a marker ({c})")
expect(s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"body 4", "the marker gone, the latest version is back")
expect_error("NoSuchVersion", 404, s3.get_object, Bucket=bucket, Key="k", VersionId=ids[0])
expect_error("InvalidArgument", 400, s3.get_object, Bucket=bucket, Key="k", VersionId="bogus")

if failures:
    print(f"{len(failures)} FAILURES")
    sys.exit(1)
print("ALL OK")
