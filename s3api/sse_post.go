package s3api

import (
	"github.com/terngate/terngate/s3err"
)

// postEncryptionFields are the form fields that choose a browser-form
// upload's encryption, named as PutObject's headers (RESTObjectPOST lists
// x-amz-server-side-encryption and the three SSE-C fields among its form
// fields).
var postEncryptionFields = map[string]bool{
	sseHeader:                true,
	ssecPrefix + "algorithm": true,
	ssecPrefix + "key":       true,
	"x-amz-server-side-encryption-customer-key-md5": true,
}

// postEncryption is the encryption of a browser-form upload: what its
// fields ask for, by PutObject's rules for the same headers, or else its
// bucket's default.
func (s *server) postEncryption(r *request, fields map[string]string) (*putEncryption, error) {
	h := ssecHeaders{}
	h.algorithm, h.hasAlgorithm = fields[ssecPrefix+"algorithm"]
	h.key, h.hasKey = fields[ssecPrefix+"key"]
	h.keyMD5, h.hasKeyMD5 = fields["x-amz-server-side-encryption-customer-key-md5"]
	method, hasMethod := fields[sseHeader]
	if h.hasAlgorithm || h.hasKey || h.hasKeyMD5 {
		if !r.c.Context().IsTLS() && !r.sse.plainSSEC {
			return nil, s3err.InvalidArgument.With(msgSSECOverHTTP).ForArgumentName(ssecPrefix + "key")
		}
		ck, err := parseCustomerKey(h, ssecPrefix)
		if err != nil {
			return nil, err
		}
		if hasMethod {
			ck.zero()
			return nil, s3err.InvalidArgument.With("Server Side Encryption with Customer provided key is incompatible with the encryption method specified").
				ForArgument(sseHeader, method)
		}
		return sealForCustomer(r, ck)
	}
	if !hasMethod {
		alg, err := s.bucketDefaultEncryption(r, r.bucket)
		if err != nil || alg == "" {
			return nil, err
		}
		return sealForMaster(r, r.sse.masterKeys)
	}
	switch method {
	case sseS3:
		return sealForMaster(r, r.sse.masterKeys) // NotImplemented without a key ring
	case "aws:kms", "aws:kms:dsse":
		return nil, notImplemented(r, sseHeader, method)
	}
	return nil, s3err.InvalidArgument.With("The encryption method specified is not supported").ForArgument(sseHeader, method)
}
