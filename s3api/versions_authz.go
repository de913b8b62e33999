package s3api

// The policy actions of versions, as AWS maps them (user guide, "Amazon S3
// actions" / "Policy actions for object operations"): reading a version
// named by versionId needs s3:GetObjectVersion, deleting one
// s3:DeleteObjectVersion, ListObjectVersions s3:ListBucketVersions, not
// s3:GetObject, s3:DeleteObject and s3:ListBucket.
const (
	opGetObjectVersion    = "GetObjectVersion"
	opDeleteObjectVersion = "DeleteObjectVersion"

	actionGetObjectVersion    = "s3:GetObjectVersion"
	actionDeleteObjectVersion = "s3:DeleteObjectVersion"
	actionListBucketVersions  = "s3:ListBucketVersions"
)

// versionOperation is the operation whose action authorizes op when the
// request names a version.
func versionOperation(r *request, op string) string {
	if !r.hasParam("versionId") {
		return op
	}
	switch op {
	case "GetObject", "HeadObject", "GetObjectAttributes":
		return opGetObjectVersion
	case "DeleteObject":
		return opDeleteObjectVersion
	}
	return op
}
