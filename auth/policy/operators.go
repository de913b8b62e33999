package policy

import (
	"cmp"
	"errors"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// operator is a condition operator (IAM user guide,
// reference_policies_elements_condition_operators).
type operator struct {
	name string // without IfExists
	// negated operators hold for an absent key and require the value to
	// match none of the policy's values.
	negated bool
	// null is the Null operator, which tests presence only.
	null bool
	// kinds are the key types the operator can test.
	kinds []keyKind
	// parse converts a policy value when the policy is stored; a bad one
	// makes the policy malformed.
	parse func(string) (any, error)
	// match compares the request's value with one parsed policy value.
	match func(value string, policy any) bool
}

func (op operator) accepts(k keyKind) bool { return slices.Contains(op.kinds, k) }

var (
	// Every key's value is a string, but an ARN key is compared by ARN
	// component only (see arnMatches).
	stringKinds  = []keyKind{kindString, kindBool, kindNumeric, kindDate, kindEpoch, kindIP}
	numericKinds = []keyKind{kindNumeric, kindEpoch}
	dateKinds    = []keyKind{kindDate, kindEpoch}
	allKinds     = []keyKind{kindString, kindBool, kindNumeric, kindDate, kindEpoch, kindIP, kindARN}
)

// operators are the supported condition operators by name. Names are
// matched exactly; "IfExists" may follow any but Null (see lookupOperator).
var operators = func() map[string]operator {
	ops := map[string]operator{
		"Bool": {kinds: []keyKind{kindBool}, parse: parseBool, match: func(v string, p any) bool { return strings.EqualFold(v, strconv.FormatBool(p.(bool))) }},
		"Null": {null: true, kinds: allKinds, parse: parseBool},

		"IpAddress":    {kinds: []keyKind{kindIP}, parse: parseIPRange, match: ipMatches},
		"NotIpAddress": {negated: true, kinds: []keyKind{kindIP}, parse: parseIPRange, match: ipMatches},
	}
	add := func(name string, negated bool, kinds []keyKind, parse func(string) (any, error), match func(string, any) bool) {
		ops[name] = operator{negated: negated, kinds: kinds, parse: parse, match: match}
	}
	add("StringEquals", false, stringKinds, parseString, func(v string, p any) bool { return v == p.(string) })
	add("StringNotEquals", true, stringKinds, parseString, func(v string, p any) bool { return v == p.(string) })
	add("StringEqualsIgnoreCase", false, stringKinds, parseString, func(v string, p any) bool { return strings.EqualFold(v, p.(string)) })
	add("StringNotEqualsIgnoreCase", true, stringKinds, parseString, func(v string, p any) bool { return strings.EqualFold(v, p.(string)) })
	add("StringLike", false, stringKinds, parseString, func(v string, p any) bool { return match(p.(string), v) })
	add("StringNotLike", true, stringKinds, parseString, func(v string, p any) bool { return match(p.(string), v) })

	for _, order := range []struct {
		suffix  string
		negated bool
		holds   func(c int) bool
	}{
		{"Equals", false, func(c int) bool { return c == 0 }},
		{"NotEquals", true, func(c int) bool { return c == 0 }},
		{"LessThan", false, func(c int) bool { return c < 0 }},
		{"LessThanEquals", false, func(c int) bool { return c <= 0 }},
		{"GreaterThan", false, func(c int) bool { return c > 0 }},
		{"GreaterThanEquals", false, func(c int) bool { return c >= 0 }},
	} {
		add("Numeric"+order.suffix, order.negated, numericKinds, parseNumber, func(v string, p any) bool {
			n, err := parseNumber(v)
			return err == nil && order.holds(cmp.Compare(n.(float64), p.(float64)))
		})
		add("Date"+order.suffix, order.negated, dateKinds, parseDate, func(v string, p any) bool {
			t, err := parseDate(v)
			return err == nil && order.holds(t.(time.Time).Compare(p.(time.Time)))
		})
	}

	arnKinds := []keyKind{kindARN}
	// ArnEquals and ArnLike behave alike: both take wildcards in every
	// component (IAM user guide, "Amazon Resource Name (ARN) condition
	// operators").
	add("ArnEquals", false, arnKinds, parseARN, arnMatches)
	add("ArnLike", false, arnKinds, parseARN, arnMatches)
	add("ArnNotEquals", true, arnKinds, parseARN, arnMatches)
	add("ArnNotLike", true, arnKinds, parseARN, arnMatches)
	for name, op := range ops {
		op.name = name
		ops[name] = op
	}
	return ops
}()

const ifExistsSuffix = "IfExists"

// lookupOperator resolves an operator name, with its IfExists suffix.
// The set operators ForAllValues: and ForAnyValue: are refused: every key
// the gateway evaluates is single-valued.
func lookupOperator(name string) (op operator, ifExists bool, err error) {
	if strings.HasPrefix(name, "ForAllValues:") || strings.HasPrefix(name, "ForAnyValue:") {
		return op, false, malformed("Condition operator %s is not supported by this gateway: it evaluates single-valued keys only", name)
	}
	base, ifExists := strings.CutSuffix(name, ifExistsSuffix)
	op, ok := operators[base]
	if !ok || (ifExists && op.null) {
		return op, false, malformed("Invalid Condition type : %s", name)
	}
	return op, ifExists, nil
}

func parseString(v string) (any, error) { return v, nil }

func parseBool(v string) (any, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, errors.New(`must be "true" or "false"`)
}

func parseNumber(v string) (any, error) {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, errors.New("not a number")
	}
	return n, nil
}

// dateLayouts are the W3C profile of ISO 8601 that AWS date conditions
// take (IAM user guide, "Date condition operators"), longest first.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate accepts an ISO 8601 date or time, or epoch seconds.
func parseDate(v string) (any, error) {
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && len(v) > 4 {
		return time.Unix(secs, 0).UTC(), nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return nil, errors.New("not an ISO 8601 date or epoch seconds")
}

// parseIPRange accepts a CIDR range or a single address, IPv4 or IPv6.
func parseIPRange(v string) (any, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, errors.New("not a CIDR range")
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return nil, errors.New("not an IP address")
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func ipMatches(v string, p any) bool {
	a, err := netip.ParseAddr(v)
	return err == nil && p.(netip.Prefix).Contains(a.Unmap())
}

// arnComponents is how many colon-separated parts an ARN has.
const arnComponents = 6

// arnAccount is the index of the account component, which arnMatches
// skips: the gateway has one account, and the Principal element already
// lets any account number name it.
const arnAccount = 4

func parseARN(v string) (any, error) {
	parts := strings.SplitN(v, ":", arnComponents)
	if len(parts) != arnComponents || parts[0] != "arn" {
		return nil, errors.New("not an ARN (arn:partition:service:region:account:resource)")
	}
	return parts, nil
}

// arnMatches compares an ARN with a pattern component by component, each
// with * and ? wildcards, case-sensitively.
func arnMatches(v string, p any) bool {
	pattern := p.([]string)
	parts := strings.SplitN(v, ":", arnComponents)
	if len(parts) != arnComponents {
		return false
	}
	for i := range parts {
		if i != arnAccount && !match(pattern[i], parts[i]) {
			return false
		}
	}
	return true
}
