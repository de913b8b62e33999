package policy

// Context is what a request carried, for evaluating Condition blocks. The
// caller builds it from the request as received; Value is called only when
// a statement with a condition is otherwise about to apply, so it may
// compute values lazily.
type Context interface {
	// Value returns the request's value for a condition key (its
	// lower-case name, e.g. "aws:sourceip", "s3:prefix"; for
	// s3:ExistingObjectTag/<tag-key>, "s3:existingobjecttag/" and the tag
	// key as the policy spells it) and whether the request carries the
	// key at all. It is asked only for the keys in conditionKeys and those
	// tag keys; the principal keys (aws:username, aws:PrincipalType,
	// aws:PrincipalArn) come from the principal.
	Value(key string) (value string, ok bool)
}

// noContext is the context of a caller that has none: every key is absent.
type noContext struct{}

func (noContext) Value(string) (string, bool) { return "", false }
