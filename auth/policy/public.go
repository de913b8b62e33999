package policy

// Public reports whether p is public as AWS defines it for Block Public
// Access: it has an Allow statement whose Principal is "*" with no
// condition fixing who may use it (AWS S3 user guide,
// access-control-block-public-access.html, "The meaning of public").
// Conditions are refused at parse time, so every Allow to "*" counts;
// named users all belong to the gateway's one account, which AWS never
// calls public. A nil policy is not public.
func (p *Policy) Public() bool {
	if p == nil {
		return false
	}
	for _, s := range p.statements {
		if !s.deny && s.anyone {
			return true
		}
	}
	return false
}
