package s3api

import (
	"maps"
	"net/http"
	"slices"

	"github.com/terngate/terngate/s3err"
)

// routeAccessControl routes the subresources about access and attributes:
// bucket policies and their public access block, ACLs and ownership
// controls, and GetObjectAttributes. ok is false for every
// other request.
func routeAccessControl(r *request) (h handlerFunc, ok bool, err error) {
	method := r.method()
	switch {
	case r.bucket == "":
		return nil, false, nil
	case r.key == "" && r.hasParam("policy"):
		h, err = pickMethod(method, map[string]handlerFunc{
			http.MethodGet:    (*server).getBucketPolicy,
			http.MethodPut:    (*server).putBucketPolicy,
			http.MethodDelete: (*server).deleteBucketPolicy,
		})
	case r.key == "" && r.hasParam("publicAccessBlock"):
		h, err = pickMethod(method, map[string]handlerFunc{
			http.MethodGet:    (*server).getPublicAccessBlock,
			http.MethodPut:    (*server).putPublicAccessBlock,
			http.MethodDelete: (*server).deletePublicAccessBlock,
		})
	case r.key == "" && r.hasParam("policyStatus"):
		h, err = onlyMethod(method, http.MethodGet, (*server).getBucketPolicyStatus)
	case r.key == "" && r.hasParam("ownershipControls"):
		h, err = pickMethod(method, map[string]handlerFunc{
			http.MethodGet:    (*server).getBucketOwnershipControls,
			http.MethodPut:    (*server).putBucketOwnershipControls,
			http.MethodDelete: (*server).deleteBucketOwnershipControls,
		})
	case r.key == "" && r.hasParam("acl"):
		h, err = pickMethod(method, map[string]handlerFunc{
			http.MethodGet: (*server).getBucketACL,
			http.MethodPut: (*server).putACL,
		})
	case r.key != "" && r.hasParam("acl"):
		h, err = pickMethod(method, map[string]handlerFunc{
			http.MethodGet: (*server).getObjectACL,
			http.MethodPut: (*server).putACL,
		})
	case r.key != "" && r.hasParam("attributes"):
		h, err = onlyMethod(method, http.MethodGet, (*server).getObjectAttributes)
	default:
		return nil, false, nil
	}
	return h, true, err
}

// routeBucketDocument routes GET, PUT and DELETE of a bucket subresource
// kept as a document (?cors, ?lifecycle, ?encryption, ?tagging).
func routeBucketDocument(r *request, param string, get, put, del handlerFunc) (handlerFunc, bool, error) {
	if r.bucket == "" || r.key != "" || !r.hasParam(param) {
		return nil, false, nil
	}
	h, err := pickMethod(r.method(), map[string]handlerFunc{
		http.MethodGet:    get,
		http.MethodPut:    put,
		http.MethodDelete: del,
	})
	return h, true, err
}

func pickMethod(method string, handlers map[string]handlerFunc) (handlerFunc, error) {
	if h, ok := handlers[method]; ok {
		return h, nil
	}
	allowed := slices.Sorted(maps.Keys(handlers))
	return nil, s3err.MethodNotAllowedAllowing(allowed...)
}
