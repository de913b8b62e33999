package policy

import "strings"

// Decision is what a policy says about a request.
type Decision int

const (
	// NoOpinion: no statement applies.
	NoOpinion Decision = iota
	// Allow: an Allow statement applies and no Deny does.
	Allow
	// Deny: a Deny statement applies; it beats every Allow.
	Deny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NoOpinion"
}

// Evaluate says what p decides for principal (a user name, "" for an
// anonymous request) doing action (e.g. "s3:GetObject") on resource
// ("arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/key"), with ctx holding
// what the request carried for Condition blocks (nil: nothing). A nil
// policy has no opinion.
func (p *Policy) Evaluate(principal, action, resource string, ctx Context) Decision {
	if p == nil {
		return NoOpinion
	}
	if ctx == nil {
		ctx = noContext{}
	}
	action = strings.ToLower(action)
	decision := NoOpinion
	for _, s := range p.statements {
		if !s.applies(principal, action, resource) || !s.conditionsHold(principal, action, ctx) {
			continue
		}
		if s.deny {
			return Deny
		}
		decision = Allow
	}
	return decision
}

func (s statement) applies(principal, action, resource string) bool {
	return s.names(principal) && matchesAny(s.actions, action) && matchesAny(s.resources, resource)
}

// conditionsHold reports whether every condition of the statement holds.
func (s statement) conditionsHold(principal, action string, ctx Context) bool {
	for _, c := range s.conditions {
		if !c.holds(principal, action, ctx) {
			return false
		}
	}
	return true
}

// Conditional reports whether any statement of p has a Condition, that
// is, whether evaluating it may need a Context. A nil policy has none.
func (p *Policy) Conditional() bool {
	return p != nil && p.conditional
}

// names reports whether the statement's Principal covers principal; only
// "*" covers anonymous requests.
func (s statement) names(principal string) bool {
	return s.anyone || (principal != "" && s.users[principal])
}

func matchesAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if match(p, s) {
			return true
		}
	}
	return false
}

// ResourceARN is the policy resource for a bucket ("arn:aws:s3:::bucket")
// or, when key is not empty, for an object in it.
func ResourceARN(bucket, key string) string {
	if key == "" {
		return s3ARNPrefix + bucket
	}
	return s3ARNPrefix + bucket + "/" + key
}
