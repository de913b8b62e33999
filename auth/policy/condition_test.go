package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/terngate/terngate/s3err"
)

// values is a request context: the keys it has and their values.
type values map[string]string

func (v values) Value(key string) (string, bool) {
	s, ok := v[key]
	return s, ok
}

// withCondition is a one-statement policy for bucket b allowing everyone
// s3:* on the bucket and its objects, under condition (a JSON object).
func withCondition(condition string) string {
	return stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":` + condition)
}

func TestConditionParseRejects(t *testing.T) {
	cases := []struct{ name, condition, want string }{
		// "Policy has an invalid condition key" and "Invalid IP address in
		// Conditions" are AWS's texts as scality/cloudserver records them
		// (lib/api/apiUtils/authorization/permissionChecks.js).
		{"unknown key", `{"StringEquals":{"aws:SourceVpc":"vpc-1"}}`, "Policy has an invalid condition key: aws:SourceVpc is not supported by this gateway"},
		{"existing object tag without a tag key", `{"StringEquals":{"s3:ExistingObjectTag/":"x"}}`, "is not supported by this gateway"},
		{"request object tag", `{"StringEquals":{"s3:RequestObjectTag/team":"x"}}`, "is not supported by this gateway"},
		{"org id", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, "is not supported by this gateway"},
		// AWS's operator names are exact and Null takes no IfExists
		// (IAM user guide, reference_policies_elements_condition_operators:
		// "...IfExists ... except the Null condition").
		{"unknown operator", `{"StringEqualz":{"aws:UserAgent":"x"}}`, "Invalid Condition type : StringEqualz"},
		{"NullIfExists", `{"NullIfExists":{"aws:UserAgent":"true"}}`, "Invalid Condition type : NullIfExists"},
		{"ForAnyValue", `{"ForAnyValue:StringEquals":{"aws:UserAgent":"x"}}`, "ForAnyValue:StringEquals is not supported by this gateway"},
		{"ForAllValues", `{"ForAllValues:StringLike":{"aws:UserAgent":"x"}}`, "is not supported by this gateway"},
		{"bad CIDR", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`, "Invalid IP address in Conditions"},
		{"bad address", `{"NotIpAddress":{"aws:SourceIp":"10.0.0"}}`, "Invalid IP address in Conditions"},
		{"bad date", `{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}`, "not an ISO 8601 date"},
		{"bad number", `{"NumericLessThan":{"s3:max-keys":"ten"}}`, "not a number"},
		{"bad bool", `{"Bool":{"aws:SecureTransport":"yes"}}`, `must be "true" or "false"`},
		{"bad null", `{"Null":{"aws:UserAgent":"maybe"}}`, `must be "true" or "false"`},
		{"bad ARN", `{"ArnLike":{"aws:PrincipalArn":"user/alice"}}`, "not an ARN"},
		{"numeric on IP", `{"NumericEquals":{"aws:SourceIp":"1"}}`, "cannot test aws:SourceIp"},
		{"IP on string", `{"IpAddress":{"aws:UserAgent":"10.0.0.0/8"}}`, "cannot test aws:UserAgent"},
		{"string on ARN", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::1:user/a"}}`, "cannot test aws:PrincipalArn"},
		{"date on string", `{"DateLessThan":{"s3:prefix":"2020-01-01"}}`, "cannot test s3:prefix"},
		{"empty list", `{"StringEquals":{"s3:prefix":[]}}`, "Invalid Condition value"},
		{"object value", `{"StringEquals":{"s3:prefix":{"a":"b"}}}`, "Invalid Condition value"},
		{"null value", `{"StringEquals":{"s3:prefix":null}}`, "Invalid Condition value"},
		{"empty operator", `{"StringEquals":{}}`, "must map condition keys"},
		{"not an object", `["StringEquals"]`, "Condition must be a JSON object"},
		{"empty block", `{}`, "Condition must be a JSON object of one or more"},
		{"policy variable", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, "policy variables are not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse("b", []byte(withCondition(c.condition)))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if !errors.Is(err, MalformedPolicy) {
				t.Fatalf("error %v is not MalformedPolicy", err)
			}
			if msg := s3err.As(err).Message; !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not contain %q", msg, c.want)
			}
		})
	}
}

