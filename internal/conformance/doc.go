// Package conformance holds no code: its test keeps docs/conformance.md,
// the index of issue 13's S3 rules, honest. Every test the index names must
// exist in the named package, and must cite in its own comment or body the
// source the index gives for the rule.
package conformance
