package s3api

import (
	"encoding/xml"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// S3's tag limits, from the user guide ("Categorizing your storage using
// tags": up to 10 tags an object, unique keys, keys up to 128 and values up
// to 256 Unicode characters, counted in UTF-16) and "Using cost allocation
// S3 bucket tags" (up to 50 tags a bucket).
const (
	maxObjectTags  = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// tagCharacters is the set the user guide allows in keys and values:
// "Unicode letters or numbers, white space, and the following symbols:
// _ . : / = + @ -" (IAM's API_Tag writes it as this pattern).
var tagCharacters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// The texts S3 answers, as others recorded them: "Object tags cannot be
// greater than 10" (BadRequest, hashicorp/terraform-provider-aws #19895 and
// #41747), "The TagKey you have provided is invalid" (aws/aws-cli#2841),
// "Cannot provide multiple Tags with the same key" and the rest as AWS's
// own mocks (moto) and the S3 gateways tested against it give them.
var (
	errTooManyObjectTags = s3err.BadRequest.With("Object tags cannot be greater than 10")
	errTooManyBucketTags = s3err.InvalidTag.With("Bucket tag count cannot be greater than 50")
	errTagKeyInvalid     = s3err.InvalidTag.With("The TagKey you have provided is invalid")
	errTagValueInvalid   = s3err.InvalidTag.With("The TagValue you have provided is invalid")
	errTagKeyTooLong     = s3err.InvalidTag.With("The TagKey you have provided is too long, max 128")
	errTagValueTooLong   = s3err.InvalidTag.With("The TagValue you have provided is too long, max 256")
	errTagKeyDuplicate   = s3err.InvalidTag.With("Cannot provide multiple Tags with the same key")
	errTagKeyReserved    = s3err.InvalidTag.With("Your TagKey cannot be prefixed with aws:")
	errSystemTag         = s3err.InvalidTag.With("System tags cannot be added/updated by requester")
	// errTaggingHeader is S3's answer to an x-amz-tagging that is not a
	// URL query (aws/aws-cli#2841).
	errTaggingHeader = s3err.InvalidArgument.With("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
)

// tagRules are what differs between an object's tag set and a bucket's.
type tagRules struct {
	max      int
	tooMany  error
	reserved error // a key with the aws: prefix
}

var (
	objectTagRules = tagRules{max: maxObjectTags, tooMany: errTooManyObjectTags, reserved: errTagKeyReserved}
	// A bucket's aws: tags are the system's: S3 refused a PutBucketTagging
	// that touched them with "System Tags cannot be removed by requester"
	// (hashicorp/terraform-provider-aws#7323); adding one is refused alike.
	bucketTagRules = tagRules{max: maxBucketTags, tooMany: errTooManyBucketTags, reserved: errSystemTag}
)

// checkTags holds a tag set to S3's rules for an object's or a bucket's.
func checkTags(tags []objects.Tag, rules tagRules) error {
	if len(tags) > rules.max {
		return rules.tooMany
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "" || !tagCharacters.MatchString(t.Key):
			return errTagKeyInvalid
		case utf16Len(t.Key) > maxTagKeyLen:
			return errTagKeyTooLong
		case strings.HasPrefix(t.Key, "aws:"):
			return rules.reserved
		case !tagCharacters.MatchString(t.Value):
			return errTagValueInvalid
		case utf16Len(t.Value) > maxTagValueLen:
			return errTagValueTooLong
		case seen[t.Key]:
			return errTagKeyDuplicate
		}
		seen[t.Key] = true
	}
	return nil
}

// utf16Len counts as S3 does: "object tags are internally represented in
// UTF-16" (Categorizing your storage using tags).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// parseTaggingHeader reads x-amz-tagging (and POST Object's x-amz-tagging
// field): a URL query, "Key1=Value1&Key2=Value2" (API_PutObject). A key
// without "=" has the empty value; the set is kept in key order, as S3
// returns it (ceph/s3-tests test_put_obj_with_tags).
func parseTaggingHeader(value string) ([]objects.Tag, error) {
	if value == "" {
		return nil, nil
	}
	var tags []objects.Tag
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(value, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		if strings.Contains(rawValue, "=") {
			return nil, errTaggingHeader
		}
		key, err1 := url.QueryUnescape(rawKey)
		val, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil || seen[key] {
			return nil, errTaggingHeader
		}
		seen[key] = true
		tags = append(tags, objects.Tag{Key: key, Value: val})
	}
	slices.SortFunc(tags, func(a, b objects.Tag) int { return strings.Compare(a.Key, b.Key) })
	if err := checkTags(tags, objectTagRules); err != nil {
		return nil, err
	}
	return tags, nil
}

// tagging is the document of the tagging operations (API_Tagging): a
// TagSet that is required, holding Tag elements with a required Key and
// Value.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  *tagSet  `xml:"TagSet"`
}

type tagSet struct {
	Tags []xmlTag `xml:"Tag"`
}

type xmlTag struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}

// parseTagging reads a Tagging document and holds it to rules. A missing
// TagSet, Key or Value is MalformedXML.
func parseTagging(data []byte, rules tagRules) ([]objects.Tag, error) {
	var doc tagging
	if err := decodeXML(data, &doc); err != nil {
		return nil, err
	}
	if doc.TagSet == nil {
		return nil, s3err.MalformedXML
	}
	return tagsOfXML(doc.TagSet.Tags, rules)
}

// tagsOfXML reads and checks Tag elements.
func tagsOfXML(elems []xmlTag, rules tagRules) ([]objects.Tag, error) {
	tags := make([]objects.Tag, 0, len(elems))
	for _, t := range elems {
		if t.Key == nil || t.Value == nil {
			return nil, s3err.MalformedXML
		}
		tags = append(tags, objects.Tag{Key: *t.Key, Value: *t.Value})
	}
	if err := checkTags(tags, rules); err != nil {
		return nil, err
	}
	return tags, nil
}

// taggingDocument is the Tagging document of tags (an empty TagSet when
// there are none).
func taggingDocument(tags []objects.Tag) tagging {
	doc := tagging{Xmlns: s3Namespace, TagSet: &tagSet{Tags: make([]xmlTag, len(tags))}}
	for i, t := range tags {
		doc.TagSet.Tags[i] = xmlTag{Key: &t.Key, Value: &t.Value}
	}
	return doc
}
