package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/terngate/terngate/s3err"
)

// MaxSize is the largest policy document S3 accepts (20 KB).
const MaxSize = 20 * 1024

// Policy is a parsed bucket policy. It is immutable and safe for
// concurrent use.
type Policy struct {
	bucket     string
	statements []statement
	// conditional: some statement has a Condition.
	conditional bool
}

// statement is one parsed statement: which principals, actions and
// resources it covers and whether it allows or denies them.
type statement struct {
	sid       string
	deny      bool
	anyone    bool            // Principal "*" or {"AWS": "*"}
	users     map[string]bool // named principals
	actions   []string        // lower-case patterns
	resources []string        // full ARN patterns
	// conditions must all hold for the statement to apply.
	conditions []condition
}

// Parse parses a bucket policy for bucket. Every error is a MalformedPolicy
// with a message saying what is wrong.
func Parse(bucket string, doc []byte) (*Policy, error) {
	if len(doc) > MaxSize {
		return nil, malformed("Policy exceeds the maximum allowed document size of %d bytes.", MaxSize)
	}
	top, err := decodeObject(doc)
	if err != nil {
		return nil, malformed("Policies must be valid JSON and the first byte must be '{'")
	}
	var rawStatements json.RawMessage
	for _, name := range sortedKeys(top) {
		value := top[name]
		switch name {
		case "Version":
			var v string
			if json.Unmarshal(value, &v) != nil || (v != "2012-10-17" && v != "2008-10-17") {
				return nil, malformed("The policy must contain a valid version string (\"2012-10-17\")")
			}
		case "Id":
			var id string
			if json.Unmarshal(value, &id) != nil {
				return nil, malformed("Id must be a string")
			}
		case "Statement":
			rawStatements = value
		default:
			return nil, malformed("Unknown field %s", name)
		}
	}
	raws, err := objectOrList(rawStatements)
	if err != nil || len(raws) == 0 {
		return nil, malformed("Missing required field Statement")
	}
	p := &Policy{bucket: bucket}
	sids := map[string]bool{}
	for i, raw := range raws {
		s, err := parseStatement(bucket, raw)
		if err != nil {
			// Keep the S3 error (for the handler) but say which statement.
			e := s3err.As(err)
			return nil, e.With("%s (statement %d)", e.Message, i+1)
		}
		// AWS's text as it is: it says "in statement" already.
		if err := checkActionsApply(s.actions, s.resources); err != nil {
			return nil, err
		}
		if s.sid != "" {
			if sids[s.sid] {
				return nil, malformed("Statement IDs (SID) in a single policy must be unique: %q", s.sid)
			}
			sids[s.sid] = true
		}
		p.statements = append(p.statements, s)
		p.conditional = p.conditional || len(s.conditions) > 0
	}
	return p, nil
}

// unsupported are the policy fields the gateway refuses rather than
// ignores: ignoring them would widen what the statement grants or denies.
var unsupported = map[string]bool{
	"NotAction": true, "NotPrincipal": true, "NotResource": true,
}

func parseStatement(bucket string, raw json.RawMessage) (statement, error) {
	var s statement
	fields, err := decodeObject(raw)
	if err != nil {
		return s, malformed("Each statement must be a JSON object")
	}
	for _, name := range sortedKeys(fields) {
		switch {
		case unsupported[name]:
			return s, malformed("%s is not supported by this gateway; use Principal, Action, Resource and Condition", name)
		case name != "Sid" && name != "Effect" && name != "Principal" && name != "Action" && name != "Resource" && name != "Condition":
			return s, malformed("Unknown field %s", name)
		}
	}
	for _, required := range []string{"Effect", "Principal", "Action", "Resource"} {
		if _, ok := fields[required]; !ok {
			return s, malformed("Missing required field %s", required)
		}
	}
	if raw, ok := fields["Sid"]; ok {
		if json.Unmarshal(raw, &s.sid) != nil {
			return s, malformed("Sid must be a string")
		}
	}
	if s.deny, err = parseEffect(fields["Effect"]); err != nil {
		return s, err
	}
	if s.anyone, s.users, err = parsePrincipal(fields["Principal"]); err != nil {
		return s, err
	}
	if s.actions, err = parseActions(fields["Action"]); err != nil {
		return s, err
	}
	if s.resources, err = parseResources(bucket, fields["Resource"]); err != nil {
		return s, err
	}

	if raw, ok := fields["Condition"]; ok {
		if s.conditions, err = parseCondition(raw); err != nil {
			return s, err
		}
	}
	return s, nil
}

// decodeObject decodes a JSON object keeping its field names exactly:
// decoding into a struct would match them case-insensitively, and "effect"
// is not a field of the policy language.
func decodeObject(raw []byte) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	return fields, nil
}

// sortedKeys makes the first error reported independent of map order.
func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}

// objectOrList accepts one JSON object or a list of them.
func objectOrList(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		return []json.RawMessage{raw}, nil
	}
	var list []json.RawMessage
	err := json.Unmarshal(raw, &list)
	return list, err
}

// stringOrList accepts one JSON string or a non-empty list of them, the
// two shapes the policy language allows for Action, Resource and AWS.
func stringOrList(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, false
	}
	return list, true
}
