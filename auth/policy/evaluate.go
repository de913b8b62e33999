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
// ("arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/key"). A nil policy has no
// opinion.
func (p *Policy) Evaluate(principal, action, resource string) Decision {
	if p == nil {
		return NoOpinion
	}
	action = strings.ToLower(action)
	decision := NoOpinion
	for _, s := range p.statements {
		if !s.applies(principal, action, resource) {
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
