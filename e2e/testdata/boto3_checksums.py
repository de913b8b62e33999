"""boto3 flexible-checksum checks against a running terngate.

Run by TestBoto3Checksums with E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY,
E2E_BUCKET and, for HTTPS, E2E_CA_BUNDLE. For each algorithm: put_object
with ChecksumAlgorithm, then get_object/head_object with ChecksumMode
ENABLED must return the checksum computed here (independently of botocore)
and botocore must validate the body; get_object_attributes must agree.
CRC32C and CRC64NVME need awscrt in botocore: without it the script checks
that botocore refuses them (the Go test covers them with aws-sdk-go-v2).
A wrong ChecksumCRC32 must be refused and leave the stored object intact.
Prints "ALL OK" at the end; any failure exits non-zero.
"""
import base64
import hashlib
import os
import sys
import zlib

import boto3
import botocore
from botocore.compat import HAS_CRT
from botocore.config import Config
from botocore.exceptions import ClientError, MissingDependencyException
from botocore.httpchecksum import StreamingChecksumBody

failures = []
CRT_ALGORITHMS = ("CRC32C", "CRC64NVME")


def expect(cond, msg):
    # Record and go on, so one run reports every broken behaviour.
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


def b64(raw):
    return base64.b64encode(raw).decode()


def expected_checksum(algorithm, body):
    if algorithm == "CRC32":
        return b64((zlib.crc32(body) & 0xFFFFFFFF).to_bytes(4, "big"))
    if algorithm == "SHA1":
        return b64(hashlib.sha1(body).digest())
    if algorithm == "SHA256":
        return b64(hashlib.sha256(body).digest())
    from awscrt import checksums  # only reached when botocore has awscrt

    if algorithm == "CRC32C":
        return b64(checksums.crc32c(body).to_bytes(4, "big"))
    return b64(checksums.crc64nvme(body).to_bytes(8, "big"))


def check_algorithm(s3, bucket, algorithm, body):
    key = f"alg/{algorithm}"
    if algorithm in CRT_ALGORITHMS and not HAS_CRT:
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm=algorithm)
        except MissingDependencyException as e:
            expect("botocore[crt]" in str(e), f"{algorithm}: botocore without awscrt refuses it ({e})")
        else:
            expect(False, f"{algorithm}: botocore without awscrt sent the request")
        return

    want = expected_checksum(algorithm, body)
    field = f"Checksum{algorithm}"
    put = s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm=algorithm)
    expect(put.get(field) == want, f"{algorithm}: put_object answers {field}={put.get(field)}, want {want}")

    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    expect(got.get(field) == want, f"{algorithm}: get_object {field}={got.get(field)}, want {want}")
    expect(got.get("ChecksumType") == "FULL_OBJECT", f"{algorithm}: get_object ChecksumType={got.get('ChecksumType')}")
    expect(
        isinstance(got["Body"], StreamingChecksumBody),
        f"{algorithm}: botocore validates the body (Body is {type(got['Body']).__name__})",
    )
    data = got["Body"].read()  # raises FlexibleChecksumError on a mismatch
    expect(data == body, f"{algorithm}: get_object returns the {len(body)} bytes put")

    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    expect(head.get(field) == want, f"{algorithm}: head_object {field}={head.get(field)}, want {want}")

    attrs = s3.get_object_attributes(Bucket=bucket, Key=key, ObjectAttributes=["ETag", "Checksum", "ObjectSize"])
    md5 = hashlib.md5(body).hexdigest()
    expect(attrs.get("ETag") == md5, f"{algorithm}: attributes ETag={attrs.get('ETag')}, want {md5}")
    expect(attrs.get("ObjectSize") == len(body), f"{algorithm}: attributes ObjectSize={attrs.get('ObjectSize')}")
    listed = attrs.get("Checksum", {})
    expect(listed.get(field) == want, f"{algorithm}: attributes Checksum={listed}, want {field}={want}")


def check_wrong_crc32(s3, bucket):
    original = b"the original bytes\n" * 100
    first = s3.put_object(Bucket=bucket, Key="victim", Body=original)
    wrong = expected_checksum("CRC32", b"not the body")
    for key in ("victim", "never-stored"):
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=b"replacement bytes", ChecksumCRC32=wrong)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            expect(code in ("BadDigest", "InvalidRequest") and status == 400, f"wrong ChecksumCRC32 on {key}: 400 BadDigest (got {status} {code})")
        else:
            expect(False, f"wrong ChecksumCRC32 on {key}: the put succeeded")
    kept = s3.get_object(Bucket=bucket, Key="victim")
    expect(kept["Body"].read() == original and kept["ETag"] == first["ETag"], "the object survives a put with a wrong checksum")
    try:
        s3.head_object(Bucket=bucket, Key="never-stored")
        expect(False, "a refused put of a new key left an object")
    except ClientError as e:
        expect(e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, "a refused put of a new key leaves no object")


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
    print("botocore", botocore.__version__, "awscrt" if HAS_CRT else "without awscrt", os.environ["E2E_ENDPOINT"])
    s3.create_bucket(Bucket=bucket)
    # Over 1 MiB and not a multiple of any chunk size.
    body = os.urandom(3 << 19) + b"tail"
    for algorithm in ("CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"):
        check_algorithm(s3, bucket, algorithm, body)
    check_wrong_crc32(s3, bucket)

    if failures:
        print(f"{len(failures)} FAILURES")
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    main()
