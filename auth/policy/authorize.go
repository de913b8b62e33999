package policy

// Authorize decides whether principal (a user name, "" for anonymous) may
// do action on bucket (key "" for bucket-level actions), given the bucket's
// owner and policy (nil if it has none) and the request's condition
// context (nil if the policy is not Conditional):
//
//   - The owner may do anything unless a Deny statement names them; but the
//     owner may always read, replace and delete the policy, so that no
//     policy can lock them out of fixing it.
//   - Anyone else needs an Allow and no Deny, and can never be granted the
//     owner-only bucket configuration actions (see OwnerOnly).
//   - Anonymous requests match only Principal "*".
func Authorize(owner, principal string, p *Policy, action, bucket, key string, ctx Context) bool {
	decision := p.Evaluate(principal, action, ResourceARN(bucket, key), ctx)
	if principal != "" && principal == owner {
		return policyManagement[action] || decision != Deny
	}
	if OwnerOnly(action) {
		return false
	}
	return decision == Allow
}
