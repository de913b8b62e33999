"""boto3 checks of encrypted multipart uploads against a running terngate.

Run by TestSSEMultipartClients with E2E_ENDPOINT, E2E_ACCESS_KEY,
E2E_SECRET_KEY, E2E_BUCKET and E2E_CA_BUNDLE set (HTTPS: SSE-C needs it)
and a master key ring configured. upload_fileobj above the transfer
threshold uploads in parts, with SSECustomerKey or ServerSideEncryption
AES256; the object reads back whole, in a range across a part boundary
and by part number, with plaintext sizes. Low-level UploadPart calls
without the upload's SSE-C key, or with another, get S3's InvalidRequest
(quoted from S3 in aws/aws-sdk-ruby#1084). Prints "ALL OK" at the end; any
failure exits non-zero.
"""
import hashlib
import io
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from s3expect import expect, expect_error, failures

MIB = 1 << 20


def numbered(n):
    out = bytearray()
    i = 0
    while len(out) < n:
        out += b"E2E-SSE-PLAINTEXT-%08d|" % i
        i += 1
    return bytes(out[:n])


def client(**config):
    return boto3.client(
        "s3",
        endpoint_url=os.environ["E2E_ENDPOINT"],
        aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
        aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
        region_name="us-east-1",
        verify=os.environ.get("E2E_CA_BUNDLE") or None,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config),
    )


def main():
    bucket = os.environ["E2E_BUCKET"]
    s3 = client()
    # The refused parts go with a Content-Length body: a refused chunked
    # body (boto3's default, with a trailing checksum) is not read on, and
    # the connection closes under a client still sending its last chunk.
    s3_sized = client(request_checksum_calculation="when_required")
    s3.create_bucket(Bucket=bucket)
    body = numbered(12 * MIB + 12345)
    key = b"\x05" * 32
    other = b"\x06" * 32
    transfer = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=2)
    ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}

    for name, extra in (("mp-sses3", {"ServerSideEncryption": "AES256"}), ("mp-ssec", ssec)):
        s3.upload_fileobj(io.BytesIO(body), bucket, name, ExtraArgs=extra, Config=transfer)
        read = ssec if name == "mp-ssec" else {}
        head = s3.head_object(Bucket=bucket, Key=name, **read)
        expect(head["ContentLength"] == len(body), f"{name}: HEAD reports the plaintext size")
        expect(head["ETag"].strip('"').endswith("-3"), f"{name}: uploaded in 3 parts ({head['ETag']})")
        if name == "mp-sses3":
            expect(head.get("ServerSideEncryption") == "AES256", f"{name}: HEAD answers AES256")
            md5s = b"".join(hashlib.md5(body[i:i + 5 * MIB]).digest() for i in range(0, len(body), 5 * MIB))
            expect(head["ETag"].strip('"') == hashlib.md5(md5s).hexdigest() + "-3", f"{name}: ETag is S3's MD5 of the part MD5s")
        else:
            expect(head.get("SSECustomerAlgorithm") == "AES256", f"{name}: HEAD echoes the SSE-C algorithm")
        out = io.BytesIO()
        s3.download_fileobj(bucket, name, out, ExtraArgs=read, Config=transfer)
        expect(out.getvalue() == body, f"{name}: download returns the data")
        rng = s3.get_object(Bucket=bucket, Key=name, Range="bytes=%d-%d" % (5 * MIB - 100, 10 * MIB + 100), **read)
        expect(rng["Body"].read() == body[5 * MIB - 100:10 * MIB + 101], f"{name}: range across two part boundaries")
        part = s3.get_object(Bucket=bucket, Key=name, PartNumber=3, **read)
        expect(part["Body"].read() == body[10 * MIB:], f"{name}: GET ?partNumber=3")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=name)["Contents"]
        expect(listed[0]["Size"] == len(body), f"{name}: listing reports the plaintext size")
    expect_error("InvalidRequest", 400, s3.get_object, Bucket=bucket, Key="mp-ssec")

    # Parts without the upload's key, or with another.
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp-keys", **ssec)
    expect(up.get("SSECustomerAlgorithm") == "AES256", "CreateMultipartUpload echoes the SSE-C algorithm")
    uid = up["UploadId"]
    err = expect_error("InvalidRequest", 400, s3_sized.upload_part, Bucket=bucket, Key="mp-keys", UploadId=uid, PartNumber=1, Body=b"x")
    expect(err is not None and "Subsequent part requests must include" in err.response["Error"]["Message"], "part without the key: S3's message")
    err = expect_error("InvalidRequest", 400, s3_sized.upload_part, Bucket=bucket, Key="mp-keys", UploadId=uid, PartNumber=1, Body=b"x",
                       SSECustomerAlgorithm="AES256", SSECustomerKey=other)
    expect(err is not None and "did not match the ones used originally" in err.response["Error"]["Message"], "part with another key: S3's message")
    p = s3.upload_part(Bucket=bucket, Key="mp-keys", UploadId=uid, PartNumber=1, Body=b"E2E-SSE-PLAINTEXT-one", **ssec)
    expect(p.get("SSECustomerKeyMD5") is not None, "UploadPart echoes the key MD5")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp-keys", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
    got = s3.get_object(Bucket=bucket, Key="mp-keys", **ssec)["Body"].read()
    expect(got == b"E2E-SSE-PLAINTEXT-one", "one-part SSE-C upload reads back")

    s3.put_object(Bucket=bucket, Key="plain", Body=b"E2E-CONTROL-UNENCRYPTED")

    if failures:
        print(f"{len(failures)} FAILED:", *failures, sep="\n  ")
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    main()