// TestConditionOperators checks each operator against present and absent
// keys, after the IAM user guide, reference_policies_elements_condition_operators
// (an absent key fails every operator but the negated ones and ...IfExists;
// Null "true" means absent) and
// reference_policies_condition-logic-multiple-context-keys-or-values
// (values of one key are ORed; for a negated operator the value must match
// none of them).
func TestConditionOperators(t *testing.T) {
	cases := []struct {
		name, condition string
		ctx             values
		want            bool
	}{
		{"StringEquals match", `{"StringEquals":{"aws:UserAgent":"curl"}}`, values{"aws:useragent": "curl"}, true},
		{"StringEquals case", `{"StringEquals":{"aws:UserAgent":"curl"}}`, values{"aws:useragent": "Curl"}, false},
		{"StringEquals absent", `{"StringEquals":{"aws:UserAgent":"curl"}}`, values{}, false},
		{"StringEquals any of list", `{"StringEquals":{"aws:UserAgent":["a","curl"]}}`, values{"aws:useragent": "curl"}, true},
		{"StringEqualsIfExists absent", `{"StringEqualsIfExists":{"aws:UserAgent":"curl"}}`, values{}, true},
		{"StringEqualsIfExists other", `{"StringEqualsIfExists":{"aws:UserAgent":"curl"}}`, values{"aws:useragent": "wget"}, false},
		{"StringNotEquals other", `{"StringNotEquals":{"aws:UserAgent":"curl"}}`, values{"aws:useragent": "wget"}, true},
		{"StringNotEquals same", `{"StringNotEquals":{"aws:UserAgent":"curl"}}`, values{"aws:useragent": "curl"}, false},
		{"StringNotEquals absent", `{"StringNotEquals":{"aws:UserAgent":"curl"}}`, values{}, true},
		{"StringNotEquals none of list", `{"StringNotEquals":{"aws:UserAgent":["a","curl"]}}`, values{"aws:useragent": "curl"}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:UserAgent":"CURL"}}`, values{"aws:useragent": "curl"}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:UserAgent":"CURL"}}`, values{"aws:useragent": "curl"}, false},
		{"StringLike star", `{"StringLike":{"aws:Referer":"https://example.com/*"}}`, values{"aws:referer": "https://example.com/a/b"}, true},
		{"StringLike question", `{"StringLike":{"aws:UserAgent":"curl/?"}}`, values{"aws:useragent": "curl/8"}, true},
		{"StringLike case-sensitive", `{"StringLike":{"aws:UserAgent":"CURL*"}}`, values{"aws:useragent": "curl/8"}, false},
		{"StringNotLike", `{"StringNotLike":{"aws:Referer":"https://example.com/*"}}`, values{"aws:referer": "https://evil.com/"}, true},
		{"key name any case", `{"StringEquals":{"AWS:USERAGENT":"curl"}}`, values{"aws:useragent": "curl"}, true},

		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "9"}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "10"}, false},
		{"NumericLessThanEquals JSON number", `{"NumericLessThanEquals":{"s3:max-keys":10}}`, values{"s3:max-keys": "10"}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "11"}, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "9"}, false},
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "10"}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "10"}, false},
		{"NumericNotEquals absent", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, values{}, true},
		{"Numeric absent", `{"NumericLessThan":{"s3:max-keys":"10"}}`, values{}, false},
		{"Numeric unparsable request", `{"NumericLessThan":{"s3:max-keys":"10"}}`, values{"s3:max-keys": "x"}, false},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`, values{}, true},
		{"epoch numeric", `{"NumericGreaterThan":{"aws:EpochTime":1700000000}}`, values{"aws:epochtime": "1800000000"}, true},

		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}`, values{"aws:currenttime": "2026-12-06T13:00:00Z"}, true},
		{"DateGreaterThan ISO", `{"DateGreaterThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}`, values{"aws:currenttime": "2026-12-06T13:00:00Z"}, false},
		{"DateGreaterThanEquals date only", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-12-06"}}`, values{"aws:currenttime": "2026-12-06T00:00:00Z"}, true},
		{"DateLessThan epoch value", `{"DateLessThan":{"aws:CurrentTime":"1798675200"}}`, values{"aws:currenttime": "2026-12-06T13:00:00Z"}, true},
		{"DateLessThan with zone", `{"DateLessThan":{"aws:CurrentTime":"2026-12-06T14:00:00+02:00"}}`, values{"aws:currenttime": "2026-12-06T13:00:00Z"}, false},
		{"DateEquals epoch key", `{"DateEquals":{"aws:EpochTime":"2026-12-06T13:00:00Z"}}`, values{"aws:epochtime": "1796562000"}, true},
		{"DateNotEquals absent", `{"DateNotEquals":{"aws:CurrentTime":"2026-12-06"}}`, values{}, true},

		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, values{"aws:securetransport": "true"}, true},
		{"Bool JSON false", `{"Bool":{"aws:SecureTransport":false}}`, values{"aws:securetransport": "false"}, true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"false"}}`, values{"aws:securetransport": "true"}, false},
		{"Bool absent", `{"Bool":{"aws:SecureTransport":"false"}}`, values{}, false},
		{"BoolIfExists absent", `{"BoolIfExists":{"aws:SecureTransport":"false"}}`, values{}, true},

		{"IpAddress CIDR", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, values{"aws:sourceip": "10.1.2.3"}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, values{"aws:sourceip": "192.0.2.1"}, false},
		{"IpAddress single", `{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}`, values{"aws:sourceip": "192.0.2.1"}, true},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, values{"aws:sourceip": "2001:db8::1"}, true},
		{"IpAddress v4 vs v6 range", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, values{"aws:sourceip": "10.0.0.1"}, false},
		{"IpAddress mapped v4", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, values{"aws:sourceip": "::ffff:10.0.0.1"}, true},
		{"IpAddress list", `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","10.0.0.0/8"]}}`, values{"aws:sourceip": "10.0.0.1"}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, values{"aws:sourceip": "10.0.0.1"}, false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, values{"aws:sourceip": "127.0.0.1"}, true},

		{"Null true, key not of the action", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, values{"s3:x-amz-server-side-encryption": "AES256"}, true},
		{"Null false present", `{"Null":{"aws:UserAgent":"false"}}`, values{"aws:useragent": "x"}, true},
		{"Null true present", `{"Null":{"aws:UserAgent":"true"}}`, values{"aws:useragent": "x"}, false},
		{"Null true absent key", `{"Null":{"aws:UserAgent":"true"}}`, values{}, true},
		{"Null JSON bool", `{"Null":{"aws:UserAgent":true}}`, values{}, true},

		// Operators, and keys within one operator, are ANDed.
		{"two keys both hold", `{"StringEquals":{"aws:UserAgent":"curl","aws:Referer":"r"}}`, values{"aws:useragent": "curl", "aws:referer": "r"}, true},
		{"two keys one fails", `{"StringEquals":{"aws:UserAgent":"curl","aws:Referer":"r"}}`, values{"aws:useragent": "curl", "aws:referer": "x"}, false},
		{"two operators one fails", `{"StringEquals":{"aws:UserAgent":"curl"},"Bool":{"aws:SecureTransport":"true"}}`, values{"aws:useragent": "curl", "aws:securetransport": "false"}, false},
		{"two operators hold", `{"StringEquals":{"aws:UserAgent":"curl"},"Bool":{"aws:SecureTransport":"true"}}`, values{"aws:useragent": "curl", "aws:securetransport": "true"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, "b", withCondition(c.condition))
			got := p.Evaluate("alice", "s3:GetObject", ResourceARN("b", "k"), c.ctx) == Allow
			// s3:max-keys is a ListBucket key: evaluate those as a list.
			if strings.Contains(c.condition, "s3:max-keys") {
				got = p.Evaluate("alice", "s3:ListBucket", ResourceARN("b", ""), c.ctx) == Allow
			}
			if got != c.want {
				t.Errorf("condition %s with %v: allowed = %v, want %v", c.condition, c.ctx, got, c.want)
			}
		})
	}
}

