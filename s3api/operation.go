package s3api

import (
	"reflect"
	"runtime"
	"strings"
	"unicode"
)

// operationUnknown names requests that match no operation (bad address,
// unsupported method or subresource).
const operationUnknown = "Unknown"

// operationNames gives each handler its S3 operation name. Handlers are
// method expressions, so their code pointers identify them; keying by
// pointer lets the router stay a plain function from request to handler.
var operationNames = map[uintptr]string{
	handlerPC((*server).abortMultipartUpload):    "AbortMultipartUpload",
	handlerPC((*server).completeMultipartUpload): "CompleteMultipartUpload",
	handlerPC((*server).copyObject):              "CopyObject",
	handlerPC((*server).createBucket):            "CreateBucket",
	handlerPC((*server).createMultipartUpload):   "CreateMultipartUpload",
	handlerPC((*server).deleteBucket):            "DeleteBucket",
	handlerPC((*server).deleteBucketPolicy):      "DeleteBucketPolicy",
	handlerPC((*server).deleteObject):            "DeleteObject",
	handlerPC((*server).deleteObjects):           "DeleteObjects",
	handlerPC((*server).getBucketACL):            "GetBucketAcl",
	handlerPC((*server).getBucketLocation):       "GetBucketLocation",
	handlerPC((*server).getBucketPolicy):         "GetBucketPolicy",
	handlerPC((*server).getBucketVersioning):     "GetBucketVersioning",
	handlerPC((*server).getObject):               "GetObject",
	handlerPC((*server).getObjectACL):            "GetObjectAcl",
	handlerPC((*server).getObjectAttributes):     "GetObjectAttributes",
	handlerPC((*server).headBucket):              "HeadBucket",
	handlerPC((*server).headObject):              "HeadObject",
	handlerPC((*server).listBuckets):             "ListBuckets",
	handlerPC((*server).listMultipartUploads):    "ListMultipartUploads",
	handlerPC((*server).listObjectVersions):      "ListObjectVersions",
	handlerPC((*server).listParts):               "ListParts",
	handlerPC((*server).putBucketPolicy):         "PutBucketPolicy",
	handlerPC((*server).putBucketVersioning):     "PutBucketVersioning",
	handlerPC((*server).putObject):               "PutObject",
	handlerPC((*server).uploadPart):              "UploadPart",
}

func handlerPC(h handlerFunc) uintptr { return reflect.ValueOf(h).Pointer() }

// operationOf names the S3 operation r asks for, as the router would pick
// it. It is called before the request is served, so it resolves the target
// on a copy of r.
func (s *server) operationOf(r *request) string {
	t, err := resolveTarget(string(r.c.Request().Header.Host()), r.rawPath, s.cfg.Domain)
	if err != nil {
		return operationUnknown
	}
	probe := *r
	probe.bucket, probe.key = t.bucket, t.key
	h, err := route(&probe)
	if err != nil || h == nil {
		return operationUnknown
	}
	pc := handlerPC(h)
	switch pc {
	case handlerPC((*server).putACL):
		if probe.key == "" {
			return "PutBucketAcl"
		}
		return "PutObjectAcl"
	case handlerPC((*server).listObjects):
		if probe.param("list-type") == "2" {
			return "ListObjectsV2"
		}
		return "ListObjects"
	}
	if name, ok := operationNames[pc]; ok {
		return name
	}
	return nameFromFunc(pc)
}

// nameFromFunc derives a name for a handler missing from operationNames
// (added since): the method's name with its first letter upper-cased.
func nameFromFunc(pc uintptr) string {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return operationUnknown
	}
	name := f.Name()
	name = name[strings.LastIndexByte(name, '.')+1:]
	name = strings.TrimSuffix(name, "-fm")
	if name == "" {
		return operationUnknown
	}
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
