// Package e2e holds the end-to-end tests of terngate: they build the real
// binary, start it on a temporary data dir and drive it over HTTP with the
// AWS CLI v1, boto3, aws-sdk-go-v2 and hand-signed requests.
//
// Run with: go test ./e2e/ (needs `aws` v1 and python3 with boto3 on PATH).
// Set TERNGATE_E2E_BINARY to test an already built binary instead.
//
// When a test fails, its gateway is stopped with SIGTERM (SIGKILL after a
// few seconds) so that it writes the log lines it holds in memory, and the
// log's tail is printed with the failure.
package e2e
