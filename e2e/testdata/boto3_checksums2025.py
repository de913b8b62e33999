"""boto3 with the 2025 checksum algorithms against a running terngate.

Run by TestBoto3Checksums2025 with E2E_ENDPOINT, E2E_ACCESS_KEY,
E2E_SECRET_KEY, E2E_BUCKET and, for HTTPS, E2E_CA_BUNDLE. botocore computes
SHA512 itself (a header over HTTP, an aws-chunked trailer over HTTPS) and
validates it on get_object; MD5 (which botocore cannot compute) goes as a
precomputed ChecksumMD5. The xxHash ones need awscrt and are covered by the
Go tests. Expected values are computed here with hashlib, independently of
botocore. Prints "ALL OK" at the end; any failure exits non-zero.
"""
import base64
import hashlib
import os
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.httpchecksum import StreamingChecksumBody

failures = []


def expect(cond, msg):
    # Record and go on, so one run reports every broken behaviour.
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


def b64(raw):
    return base64.b64encode(raw).decode()


def digest(algorithm, body):
    return hashlib.new(algorithm.lower(), body).digest()


def check_put(s3, bucket, algorithm, body):
    key = f"put/{algorithm}"
    field = f"Checksum{algorithm}"
    want = b64(digest(algorithm, body))
    if algorithm == "SHA512":
        put = s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm=algorithm)
    else:
        put = s3.put_object(Bucket=bucket, Key=key, Body=body, **{field: want})
    expect(put.get(field) == want, f"{algorithm}: put_object answers {field}={put.get(field)}, want {want}")

    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    expect(got.get(field) == want, f"{algorithm}: get_object {field}={got.get(field)}, want {want}")
    if algorithm == "SHA512":
        expect(isinstance(got["Body"], StreamingChecksumBody), f"{algorithm}: botocore validates the body")
    expect(got["Body"].read() == body, f"{algorithm}: get_object returns the bytes put")

    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    expect(head.get(field) == want, f"{algorithm}: head_object {field}={head.get(field)}, want {want}")
    attrs = s3.get_object_attributes(Bucket=bucket, Key=key, ObjectAttributes=["Checksum"])
    listed = attrs.get("Checksum", {})
    expect(listed.get(field) == want, f"{algorithm}: attributes Checksum={listed}, want {field}={want}")

    try:
        s3.put_object(Bucket=bucket, Key=key + "-bad", Body=body, **{field: b64(digest(algorithm, body[1:]))})
        expect(False, f"{algorithm}: a wrong {field} was accepted")
    except ClientError as e:
        err = e.response["Error"]
        expect(
            err["Code"] == "BadDigest" and err["Message"] == f"The {algorithm} you specified did not match the calculated checksum.",
            f"{algorithm}: a wrong {field} is BadDigest ({err})",
        )


def check_multipart(s3, bucket, algorithm, parts):
    key = f"mpu/{algorithm}"
    field = f"Checksum{algorithm}"
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm)
    expect(up.get("ChecksumAlgorithm") == algorithm, f"{algorithm}: create_multipart_upload ChecksumAlgorithm={up.get('ChecksumAlgorithm')}")
    done = []
    for n, part in enumerate(parts, start=1):
        want = b64(digest(algorithm, part))
        if algorithm == "SHA512":
            out = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=n, Body=part, ChecksumAlgorithm=algorithm)
        else:
            out = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=n, Body=part, **{field: want})
        expect(out.get(field) == want, f"{algorithm}: upload_part {n} {field}={out.get(field)}, want {want}")
        done.append({"PartNumber": n, "ETag": out["ETag"], field: want})
    joined = b"".join(digest(algorithm, p) for p in parts)
    want = f"{b64(digest(algorithm, joined))}-{len(parts)}"
    out = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"], MultipartUpload={"Parts": done})
    expect(out.get(field) == want and out.get("ChecksumType") == "COMPOSITE",
           f"{algorithm}: complete {field}={out.get(field)} {out.get('ChecksumType')}, want {want} COMPOSITE")
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    expect(head.get(field) == want, f"{algorithm}: head_object of the upload {field}={head.get(field)}, want {want}")


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
    print("botocore", botocore.__version__, os.environ["E2E_ENDPOINT"])
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(3 << 19) + b"tail"
    parts = [os.urandom(5 << 20), b"the last part"]
    for algorithm in ("SHA512", "MD5"):
        check_put(s3, bucket, algorithm, body)
        check_multipart(s3, bucket, algorithm, parts)

    if failures:
        print(f"{len(failures)} FAILURES")
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    main()