// TestConditionKeysPerAction: a key the action's requests do not carry is
// absent even if the request had it (AWS service authorization reference,
// "Actions, resources, and condition keys for Amazon S3": s3:prefix is a
// ListBucket key, s3:x-amz-server-side-encryption a PutObject key,
// s3:VersionId a key of the *Version actions).
func TestConditionKeysPerAction(t *testing.T) {
	ctx := values{"s3:prefix": "home/alice/", "s3:x-amz-server-side-encryption": "AES256", "s3:versionid": "v1",
		"s3:existingobjecttag/Team": "blue"}
	cases := []struct {
		condition, action, key string
		want                   Decision
	}{
		{`{"StringLike":{"s3:prefix":"home/alice/*"}}`, "s3:ListBucket", "", Allow},
		{`{"StringLike":{"s3:prefix":"home/alice/*"}}`, "s3:ListBucketVersions", "", Allow},
		{`{"StringLike":{"s3:prefix":"home/alice/*"}}`, "s3:GetObject", "k", NoOpinion},
		{`{"StringEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`, "s3:PutObject", "k", Allow},
		{`{"StringEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`, "s3:GetObject", "k", NoOpinion},
		{`{"StringEquals":{"s3:VersionId":"v1"}}`, "s3:GetObjectVersion", "k", Allow},
		{`{"StringEquals":{"s3:VersionId":"v1"}}`, "s3:GetObject", "k", NoOpinion},
		// s3:ExistingObjectTag/<tag-key>: the prefix in any case, the tag
		// key as written (tag keys are case-sensitive); not on PutObject
		// or DeleteObject (S3 user guide, tagging-and-policies).
		{`{"StringEquals":{"s3:ExistingObjectTag/Team":"blue"}}`, "s3:GetObject", "k", Allow},
		{`{"StringEquals":{"S3:existingObjectTag/Team":"blue"}}`, "s3:PutObjectTagging", "k", Allow},
		{`{"StringEquals":{"s3:ExistingObjectTag/team":"blue"}}`, "s3:GetObject", "k", NoOpinion},
		{`{"StringEquals":{"s3:ExistingObjectTag/Team":"red"}}`, "s3:GetObject", "k", NoOpinion},
		{`{"StringEquals":{"s3:ExistingObjectTag/Team":"blue"}}`, "s3:PutObject", "k", NoOpinion},
		{`{"StringEquals":{"s3:ExistingObjectTag/Team":"blue"}}`, "s3:DeleteObject", "k", NoOpinion},
	}
	for _, c := range cases {
		p := mustParse(t, "b", withCondition(c.condition))
		if got := p.Evaluate("alice", c.action, ResourceARN("b", c.key), ctx); got != c.want {
			t.Errorf("%s on %s = %v, want %v", c.condition, c.action, got, c.want)
		}
	}
}

