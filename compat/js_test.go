package compat

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jsScenario runs js/scenario.mjs (the AWS SDK for JavaScript v3 and
// lib-storage, installed by `npm ci` in compat/js), whose steps check their
// own results and report them line by line.
func jsScenario(t *testing.T, g *gateway) (string, []step, error) {
	node, err := lookTool("node", "apt-get install nodejs")
	if err != nil {
		return "", nil, err
	}
	dir, err := filepath.Abs("js")
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "lib-storage")); err != nil {
		return "", nil, fmt.Errorf("the AWS SDK for JavaScript is not installed; run `npm ci --prefix compat/js` (bash .ci/run does): %v", err)
	}
	work := t.TempDir()
	env := sdkScriptEnv(g, work, "NODE_EXTRA_CA_CERTS")
	script := command{path: node, env: env, dir: dir}
	version, err := script.run("scenario.mjs", "version")
	if err != nil {
		return "", nil, err
	}
	steps := []step{{"write local files", func() error {
		if err := writeFile(filepath.Join(work, "small.bin"), randomBytes(51, 64*1024+5)); err != nil {
			return err
		}
		return writeFile(filepath.Join(work, "large.bin"), randomBytes(52, 12*mib+3))
	}}}
	names := []string{"create_bucket", "put", "get", "list", "upload", "delete"}
	steps = append(steps, scriptSteps(script, []string{"scenario.mjs", work}, names)...)
	return strings.TrimSpace(version), steps, nil
}
