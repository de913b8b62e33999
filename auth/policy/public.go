package policy

import (
	"net/netip"
	"strings"
)

// Public reports whether p is public as AWS defines it for Block Public
// Access: it has an Allow statement whose Principal is "*" and no
// condition fixing who may use it (AWS S3 user guide,
// access-control-block-public-access.html, "The meaning of public"; the
// same list is in the API reference's PublicAccessBlockConfiguration).
// Of the keys that list names, the gateway evaluates aws:SourceIp and
// s3:x-amz-server-side-encryption-aws-kms-key-id; the others are refused
// at parse time. Named users all belong to the gateway's one account,
// which AWS never calls public. A nil policy is not public.
func (p *Policy) Public() bool {
	if p == nil {
		return false
	}
	for _, s := range p.statements {
		if !s.deny && s.anyone && !s.restrictedByCondition() {
			return true
		}
	}
	return false
}

// restrictedByCondition reports whether one of the statement's conditions
// (all of which must hold) fixes a key that takes an Allow to "*" out of
// "public".
func (s statement) restrictedByCondition() bool {
	for _, c := range s.conditions {
		if c.fixesAccess() {
			return true
		}
	}
	return false
}

// fixesAccess: aws:SourceIp limited by IpAddress to ranges none of which
// is the whole address space, or the KMS key ID fixed by StringEquals to
// values without wildcards. IfExists never fixes anything: a request
// without the key passes.
func (c condition) fixesAccess() bool {
	if c.ifExists || c.op.negated || c.op.null {
		return false
	}
	switch c.key {
	case strings.ToLower(KeySourceIP):
		if c.op.name != "IpAddress" {
			return false
		}
		for _, p := range c.parsed {
			if p.(netip.Prefix).Bits() == 0 {
				return false
			}
		}
		return true
	case strings.ToLower(KeySSEKMSKeyID):
		if c.op.name != "StringEquals" {
			return false
		}
		for _, v := range c.values {
			if hasWildcard(v) {
				return false
			}
		}
		return true
	}
	return false
}
