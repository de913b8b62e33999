// Package compat is terngate's client compatibility suite: `go test
// ./compat/` starts the real gateway binary and drives it with the S3
// clients people use (the AWS CLI v1 and v2, boto3, aws-sdk-go-v2,
// minio-go, the AWS SDK for JavaScript v3, restic, rclone, s3cmd, and
// Hadoop s3a's call pattern), each the way its users invoke it, then prints
// a table of what passed. See README.md.
package compat
