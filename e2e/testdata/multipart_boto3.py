"""boto3 multipart checks against a running terngate (run by TestMultipartBoto3).

Environment: E2E_ENDPOINT, E2E_ACCESS_KEY, E2E_SECRET_KEY, E2E_BUCKET.
1. upload_file with a TransferConfig of 5 MiB parts: the ETag is
   md5(concat(part md5s))-N, download_file gives the same bytes.
2. Low-level create/upload_part/complete with ChecksumAlgorithm CRC32,
   CRC32C, SHA1, SHA256 and ChecksumType COMPOSITE and FULL_OBJECT (where
   S3 allows it; the others must be refused at create). head_object with
   ChecksumMode ENABLED must return the checksum computed here: COMPOSITE is
   base64(hash(concat(part digests)))-N, FULL_OBJECT the whole body's.
   CRC32C needs awscrt in botocore: without it botocore refuses to compute
   it, which is checked, and the Go test covers CRC32C.
Prints "ALL OK" at the end; any failure exits non-zero.
"""
import base64
import hashlib
import os
import sys
import tempfile
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.compat import HAS_CRT
from botocore.config import Config
from botocore.exceptions import ClientError, MissingDependencyException

MiB = 1 << 20
failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


def b64(raw):
    return base64.b64encode(raw).decode()


def digest(alg, body):
    if alg == "CRC32":
        return (zlib.crc32(body) & 0xFFFFFFFF).to_bytes(4, "big")
    if alg == "SHA1":
        return hashlib.sha1(body).digest()
    if alg == "SHA256":
        return hashlib.sha256(body).digest()
    if alg == "CRC32C":
        from awscrt import checksums
        return checksums.crc32c(body).to_bytes(4, "big")
    raise ValueError(alg)


def composite(alg, parts):
    joined = b"".join(digest(alg, p) for p in parts)
    return b64(digest(alg, joined)) + "-%d" % len(parts)


def body(seed, size):
    # Deterministic, incompressible enough.
    out = bytearray()
    block = hashlib.sha256(b"seed%d" % seed).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:size])


s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["E2E_ENDPOINT"],
    aws_access_key_id=os.environ["E2E_ACCESS_KEY"],
    aws_secret_access_key=os.environ["E2E_SECRET_KEY"],
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
bucket = os.environ["E2E_BUCKET"]
s3.create_bucket(Bucket=bucket)

# 1. upload_file with 5 MiB parts.
data = body(1, 23 * MiB + 12345)
parts = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
want_etag = '"%s-%d"' % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest(), len(parts))
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src")
    with open(src, "wb") as f:
        f.write(data)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=10)
    s3.upload_file(src, bucket, "transfer/obj", Config=cfg)
    head = s3.head_object(Bucket=bucket, Key="transfer/obj")
    expect(head["ETag"] == want_etag, "upload_file 5 MiB parts: ETag %s == %s" % (head["ETag"], want_etag))
    expect(head["ContentLength"] == len(data), "upload_file: ContentLength %d" % head["ContentLength"])
    dst = os.path.join(tmp, "dst")
    s3.download_file(bucket, "transfer/obj", dst, Config=cfg)
    with open(dst, "rb") as f:
        expect(f.read() == data, "download_file returns the uploaded bytes")

# 2. Low-level uploads with every checksum algorithm and type.
sizes = (5 * MiB, 5 * MiB, 1 * MiB + 3)
allowed = {
    ("CRC32", "COMPOSITE"), ("CRC32", "FULL_OBJECT"),
    ("CRC32C", "COMPOSITE"), ("CRC32C", "FULL_OBJECT"),
    ("SHA1", "COMPOSITE"), ("SHA256", "COMPOSITE"),
}
for alg in ("CRC32", "CRC32C", "SHA1", "SHA256"):
    for ctype in ("COMPOSITE", "FULL_OBJECT"):
        key = "ll/%s-%s" % (alg, ctype)
        name = "%s %s" % (alg, ctype)
        try:
            up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=alg, ChecksumType=ctype)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            expect((alg, ctype) not in allowed and code == "InvalidRequest",
                   "%s: create refused with %s (allowed by S3: %s)" % (name, code, (alg, ctype) in allowed))
            continue
        expect((alg, ctype) in allowed, "%s: create accepted (S3 refuses it: %s)" % (name, (alg, ctype) not in allowed))
        expect(up.get("ChecksumAlgorithm") == alg and up.get("ChecksumType") == ctype,
               "%s: create echoes %s %s" % (name, up.get("ChecksumAlgorithm"), up.get("ChecksumType")))
        uid = up["UploadId"]
        pieces = [body(10 + i, s) for i, s in enumerate(sizes)]
        done = []
        try:
            for i, p in enumerate(pieces, 1):
                r = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i, Body=p, ChecksumAlgorithm=alg)
                got = r.get("Checksum" + alg)
                expect(got == b64(digest(alg, p)), "%s: part %d checksum %s" % (name, i, got))
                done.append({"PartNumber": i, "ETag": r["ETag"], "Checksum" + alg: got})
        except MissingDependencyException:
            expect(not HAS_CRT and alg == "CRC32C", "%s: botocore cannot compute it without awscrt" % name)
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
            continue
        lp = s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        expect(lp.get("ChecksumAlgorithm") == alg and lp.get("ChecksumType") == ctype,
               "%s: list_parts says %s %s" % (name, lp.get("ChecksumAlgorithm"), lp.get("ChecksumType")))
        expect([p.get("Checksum" + alg) for p in lp["Parts"]] == [d["Checksum" + alg] for d in done],
               "%s: list_parts part checksums" % name)
        whole = b"".join(pieces)
        want = composite(alg, pieces) if ctype == "COMPOSITE" else b64(digest(alg, whole))
        res = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=uid, ChecksumType=ctype,
                                           MultipartUpload={"Parts": done})
        expect(res.get("Checksum" + alg) == want, "%s: complete checksum %s == %s" % (name, res.get("Checksum" + alg), want))
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        expect(head.get("Checksum" + alg) == want and head.get("ChecksumType") == ctype,
               "%s: head_object checksum %s %s == %s" % (name, head.get("Checksum" + alg), head.get("ChecksumType"), want))
        obj = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        expect(obj["Body"].read() == whole, "%s: get_object returns the parts' bytes" % name)

# A wrong part checksum in Complete is refused.
up = s3.create_multipart_upload(Bucket=bucket, Key="ll/wrong", ChecksumAlgorithm="SHA256")
r = s3.upload_part(Bucket=bucket, Key="ll/wrong", UploadId=up["UploadId"], PartNumber=1, Body=b"x", ChecksumAlgorithm="SHA256")
try:
    s3.complete_multipart_upload(Bucket=bucket, Key="ll/wrong", UploadId=up["UploadId"], MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": r["ETag"], "ChecksumSHA256": b64(hashlib.sha256(b"y").digest())}]})
    expect(False, "Complete with a wrong part SHA256 was accepted")
except ClientError as e:
    code = e.response["Error"]["Code"]
    expect(code in ("InvalidPart", "BadDigest"), "Complete with a wrong part SHA256 refused: %s" % code)

if failures:
    print("%d FAILURES" % len(failures))
    sys.exit(1)
print("ALL OK")
