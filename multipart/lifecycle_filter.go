package multipart

import (
	"strings"

	"github.com/terngate/terngate/s3err"
)

// lifecycleFilter is a rule's Filter: at most one of its elements, several
// predicates only inside And.
type lifecycleFilter struct {
	Prefix  *string          `xml:"Prefix"`
	Tag     *rawXML          `xml:"Tag"`
	Greater *int64           `xml:"ObjectSizeGreaterThan"`
	Less    *int64           `xml:"ObjectSizeLessThan"`
	And     *lifecycleFilter `xml:"And"`
}

// ruleFilter is which objects a rule applies to.
type ruleFilter struct {
	prefix string
	// greater and less bound the size strictly; hasGreater/hasLess say
	// whether each is set.
	greater, less       int64
	hasGreater, hasLess bool
	// tagged is a Tag predicate: refused by every action, since objects
	// have no tags in the gateway.
	tagged bool
}

func (f ruleFilter) sized() bool { return f.hasGreater || f.hasLess }

// matches reports whether an object of key and size is in the filter.
func (f ruleFilter) matches(key string, size int64) bool {
	return strings.HasPrefix(key, f.prefix) &&
		(!f.hasGreater || size > f.greater) &&
		(!f.hasLess || size < f.less)
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
	out := ruleFilter{tagged: f.Tag != nil}
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
	for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.Greater != nil, f.Less != nil, f.And != nil} {
		if set {
			n++
		}
	}
	return n
}

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
