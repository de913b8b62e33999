package policy

import (
	"encoding/json"
	"strings"

	"github.com/terngate/terngate/auth/users"
)

func parseEffect(raw json.RawMessage) (deny bool, err error) {
	var effect string
	if json.Unmarshal(raw, &effect) != nil {
		return false, malformed("Invalid effect: Effect must be \"Allow\" or \"Deny\"")
	}
	switch effect {
	case "Allow":
		return false, nil
	case "Deny":
		return true, nil
	}
	return false, malformed("Invalid effect: %s", effect)
}

// userARNPrefix and userARNMarker bracket the account in
// "arn:aws:iam::<account>:user/<name>".
const (
	userARNPrefix = "arn:aws:iam::"
	userARNMarker = ":user/"
)

// parsePrincipal accepts "*" or {"AWS": "*" | name | user ARN | [...]}.
func parsePrincipal(raw json.RawMessage) (anyone bool, names map[string]bool, err error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return false, nil, malformed("Invalid principal in policy: %q (use \"*\" or {\"AWS\": ...})", star)
		}
		return true, nil, nil
	}
	fields, err := decodeObject(raw)
	if err != nil {
		return false, nil, malformed("Invalid principal in policy: expected \"*\" or {\"AWS\": ...}")
	}
	for _, kind := range sortedKeys(fields) {
		if kind != "AWS" {
			return false, nil, malformed("Invalid principal in policy: %s principals are not supported, only AWS users", kind)
		}
	}
	list, ok := stringOrList(fields["AWS"])
	if !ok {
		return false, nil, malformed("Invalid principal in policy: AWS must be a string or a list of strings")
	}
	names = map[string]bool{}
	for _, p := range list {
		if p == "*" {
			anyone = true
			continue
		}
		name, ok := principalName(p)
		if !ok {
			return false, nil, malformed("Invalid principal in policy: %q (use \"*\", a user name or arn:aws:iam::<account>:user/<name>)", p)
		}
		names[name] = true
	}
	return anyone, names, nil
}

// principalName extracts the user name from a bare name or a user ARN.
func principalName(p string) (string, bool) {
	if rest, ok := strings.CutPrefix(p, userARNPrefix); ok {
		account, name, ok := strings.Cut(rest, userARNMarker)
		if !ok || strings.Contains(account, ":") {
			return "", false
		}
		p = name
	}
	return p, users.ValidName(p)
}

// parseActions returns the action patterns lower-cased: AWS compares action
// names case-insensitively.
func parseActions(raw json.RawMessage) ([]string, error) {
	list, ok := stringOrList(raw)
	if !ok {
		return nil, malformed("Policy has invalid action: Action must be a string or a non-empty list of strings")
	}
	patterns := make([]string, 0, len(list))
	for _, a := range list {
		pattern := strings.ToLower(a)
		if !validAction(pattern) {
			return nil, malformed("Policy has invalid action: %q", a)
		}
		patterns = append(patterns, pattern)
	}
	return patterns, nil
}

// validAction accepts "*", a known action, or an "s3:" wildcard pattern
// that matches at least one known action (so "s3:Gte*" is an error).
func validAction(pattern string) bool {
	if pattern == "*" {
		return true
	}
	if !strings.HasPrefix(pattern, "s3:") {
		return false
	}
	if !hasWildcard(pattern) {
		return knownActions[pattern]
	}
	for known := range knownActions {
		if match(pattern, known) {
			return true
		}
	}
	return false
}

const s3ARNPrefix = "arn:aws:s3:::"

// parseResources accepts "arn:aws:s3:::<bucket>" and
// "arn:aws:s3:::<bucket>/<key pattern>" for the policy's own bucket.
func parseResources(bucket string, raw json.RawMessage) ([]string, error) {
	list, ok := stringOrList(raw)
	if !ok {
		return nil, malformed("Policy has invalid resource: Resource must be a string or a non-empty list of strings")
	}
	for _, r := range list {
		rest, ok := strings.CutPrefix(r, s3ARNPrefix)
		if !ok {
			return nil, malformed("Policy has invalid resource: %q is not an arn:aws:s3::: ARN", r)
		}
		if strings.Contains(r, "${") {
			return nil, malformed("Policy has invalid resource: %q: policy variables are not supported", r)
		}
		if b, _, _ := strings.Cut(rest, "/"); b != bucket {
			return nil, malformed("Policy has invalid resource: %q is not in bucket %q", r, bucket)
		}
	}
	return list, nil
}
