// The AWS SDK for JavaScript v3 scenario, run as:
//   node scenario.mjs WORKDIR     (or: node scenario.mjs version)
// The endpoint comes from TERNGATE_COMPAT_ENDPOINT, keys from the standard
// AWS_* variables, the HTTPS CA from NODE_EXTRA_CA_CERTS. Each step checks
// what it did; the script prints "ok STEP" after each, or "FAIL STEP: why" and
// exits non-zero at the first that the gateway got wrong.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, DeleteObjectCommand, DeleteBucketCommand, ListBucketsCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const Bucket = "js-bucket";
const PART = 5 * 1024 * 1024;

const s3 = new S3Client({
  endpoint: process.env.TERNGATE_COMPAT_ENDPOINT,
  region: "us-east-1",
  forcePathStyle: true,
  maxAttempts: 1,
});

const md5 = (b) => createHash("md5").update(b).digest();
const md5ETag = (b) => `"${md5(b).toString("hex")}"`;
function multipartETag(b, part) {
  const digests = [];
  for (let off = 0; off < b.length; off += part) digests.push(md5(b.subarray(off, off + part)));
  return `"${md5(Buffer.concat(digests)).toString("hex")}-${digests.length}"`;
}

function expect(what, got, want) {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

const steps = {
  async create_bucket() {
    await s3.send(new CreateBucketCommand({ Bucket }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect("bucket listed", Buckets.some((b) => b.Name === Bucket), true);
  },
  async put(work) {
    const Body = readFileSync(join(work, "small.bin"));
    const out = await s3.send(new PutObjectCommand({ Bucket, Key: "dir/small.bin", Body, ContentType: "text/x-compat" }));
    expect("PutObject ETag", out.ETag, md5ETag(Body));
  },
  async get(work) {
    const want = readFileSync(join(work, "small.bin"));
    const out = await s3.send(new GetObjectCommand({ Bucket, Key: "dir/small.bin" }));
    const got = Buffer.from(await out.Body.transformToByteArray());
    expect("GetObject body", got.equals(want), true);
    expect("GetObject ETag", out.ETag, md5ETag(want));
    expect("GetObject ContentType", out.ContentType, "text/x-compat");
    const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: "dir/small.bin", Range: "bytes=10-19" }));
    expect("ranged GetObject", Buffer.from(await ranged.Body.transformToByteArray()).equals(want.subarray(10, 20)), true);
  },
  async list(work) {
    const small = readFileSync(join(work, "small.bin"));
    for (const Key of ["list/a", "list/b", "list/c"]) {
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    }
    const keys = [];
    let ContinuationToken;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2, ContinuationToken }));
      for (const o of page.Contents ?? []) keys.push(`${o.Key}:${o.Size}`);
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    expect("paged ListObjectsV2", keys.join(","), `dir/small.bin:${small.length},list/a:6,list/b:6,list/c:6`);
    const delimited = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: "/" }));
    expect("CommonPrefixes", (delimited.CommonPrefixes ?? []).map((p) => p.Prefix).join(","), "dir/,list/");
  },
  async upload(work) {
    const Body = readFileSync(join(work, "large.bin"));
    const upload = new Upload({ client: s3, params: { Bucket, Key: "large.bin", Body }, partSize: PART, queueSize: 2 });
    const out = await upload.done();
    expect("Upload ETag", out.ETag, multipartETag(Body, PART));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "large.bin" }));
    expect("HeadObject ETag", head.ETag, multipartETag(Body, PART));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: "large.bin" }));
    expect("downloaded bytes", Buffer.from(await got.Body.transformToByteArray()).equals(Body), true);
  },
  async delete() {
    const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket }));
    for (const { Key } of Contents) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    const left = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect("objects left", left.KeyCount, 0);
    await s3.send(new DeleteBucketCommand({ Bucket }));
  },
};

const [work] = process.argv.slice(2);
if (work === "version") {
  const pkg = JSON.parse(readFileSync(new URL("./node_modules/@aws-sdk/client-s3/package.json", import.meta.url)));
  console.log(pkg.version);
  process.exit(0);
}
for (const [name, run] of Object.entries(steps)) {
  try {
    await run(work);
  } catch (err) {
    console.log(`FAIL ${name}: ${err.name}: ${err.message} ${JSON.stringify(err.$metadata ?? {})}`);
    process.exit(1);
  }
  console.log(`ok ${name}`);
}