// TestConditionPrincipalKeys: aws:username, aws:PrincipalType and
// aws:PrincipalArn come from the authenticated user; anonymous requests
// carry none (IAM user guide, reference_policies_condition-keys).
func TestConditionPrincipalKeys(t *testing.T) {
	cases := []struct {
		condition, principal string
		want                 Decision
	}{
		{`{"StringEquals":{"aws:username":"alice"}}`, "alice", Allow},
		{`{"StringEquals":{"aws:username":"alice"}}`, "bob", NoOpinion},
		{`{"StringEquals":{"aws:username":"alice"}}`, "", NoOpinion},
		{`{"StringNotEquals":{"aws:username":"alice"}}`, "", Allow},
		{`{"StringEquals":{"aws:PrincipalType":"User"}}`, "bob", Allow},
		{`{"Null":{"aws:PrincipalType":"true"}}`, "", Allow},
		{`{"Null":{"aws:PrincipalType":"true"}}`, "bob", NoOpinion},
		// The account is the gateway's one account whatever the number.
		{`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/alice"}}`, "alice", Allow},
		{`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`, "alice", Allow},
		{`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`, "bob", NoOpinion},
		{`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`, "bob", Allow},
		{`{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::1:user/alice"}}`, "alice", NoOpinion},
		{`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}`, "alice", NoOpinion},
		{`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`, "", NoOpinion},
	}
	for _, c := range cases {
		p := mustParse(t, "b", withCondition(c.condition))
		if got := p.Evaluate(c.principal, "s3:GetObject", ResourceARN("b", "k"), nil); got != c.want {
			t.Errorf("%s for %q = %v, want %v", c.condition, c.principal, got, c.want)
		}
	}
}

