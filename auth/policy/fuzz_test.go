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
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse("photos", doc)
		if err != nil {
			if !errors.Is(err, MalformedPolicy) {
				t.Fatalf("error %v is not MalformedPolicy", err)
			}
			return
		}
		p.Evaluate("alice", "s3:GetObject", ResourceARN("photos", "a/b"))
		p.Evaluate("", "s3:ListBucket", ResourceARN("photos", ""))
	})
}
