package s3api

import (
	"strconv"
	"strings"
	"time"

	"github.com/terngate/terngate/auth/policy"
	"github.com/terngate/terngate/store/objects"
)

// conditionContext gives a bucket policy's Condition blocks what the
// request really carried. It computes each value only when a condition
// asks for it, and permits builds one only for a policy that has
// conditions, so requests to other buckets pay nothing.
type conditionContext struct {
	r *request
	// s, bucket and key are set by permitsIn: the object the checked
	// access is to, whose tags s3:ExistingObjectTag/<tag-key> reads.
	s           *server
	bucket, key string
	// tags caches the object's tags once read (tagsRead).
	tags     []objects.Tag
	tagsRead bool
	// version is the version the checked access names (s3:VersionId): a
	// DeleteObjects entry's or a copy source's. Unless versionSet, it is
	// the request's versionId parameter.
	version    string
	versionSet bool
	// form is a POST upload's fields (lower-case names), where a browser
	// sends what other writes send as headers; nil for other requests.
	form map[string]string
	// unconnected records that a condition asked for the connection (TLS,
	// peer address) of a request that has none: the 100-continue screen
	// judges a copy of the head (expect.go). See permitsIn.
	unconnected bool
}

// requestHeaderKeys are the s3: keys whose value is the request header of
// the same name (AWS service authorization reference for Amazon S3).
var requestHeaderKeys = map[string]string{
	"s3:x-amz-server-side-encryption":                "x-amz-server-side-encryption",
	"s3:x-amz-server-side-encryption-aws-kms-key-id": "x-amz-server-side-encryption-aws-kms-key-id",
	"s3:x-amz-acl":                "x-amz-acl",
	"s3:x-amz-content-sha256":     "x-amz-content-sha256",
	"s3:x-amz-copy-source":        "x-amz-copy-source",
	"s3:x-amz-metadata-directive": "x-amz-metadata-directive",
}

// postFormKeys are the keys a POST upload carries as form fields.
var postFormKeys = map[string]string{
	"s3:x-amz-server-side-encryption":                "x-amz-server-side-encryption",
	"s3:x-amz-server-side-encryption-aws-kms-key-id": "x-amz-server-side-encryption-aws-kms-key-id",
	"s3:x-amz-acl": "acl",
}

// listParamKeys are the keys whose value is a list request's parameter.
var listParamKeys = map[string]string{
	"s3:prefix":    "prefix",
	"s3:delimiter": "delimiter",
	"s3:max-keys":  "max-keys",
}

// Value implements policy.Context.
func (c *conditionContext) Value(key string) (string, bool) {
	r := c.r
	switch key {
	case "aws:securetransport":
		c.unconnected = c.unconnected || r.c.Context().Conn() == nil
		return strconv.FormatBool(r.c.Context().IsTLS()), true
	case "aws:sourceip":
		// The TCP peer: the gateway trusts no proxy header, so behind a
		// proxy this is the proxy's address (see auth/policy/doc.go).
		c.unconnected = c.unconnected || r.c.Context().Conn() == nil
		return r.c.Context().RemoteIP().String(), true
	case "aws:currenttime":
		return time.Now().UTC().Format(time.RFC3339), true
	case "aws:epochtime":
		return strconv.FormatInt(time.Now().Unix(), 10), true
	case "aws:useragent":
		return c.header("User-Agent")
	case "aws:referer":
		return c.header("Referer")
	case "s3:versionid":
		return c.versionID()
	case "s3:signatureversion":
		return c.signatureVersion()
	case "s3:authtype":
		return c.authType()
	}
	if tagKey, ok := strings.CutPrefix(key, existingObjectTagPrefix); ok {
		return c.existingTag(tagKey)
	}
	if name, ok := listParamKeys[key]; ok {
		return c.param(name)
	}
	if c.form != nil {
		name, ok := postFormKeys[key]
		if !ok {
			return "", false
		}
		v, ok := c.form[name]
		return v, ok
	}
	if name, ok := requestHeaderKeys[key]; ok {
		return c.header(name)
	}
	return "", false
}

// existingObjectTagPrefix is how Value is asked for
// s3:ExistingObjectTag/<tag-key> (policy.Context).
var existingObjectTagPrefix = strings.ToLower(policy.KeyExistingObjectTagPrefix)

// existingTag is the value of the checked object's tag tagKey: of the
// version the access names, else the current object. An object that cannot
// be read (absent, a delete marker) has no tags.
func (c *conditionContext) existingTag(tagKey string) (string, bool) {
	if !c.tagsRead {
		c.tagsRead = true
		version, _ := c.versionID()
		var info objects.ObjectInfo
		var err error
		if version != "" {
			info, _, err = c.s.layer.StatVersion(c.r.ctx, c.bucket, c.key, version)
		} else {
			info, err = c.s.layer.Stat(c.r.ctx, c.bucket, c.key)
		}
		if err == nil {
			c.tags = info.Metadata.Tags
		}
	}
	for _, t := range c.tags {
		if t.Key == tagKey {
			return t.Value, true
		}
	}
	return "", false
}

// versionID is the version the checked access names, if any.
func (c *conditionContext) versionID() (string, bool) {
	if c.versionSet {
		return c.version, c.version != ""
	}
	return c.param("versionId")
}

func (c *conditionContext) header(name string) (string, bool) {
	v := c.r.c.Request().Header.Peek(name)
	return string(v), v != nil
}

func (c *conditionContext) param(name string) (string, bool) {
	if !c.r.hasParam(name) {
		return "", false
	}
	return c.r.param(name), true
}

// Signature algorithms as s3:signatureversion names them.
const (
	signatureV2 = "AWS"
	signatureV4 = "AWS4-HMAC-SHA256"
)

// signatureVersion is the scheme that authenticated the request; an
// anonymous request has none.
func (c *conditionContext) signatureVersion() (string, bool) {
	r := c.r
	if r.anonymous() {
		return "", false
	}
	if c.form != nil {
		if _, v4 := c.form["x-amz-algorithm"]; v4 {
			return signatureV4, true
		}
		return signatureV2, true
	}
	if authz, ok := c.header("Authorization"); ok {
		if strings.HasPrefix(authz, "AWS ") {
			return signatureV2, true
		}
		return signatureV4, true
	}
	if r.hasParam("X-Amz-Algorithm") {
		return signatureV4, true
	}
	return signatureV2, true
}

// authType is how the request was authenticated: REST-HEADER,
// REST-QUERY-STRING (presigned) or POST (a browser form).
func (c *conditionContext) authType() (string, bool) {
	switch {
	case c.r.anonymous():
		return "", false
	case c.form != nil:
		return "POST", true
	case c.r.hasHeader("Authorization"):
		return "REST-HEADER", true
	}
	return "REST-QUERY-STRING", true
}

var _ policy.Context = (*conditionContext)(nil)