// TestConditionDenyBeatsAllow: the security-baseline "deny insecure
// transport" statement denies even the owner over HTTP (AWS S3 user
// guide, security-best-practices: "enforce encryption of data in transit"
// with aws:SecureTransport false).
func TestConditionDenyBeatsAllow(t *testing.T) {
	p := mustParse(t, "b", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	if !p.Conditional() {
		t.Fatal("Conditional() = false")
	}
	plain, tls := values{"aws:securetransport": "false"}, values{"aws:securetransport": "true"}
	if Authorize("olga", "olga", p, ActionGetObject, "b", "k", plain) {
		t.Error("owner over HTTP allowed")
	}
	if !Authorize("olga", "olga", p, ActionGetObject, "b", "k", tls) {
		t.Error("owner over HTTPS denied")
	}
	if !Authorize("olga", "", p, ActionGetObject, "b", "k", tls) || Authorize("olga", "", p, ActionGetObject, "b", "k", plain) {
		t.Error("anonymous read: want allowed over HTTPS only")
	}
	// The owner can still fix the policy over HTTP.
	if !Authorize("olga", "olga", p, ActionPutBucketPolicy, "b", "", plain) {
		t.Error("owner cannot replace the policy")
	}
}

// TestConditionPublic: an Allow to "*" restricted to fixed source ranges
// or a fixed KMS key is not public; anything looser is (AWS S3 user guide,
// access-control-block-public-access.html, "The meaning of public"; API
// reference, PublicAccessBlockConfiguration).
func TestConditionPublic(t *testing.T) {
	cases := []struct {
		condition string
		public    bool
	}{
		{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, false},
		{`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}`, false},
		{`{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, true},
		{`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::/0"]}}`, true},
		{`{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, true},
		{`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, true},
		{`{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:1:key/k"}}`, false},
		{`{"StringLike":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:*"}}`, true},
		{`{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:*"}}`, true},
		{`{"Bool":{"aws:SecureTransport":"true"}}`, true},
		{`{"StringLike":{"s3:prefix":"public/*"}}`, true},
		// One fixing condition is enough: all conditions must hold.
		{`{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, false},
	}
	for _, c := range cases {
		p := mustParse(t, "b", withCondition(c.condition))
		if got := p.Public(); got != c.public {
			t.Errorf("%s: Public() = %v, want %v", c.condition, got, c.public)
		}
	}
	deny := mustParse(t, "b", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}`))
	if deny.Public() {
		t.Error("a Deny is public")
	}
}
