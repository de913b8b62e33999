package policy

import (
	"errors"
	"testing"
)

// Parse either accepts a document or returns MalformedPolicy, and whatever
// it accepts evaluates without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(publicRead))
	f.Add([]byte(stmt(`"Effect":"Deny","Principal":{"AWS":["alice"]},"Action":["s3:Get*"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/?*"]`)))
	f.Add([]byte(`{"Statement":{}}`))
	f.Add([]byte(stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*","Condition":{"Bool":{"aws:SecureTransport":false}}`)))
	f.Add([]byte(stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`)))
	f.Add([]byte(stmt(`"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos","Condition":{"StringLike":{"s3:prefix":["home/alice/*",""]},"NumericLessThanEquals":{"s3:max-keys":100},"Null":{"s3:delimiter":"false"}}`)))
	f.Add([]byte(stmt(`"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::photos/*","Condition":{"StringNotEqualsIfExists":{"s3:x-amz-server-side-encryption":["AES256","aws:kms"]},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a?ice"}}`)))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse("photos", doc)
		if err != nil {
			if !errors.Is(err, MalformedPolicy) {
				t.Fatalf("error %v is not MalformedPolicy", err)
			}
			return
		}
		p.Evaluate("alice", "s3:GetObject", ResourceARN("photos", "a/b"), nil)
		p.Evaluate("", "s3:ListBucket", ResourceARN("photos", ""), nil)
		p.Evaluate("alice", "s3:PutObject", ResourceARN("photos", "a/b"), fuzzContext)
		p.Evaluate("", "s3:ListBucket", ResourceARN("photos", ""), fuzzContext)
		p.Public()
	})
}

// fuzzContext has every key, with values of every type's shape.
var fuzzContext = values{
	"aws:securetransport": "true", "aws:sourceip": "10.1.2.3", "aws:currenttime": "2026-12-06T13:00:00Z",
	"aws:epochtime": "1796562000", "aws:useragent": "aws-cli/1", "aws:referer": "https://example.com/",
	"s3:prefix": "home/alice/", "s3:delimiter": "/", "s3:max-keys": "1000",
	"s3:x-amz-server-side-encryption": "AES256", "s3:x-amz-acl": "private", "s3:versionid": "v1",
}
