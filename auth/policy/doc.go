// Package policy parses and evaluates bucket policies: the subset of the
// AWS S3 bucket policy language the gateway can evaluate truthfully,
// Condition blocks included.
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
//	    },
//	    {
//	      "Effect": "Deny",
//	      "Principal": "*",
//	      "Action": "s3:*",
//	      "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"],
//	      "Condition": {"Bool": {"aws:SecureTransport": "false"}}
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
//     policy's own bucket. Every action must apply to one of the
//     statement's resources (object actions to an object pattern, the
//     others to the bucket; a wildcard action if any action it matches
//     does), or the policy is MalformedPolicy "Action does not apply to
//     any resource(s) in statement", as on S3.
//   - Condition: {"<operator>": {"<key>": value or [values]}, ...}.
//     Operators are ANDed, and so are the keys of one operator; a key's
//     values are ORed (a negated operator needs the value to match none of
//     them). A key the request does not carry fails the condition, except
//     for the negated operators and any operator ending in IfExists, which
//     it passes; Null "true" holds for an absent key. Values are strings,
//     numbers or booleans (10 and "10" are the same value).
//
// Condition operators: StringEquals, StringNotEquals,
// StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
// StringNotLike (* and ? wildcards, case-sensitive); NumericEquals,
// NumericNotEquals, NumericLessThan, NumericLessThanEquals,
// NumericGreaterThan, NumericGreaterThanEquals; the same six Date
// operators (ISO 8601 as in the W3C profile, YYYY to
// YYYY-MM-DDThh:mm:ss.sTZD, or epoch seconds); Bool; IpAddress and
// NotIpAddress (a CIDR range or one address, IPv4 or IPv6); Null;
// ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (component by component,
// wildcards in each); each but Null with the IfExists suffix. An operator
// tests only keys of its type (String ones every key but aws:PrincipalArn).
//
// Condition keys (names case-insensitive), each present only when the
// request has the value and, for the s3: keys, only for the actions AWS's
// "Actions, resources, and condition keys for Amazon S3" lists them for:
//   - aws:SecureTransport: the connection is TLS.
//   - aws:SourceIp: the TCP peer's address. The gateway trusts no
//     forwarding header, so behind a proxy or load balancer it is the
//     proxy's address.
//   - aws:CurrentTime, aws:EpochTime: the time of the check.
//   - aws:UserAgent, aws:Referer: the request headers, when sent.
//   - aws:username, aws:PrincipalType ("User"), aws:PrincipalArn
//     ("arn:aws:iam::<account>:user/<name>", any account matching, as in
//     Principal): for authenticated users only; anonymous requests carry
//     none of them.
//   - s3:prefix, s3:delimiter, s3:max-keys: the list parameters
//     (s3:ListBucket, s3:ListBucketVersions; the gateway folds
//     ListMultipartUploads into s3:ListBucket, so its parameters count).
//   - s3:x-amz-server-side-encryption, -aws-kms-key-id, s3:x-amz-copy-source,
//     s3:x-amz-metadata-directive: the headers (s3:PutObject, so PutObject,
//     CopyObject and every multipart step; a header only
//     CreateMultipartUpload sends is absent from UploadPart). POST uploads
//     give the SSE keys and s3:x-amz-acl ("acl") from their form fields.
//   - s3:x-amz-acl: the header (s3:PutObject and the ACL actions).
//   - s3:x-amz-content-sha256: the header, when sent.
//   - s3:signatureversion ("AWS" for V2, "AWS4-HMAC-SHA256"), s3:authType
//     (REST-HEADER, REST-QUERY-STRING, POST): signed requests only.
//   - s3:VersionId: the version named (s3:GetObjectVersion,
//     s3:DeleteObjectVersion and the other *Version actions), per entry
//     in DeleteObjects, the source's for a copy's source read.
//   - s3:ExistingObjectTag/<tag-key>: the checked object's tag of that key
//     (the tag key as written: tag keys are case-sensitive), of the
//     version named if any, the source's for a copy's source read; on the
//     reads, ACL and tagging actions, never on s3:PutObject or
//     s3:DeleteObject (S3 user guide, tagging-and-policies).
//
// Rejected with MalformedPolicy rather than ignored, since ignoring any of
// them would grant more than the author meant: NotAction, NotPrincipal,
// NotResource, policy variables ("${...}", in resources and condition
// values), principals other than AWS users ("Service", "CanonicalUser",
// account roots), unknown fields, and in conditions every other key
// (aws:SourceVpc, aws:SourceVpce, aws:PrincipalOrgID, aws:ResourceTag/...,
// s3:RequestObjectTag/..., s3:RequestObjectTagKeys, ...), the set
// operators ForAllValues: and ForAnyValue: (every key here has one value),
// an operator that cannot test its key and a value its operator cannot
// read (a bad CIDR, date or number).
//
// Public reports what AWS calls a public policy (Block Public Access): an
// Allow to "*" unless a condition fixes aws:SourceIp to ranges other than
// all addresses or s3:x-amz-server-side-encryption-aws-kms-key-id to a
// value.
//
// Evaluation follows AWS: an explicit Deny beats any Allow; without an
// Allow there is no opinion, and Authorize then denies everyone but the
// bucket owner. The S3 operations map onto actions through ActionFor; the
// gateway folds some finer AWS actions into coarser ones (see ActionFor).
package policy
