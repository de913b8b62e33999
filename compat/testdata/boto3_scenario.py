"""The boto3 scenario, run as: boto3_scenario.py WORKDIR (or: version).

The endpoint, keys and CA bundle come from the environment (TERNGATE_COMPAT_ENDPOINT,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_CA_BUNDLE). Each step verifies
what it did; the script prints "ok STEP" after each, or "FAIL STEP: why" and
exits non-zero at the first that the gateway got wrong.
"""
import hashlib
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

BUCKET = "boto3-bucket"
PART = 8 * 1024 * 1024  # boto3's default multipart threshold and chunk size


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["TERNGATE_COMPAT_ENDPOINT"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def multipart_etag(data, part):
    digests = b"".join(hashlib.md5(data[i : i + part]).digest() for i in range(0, len(data), part))
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(), (len(data) + part - 1) // part)


class Mismatch(Exception):
    pass


def expect(what, got, want):
    if got != want:
        raise Mismatch("%s: got %r, want %r" % (what, got, want))


def read(work, name):
    with open(os.path.join(work, name), "rb") as f:
        return f.read()


def create_bucket(s3, work):
    s3.create_bucket(Bucket=BUCKET)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    expect("bucket listed", BUCKET in names, True)


def put(s3, work):
    data = read(work, "small.bin")
    resp = s3.put_object(Bucket=BUCKET, Key="dir/small.bin", Body=data, ContentType="application/x-compat")
    expect("PutObject ETag", resp["ETag"], md5_etag(data))


def get(s3, work):
    data = read(work, "small.bin")
    resp = s3.get_object(Bucket=BUCKET, Key="dir/small.bin")
    expect("GetObject body", resp["Body"].read() == data, True)
    expect("GetObject ETag", resp["ETag"], md5_etag(data))
    expect("GetObject Content-Type", resp["ContentType"], "application/x-compat")
    ranged = s3.get_object(Bucket=BUCKET, Key="dir/small.bin", Range="bytes=100-199")["Body"].read()
    expect("ranged GetObject", ranged == data[100:200], True)


def list_objects(s3, work):
    data = read(work, "small.bin")
    for i in range(3):
        s3.put_object(Bucket=BUCKET, Key="list/%d.txt" % i, Body=b"x" * i)
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, PaginationConfig={"PageSize": 2})
    listed = [(o["Key"], o["Size"], o["ETag"]) for page in pages for o in page.get("Contents", [])]
    want = [("dir/small.bin", len(data), md5_etag(data))] + [("list/%d.txt" % i, i, md5_etag(b"x" * i)) for i in range(3)]
    expect("ListObjectsV2 pages of 2", listed, want)
    delimited = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
    expect("CommonPrefixes", [p["Prefix"] for p in delimited.get("CommonPrefixes", [])], ["dir/", "list/"])


def copy(s3, work):
    data = read(work, "small.bin")
    resp = s3.copy_object(Bucket=BUCKET, Key="copied.bin", CopySource={"Bucket": BUCKET, "Key": "dir/small.bin"})
    expect("CopyObject ETag", resp["CopyObjectResult"]["ETag"], md5_etag(data))
    got = s3.get_object(Bucket=BUCKET, Key="copied.bin")
    expect("copy body", got["Body"].read() == data, True)
    expect("copy keeps Content-Type", got["ContentType"], "application/x-compat")


def multipart(s3, work):
    path = os.path.join(work, "large.bin")
    s3.upload_file(path, BUCKET, "large.bin", Config=TransferConfig(multipart_threshold=PART, multipart_chunksize=PART))
    data = read(work, "large.bin")
    head = s3.head_object(Bucket=BUCKET, Key="large.bin")
    expect("multipart ETag", head["ETag"], multipart_etag(data, PART))
    expect("multipart size", head["ContentLength"], len(data))
    back = os.path.join(work, "large.back")
    s3.download_file(BUCKET, "large.bin", back)
    expect("downloaded bytes", read(work, "large.back") == data, True)


def delete(s3, work):
    s3.delete_object(Bucket=BUCKET, Key="copied.bin")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    resp = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys]})
    expect("DeleteObjects deleted", sorted(d["Key"] for d in resp.get("Deleted", [])), sorted(keys))
    expect("DeleteObjects errors", resp.get("Errors", []), [])
    expect("objects left", s3.list_objects_v2(Bucket=BUCKET).get("KeyCount"), 0)
    s3.delete_bucket(Bucket=BUCKET)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    expect("bucket gone", BUCKET in names, False)


STEPS = (create_bucket, put, get, list_objects, copy, multipart, delete)

if __name__ == "__main__":
    if sys.argv[1] == "version":
        print(boto3.__version__)
        sys.exit(0)
    s3 = client()
    for step in STEPS:
        try:
            step(s3, sys.argv[1])
        except Exception as e:  # any failure ends the scenario, with its reason
            print("FAIL %s: %s: %s" % (step.__name__, type(e).__name__, e), flush=True)
            sys.exit(1)
        print("ok " + step.__name__, flush=True)
