package multipart

import (
	"slices"
	"strings"

	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// lifecycleFilter is a rule's Filter: at most one of its elements, several
// predicates only inside And.
type lifecycleFilter struct {
	Prefix *string `xml:"Prefix"`
	// Tag is one tag, or inside And any number of them
	// (API_LifecycleRuleAndOperator: Tags).
	Tag     []lifecycleTag   `xml:"Tag"`
	Greater *int64           `xml:"ObjectSizeGreaterThan"`
	Less    *int64           `xml:"ObjectSizeLessThan"`
	And     *lifecycleFilter `xml:"And"`
}

// lifecycleTag is a Tag predicate: Key and Value are both required
// (API_Tag).
type lifecycleTag struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}

// ruleFilter is which objects a rule applies to.
type ruleFilter struct {
	prefix string
	// greater and less bound the size strictly; hasGreater/hasLess say
	// whether each is set.
	greater, less       int64
	hasGreater, hasLess bool
	// tags must all be on an object, with their values, for the rule to
	// apply to it.
	tags []objects.Tag
}

// tagged reports whether the filter has a Tag predicate, which
// AbortIncompleteMultipartUpload refuses.
func (f ruleFilter) tagged() bool { return len(f.tags) > 0 }

func (f ruleFilter) sized() bool { return f.hasGreater || f.hasLess }

// matches reports whether an object of key, size and tags is in the
// filter: "the object must match all the predicates" of an And
// (API_LifecycleRuleAndOperator), each Tag by key and value.
func (f ruleFilter) matches(key string, size int64, tags []objects.Tag) bool {
	return strings.HasPrefix(key, f.prefix) &&
		(!f.hasGreater || size > f.greater) &&
		(!f.hasLess || size < f.less) &&
		hasAllTags(tags, f.tags)
}

func hasAllTags(have, want []objects.Tag) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// parseRuleFilter reads the rule's legacy Prefix or its Filter (not both).
func parseRuleFilter(r lifecycleRule) (ruleFilter, error) {
	if r.Prefix != nil && r.Filter != nil {
		return ruleFilter{}, s3err.MalformedXML
	}
	if r.Prefix != nil {
		return ruleFilter{prefix: *r.Prefix}, nil
	}
	if r.Filter == nil {
		return ruleFilter{}, nil
	}
	f := *r.Filter
	if f.predicates() > 1 {
		return ruleFilter{}, s3err.MalformedXML // several go inside And
	}
	if f.And != nil {
		if f.And.And != nil {
			return ruleFilter{}, s3err.MalformedXML
		}
		f = *f.And
	}
	var out ruleFilter
	for _, t := range f.Tag {
		if t.Key == nil || t.Value == nil {
			return ruleFilter{}, s3err.MalformedXML
		}
		tag := objects.Tag{Key: *t.Key, Value: *t.Value}
		if slices.ContainsFunc(out.tags, func(o objects.Tag) bool { return o.Key == tag.Key }) {
			return ruleFilter{}, errDuplicateFilterTag
		}
		out.tags = append(out.tags, tag)
	}
	if f.Prefix != nil {
		out.prefix = *f.Prefix
	}
	if f.Greater != nil {
		out.greater, out.hasGreater = *f.Greater, true
	}
	if f.Less != nil {
		out.less, out.hasLess = *f.Less, true
	}
	return out, out.validSizes()
}

func (f lifecycleFilter) predicates() int {
	n := 0
	for _, set := range []bool{f.Prefix != nil, f.Greater != nil, f.Less != nil, f.And != nil} {
		if set {
			n++
		}
	}
	return n + len(f.Tag)
}

// errDuplicateFilterTag: a filter's tags must have distinct keys, as an
// object's do. The text is the gateway's own; AWS's is not on record in
// its documentation.
var errDuplicateFilterTag = s3err.InvalidArgument.With("Duplicate Tag Keys are not allowed.")

// validSizes checks the size bounds: neither negative, and a range that
// can hold an object. The texts are the gateway's own: AWS's are not on
// record in its documentation.
func (f ruleFilter) validSizes() error {
	if (f.hasGreater && f.greater < 0) || (f.hasLess && f.less < 0) {
		return s3err.InvalidArgument.With("Object size filters must be non-negative")
	}
	if f.hasGreater && f.hasLess && f.greater >= f.less {
		return s3err.InvalidArgument.With("ObjectSizeGreaterThan must be less than ObjectSizeLessThan")
	}
	return nil
}
