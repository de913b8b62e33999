// Package users holds the gateway's S3 identities: which access keys exist,
// the secret of each, and the user name each one authenticates as.
//
// Users come from a YAML file:
//
//	users:
//	  - name: alice
//	    access_key: AKIAALICE0001
//	    secret_key: correct-horse-battery-staple
//	  - name: ci
//	    access_key: AKIACI0000001
//	    # The secret is read from another file (trailing newlines removed),
//	    # e.g. a mounted Kubernetes Secret. A relative path is taken
//	    # relative to the users file's directory.
//	    secret_key_file: ci.secret
//
// Rules: every user has a name, an access key and exactly one of
// secret_key and secret_key_file; names use the IAM user name alphabet
// (letters, digits and +=,.@_-, at most 64 characters) because bucket
// policies name users in ARNs; access keys are at most 128 printable
// characters without spaces or '/' (SigV4 splits the credential scope on
// '/'); names and access keys are unique; secrets are at least 8 characters.
// A file with no users is rejected, so a truncated write cannot silently
// lock everyone out. Unknown keys are rejected so that a typo ("secret:")
// is an error rather than a user without a secret.
//
// Errors name the file, the line and the user, never a secret; the types
// that hold secrets redact them when printed or logged.
//
// Load reads the file once; Watch keeps a Live view that follows the file,
// and Static serves the single key pair configured on the command line.
package users
