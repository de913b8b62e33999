package policy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// condition is one key tested by one operator: the statement applies only
// if every condition of its Condition block holds (AWS ANDs operators and
// the keys within one operator; IAM user guide,
// reference_policies_condition-logic-multiple-context-keys-or-values).
type condition struct {
	op       operator
	ifExists bool
	key      string       // lower-case
	info     conditionKey // the key's type and the actions that carry it
	// values are the policy's values, ORed: the condition holds if the
	// request's value matches any of them (for a negated operator: none).
	values []string
	// parsed holds each value in the operator's type (numbers, times, IP
	// ranges, ARN components), parsed once when the policy is stored.
	parsed []any
}

// parseCondition parses a statement's Condition element:
// {"<Operator>": {"<key>": value or [values], ...}, ...}.
func parseCondition(raw json.RawMessage) ([]condition, error) {
	block, err := decodeObject(raw)
	if err != nil || len(block) == 0 {
		return nil, malformed("Condition must be a JSON object of one or more condition operators")
	}
	var conds []condition
	for _, opName := range sortedKeys(block) {
		op, ifExists, err := lookupOperator(opName)
		if err != nil {
			return nil, err
		}
		keys, err := decodeObject(block[opName])
		if err != nil || len(keys) == 0 {
			return nil, malformed("Invalid Condition: %s must map condition keys to values", opName)
		}
		for _, keyName := range sortedKeys(keys) {
			c, err := parseKeyCondition(op, ifExists, opName, keyName, keys[keyName])
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

func parseKeyCondition(op operator, ifExists bool, opName, keyName string, raw json.RawMessage) (condition, error) {
	key, name, ok := lookupConditionKey(keyName)
	c := condition{op: op, ifExists: ifExists, key: name, info: key}
	if !ok {
		// AWS's text for a key it does not know (recorded by
		// scality/cloudserver's validatePolicyConditions), then why.
		return c, malformed("Policy has an invalid condition key: %s is not supported by this gateway", keyName)
	}
	if !op.accepts(key.kind) {
		return c, malformed("Condition operator %s cannot test %s in this gateway", opName, keyName)
	}
	values, ok := conditionValues(raw)
	if !ok {
		return c, malformed("Invalid Condition value for %s %s: expected a string, number, boolean or a non-empty list of them", opName, keyName)
	}
	c.values = values
	c.parsed = make([]any, len(values))
	for i, v := range values {
		if strings.Contains(v, "${") {
			return c, malformed("Invalid Condition value %q for %s: policy variables are not supported by this gateway", v, keyName)
		}
		p, err := op.parse(v)
		if err != nil && key.kind == kindIP {
			// AWS's text (scality/cloudserver's checkIp records it).
			return c, malformed("Invalid IP address in Conditions")
		}
		if err != nil {
			return c, malformed("Invalid Condition value %q for %s %s: %v", v, opName, keyName, err)
		}
		c.parsed[i] = p
	}
	return c, nil
}

// conditionValues accepts one value or a non-empty list of them. AWS takes
// JSON numbers and booleans as the strings they spell (IAM user guide,
// reference_policies_grammar: a condition value is a string, number or
// Boolean), so 10 and "10", true and "true" are the same value.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	items := []json.RawMessage{raw}
	if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] == '[' {
		if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
			return nil, false
		}
	}
	values := make([]string, 0, len(items))
	for _, item := range items {
		v, ok := scalarValue(item)
		if !ok {
			return nil, false
		}
		values = append(values, v)
	}
	return values, true
}

func scalarValue(raw json.RawMessage) (string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		// The number as written: 10 stays "10", 1.5 "1.5".
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// holds reports whether c holds for a request by principal doing action.
func (c condition) holds(principal, action string, ctx Context) bool {
	value, present := c.lookup(principal, action, ctx)
	if c.op.null {
		return c.nullHolds(present)
	}
	if !present {
		// An absent key fails every test but a negated one; IfExists
		// passes it (IAM user guide,
		// reference_policies_elements_condition_operators).
		return c.ifExists || c.op.negated
	}
	matched := slices.ContainsFunc(c.parsed, func(p any) bool { return c.op.match(value, p) })
	return matched != c.op.negated
}

// nullHolds: "true" holds for an absent key, "false" for a present one.
func (c condition) nullHolds(present bool) bool {
	for _, p := range c.parsed {
		if p.(bool) != present {
			return true
		}
	}
	return false
}

func (c condition) lookup(principal, action string, ctx Context) (string, bool) {
	if c.info.principal {
		return principalValue(c.key, principal)
	}
	if c.info.actions != nil && !c.info.actions[action] {
		return "", false
	}
	return ctx.Value(c.key)
}
