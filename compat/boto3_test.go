package compat

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// boto3Scenario runs testdata/boto3_scenario.py, whose steps check their
// own results (ETags, bytes, listings) and report them line by line.
func boto3Scenario(t *testing.T, g *gateway) (string, []step, error) {
	python, err := lookTool("python3", "apt-get install python3")
	if err != nil {
		return "", nil, err
	}
	script, err := filepath.Abs("testdata/boto3_scenario.py")
	if err != nil {
		return "", nil, err
	}
	work := t.TempDir()
	env := sdkScriptEnv(g, work, "AWS_CA_BUNDLE")
	py := command{path: python, env: env, dir: work}
	version, err := py.run(script, "version")
	if err != nil {
		return "", nil, fmt.Errorf("boto3 is not importable by %s; install it with `pip install boto3`: %v", python, err)
	}
	steps := []step{{"write local files", func() error {
		if err := writeFile(filepath.Join(work, "small.bin"), randomBytes(21, 300*1024+1)); err != nil {
			return err
		}
		return writeFile(filepath.Join(work, "large.bin"), randomBytes(22, 20*mib+5))
	}}}
	names := []string{"create_bucket", "put", "get", "list_objects", "copy", "multipart", "delete"}
	steps = append(steps, scriptSteps(py, []string{script, work}, names)...)
	return strings.TrimSpace(version), steps, nil
}

// sdkScriptEnv is the environment of an SDK scenario script: the endpoint
// and keys of g, nothing of the user's AWS configuration, and over HTTPS
// g's CA in caVar (each SDK reads its own variable).
func sdkScriptEnv(g *gateway, work, caVar string) []string {
	env := append(cleanEnv(),
		"HOME="+work,
		"TERNGATE_COMPAT_ENDPOINT="+g.endpoint(),
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_CONFIG_FILE="+filepath.Join(work, "none"),
		"AWS_EC2_METADATA_DISABLED=true",
	)
	if g.tls() {
		env = append(env, caVar+"="+g.caFile)
	}
	return env
}
