// Package policy parses and evaluates bucket policies: the subset of the
// AWS S3 bucket policy language that needs no request context.
//
// A policy is a JSON document:
//
//	{
//	  "Version": "2012-10-17",
//	  "Statement": [
//	    {
//	      "Sid": "PublicRead",
//	      "Effect": "Allow",
//	      "Principal": "*",
//	      "Action": ["s3:GetObject"],
//	      "Resource": "arn:aws:s3:::photos/public/*"
//	    },
//	    {
//	      "Effect": "Allow",
//	      "Principal": {"AWS": ["alice", "arn:aws:iam::123456789012:user/bob"]},
//	      "Action": ["s3:ListBucket", "s3:Get*", "s3:PutObject"],
//	      "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]
//	    }
//	  ]
//	}
//
// Supported:
//   - Version "2012-10-17" or "2008-10-17" (or none); Id is ignored.
//   - Statement: one statement object or a list of them; Sids, if given,
//     are unique.
//   - Effect: "Allow" or "Deny".
//   - Principal: "*" (everyone, anonymous included) or {"AWS": ...} with
//     one or a list of "*", a user name from the users file, or a user ARN
//     "arn:aws:iam::<account>:user/<name>" (the account is ignored: the
//     gateway has one).
//   - Action: one or a list of "s3:<Action>" names (case-insensitive, as in
//     AWS), with * and ? wildcards ("s3:*", "s3:Get*"), or "*". Names must
//     be S3 actions; a wildcard must match at least one.
//   - Resource: one or a list of "arn:aws:s3:::<bucket>" (the bucket: list
//     operations) or "arn:aws:s3:::<bucket>/<key pattern>" (objects), with *
//     and ? wildcards in the key pattern only. The bucket must be the
//     policy's own bucket.
//
// Rejected with MalformedPolicy rather than ignored, since ignoring any of
// them would grant more than the author meant: Condition, NotAction,
// NotPrincipal, NotResource, policy variables ("${...}"), principals other
// than AWS users ("Service", "CanonicalUser", account roots), unknown fields.
//
// Evaluation follows AWS: an explicit Deny beats any Allow; without an
// Allow there is no opinion, and Authorize then denies everyone but the
// bucket owner. The S3 operations map onto actions through ActionFor; the
// gateway folds some finer AWS actions into coarser ones (see ActionFor).
package policy
