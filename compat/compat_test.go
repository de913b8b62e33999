package compat

import "testing"

// client is one S3 client of the table. prepare finds the client and its
// version and returns its scenario; an error means it is not installed.
type client struct {
	name string
	// overTLS runs the scenario against the HTTPS gateway too: these
	// clients choose a different integrity path there (trailing checksums,
	// UNSIGNED-PAYLOAD) than over plain HTTP.
	overTLS bool
	prepare func(t *testing.T, g *gateway) (version string, steps []step, err error)
}

var clients = []client{
	{name: "aws-cli v1", overTLS: true, prepare: awsCLIv1Scenario},
	// Debian's v2 (2.9.19) predates the CLI's default checksums: it sends
	// the same bodies over HTTP and HTTPS.
	{name: "aws-cli v2", prepare: awsCLIv2Scenario},
	{name: "boto3", overTLS: true, prepare: boto3Scenario},
	{name: "aws-sdk-go-v2", overTLS: true, prepare: sdkGoScenario},
	{name: "minio-go", overTLS: true, prepare: minioGoScenario},
	{name: "aws-sdk-js-v3", overTLS: true, prepare: jsScenario},
	{name: "restic", prepare: resticScenario},
	{name: "rclone", prepare: rcloneScenario},
	{name: "s3cmd", prepare: s3cmdScenario},
	{name: "hadoop-s3a pattern", prepare: s3aScenario},
}

// TestCompatibility runs every client against one plain-HTTP gateway and,
// where the transport matters, one HTTPS gateway; the table of results is
// printed when the suite ends.
func TestCompatibility(t *testing.T) {
	plain := startGateway(t, false)
	secure := startGateway(t, true)
	for _, c := range clients {
		gateways := []*gateway{plain}
		if c.overTLS {
			gateways = append(gateways, secure)
		}
		for _, g := range gateways {
			t.Run(c.name+"/"+g.transport(), func(t *testing.T) {
				version, steps, err := c.prepare(t, g)
				if err != nil {
					recordMissing(t, c.name, g.transport(), err)
					return
				}
				runSteps(t, outcome{client: c.name, version: version, transport: g.transport()}, steps)
			})
		}
	}
}
