"""boto3 end-to-end checks against a running terngate.

Run by TestBoto3 with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY and
E2E_BUCKET set. Uses botocore's default checksum behaviour (CRC32 headers
over http since botocore 1.36). Prints one line per check and "ALL OK" at
the end; any failure raises and exits non-zero.
"""
import hashlib
import os
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

sent_headers = {}
failures = []


def record_headers(request, **kwargs):
    # Remember the headers of the last request per operation name.
    sent_headers[kwargs.get("event_name", "").split(".")[-1]] = dict(request.headers)


def expect(cond, msg):
    # Record and go on, so one run reports every broken behaviour.
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        expect(got == code, f"error {code} (got {got}: {e})")
        return e
    expect(False, f"error {code} (call succeeded)")
    return None


def main():
    bucket = os.environ["E2E_BUCKET"]
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["E2E_ENDPOINT"],
        aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
        aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    s3.meta.events.register("before-send.s3.*", record_headers)
    print("botocore", botocore.__version__)

    s3.create_bucket(Bucket=bucket)
    body = b"boto3 says hello\n" * 1000
    put = s3.put_object(
        Bucket=bucket, Key="dir/hello.txt", Body=body,
        ContentType="text/plain", Metadata={"colour": "blue"},
        CacheControl="max-age=5", ContentDisposition="inline",
    )
    expect(put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "PutObject ETag is the quoted MD5")
    hdrs = {k.lower(): v for k, v in sent_headers["PutObject"].items()}
    expect("x-amz-checksum-crc32" in hdrs, "botocore sent x-amz-checksum-crc32 (default checksums)")

    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    expect(got["Body"].read() == body, "GetObject body matches")
    expect(got["Metadata"] == {"colour": "blue"}, f"GetObject user metadata {got['Metadata']}")
    expect(got["ContentType"] == "text/plain", f"GetObject Content-Type {got['ContentType']}")

    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    expect(head["ContentLength"] == len(body), "HeadObject ContentLength")
    expect(head["CacheControl"] == "max-age=5" and head["ContentDisposition"] == "inline", "HeadObject Cache-Control and Content-Disposition")
    expect(head["ETag"] == put["ETag"], "HeadObject ETag")

    part = s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=17-33")
    expect(part["Body"].read() == body[17:34], "ranged GetObject body")
    expect(part["ContentRange"] == "bytes 17-33/%d" % len(body), "ranged GetObject Content-Range")

    e = expect_error("304", s3.get_object, Bucket=bucket, Key="dir/hello.txt", IfNoneMatch=put["ETag"])
    expect(e is not None and e.response["ResponseMetadata"]["HTTPStatusCode"] == 304, "If-None-Match current ETag is 304")
    expect_error("PreconditionFailed", s3.get_object, Bucket=bucket, Key="dir/hello.txt", IfMatch='"nope"')

    s3.copy_object(Bucket=bucket, Key="copy/kept", CopySource={"Bucket": bucket, "Key": "dir/hello.txt"})
    kept = s3.head_object(Bucket=bucket, Key="copy/kept")["Metadata"]
    expect(kept == {"colour": "blue"}, f"CopyObject keeps metadata {kept}")
    s3.copy_object(Bucket=bucket, Key="copy/replaced", CopySource={"Bucket": bucket, "Key": "dir/hello.txt"},
                   MetadataDirective="REPLACE", Metadata={"colour": "red"})
    replaced = s3.head_object(Bucket=bucket, Key="copy/replaced")["Metadata"]
    expect(replaced == {"colour": "red"}, f"CopyObject REPLACE {replaced}")

    # Keys botocore lists with encoding-type=url and decodes: '+', spaces, '%', unicode.
    awkward = ["odd/a+b", "odd/a b", "odd/100%", "odd/ünï", "odd/x+y z%2B"]
    for k in awkward:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
        expect(s3.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode(), f"round trip of key {k!r}")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="odd/")["Contents"]]
    expect(listed == sorted(awkward, key=lambda s: s.encode()), f"ListObjectsV2 awkward keys {listed}")
    listed = [o["Key"] for o in s3.list_objects(Bucket=bucket, Prefix="odd/")["Contents"]]
    expect(listed == sorted(awkward, key=lambda s: s.encode()), f"ListObjects (v1) awkward keys {listed}")

    res = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    expect([p["Prefix"] for p in res.get("CommonPrefixes", [])] == ["copy/", "dir/", "odd/"], "ListObjectsV2 common prefixes")
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}))
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    expect(len(pages) == 4 and len(keys) == 8, f"ListObjectsV2 paginated by 2: {len(pages)} pages, {len(keys)} keys")

    s3.delete_object(Bucket=bucket, Key="copy/kept")
    expect_error("NoSuchKey", s3.get_object, Bucket=bucket, Key="copy/kept")
    res = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in awkward + ["copy/replaced", "dir/hello.txt"]]})
    expect(len(res.get("Deleted", [])) == len(awkward) + 2 and not res.get("Errors"), "DeleteObjects deleted everything")
    expect(s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0, "bucket empty after DeleteObjects")
    expect_error("NoSuchBucket", s3.list_objects_v2, Bucket=bucket + "-missing")
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
