package main

import (
	"github.com/terngate/terngate/sse"
)

// loadMasterKeys reads the SSE-S3 master key ring: --sse-master-key-file
// (a Kubernetes Secret mounted as a file, or any file) or --sse-master-key
// (one "<id>:<base64>" key, best given as TERNGATE_SSE_MASTER_KEY: flags
// show in process lists). Neither: nil, and SSE-S3 stays refused. Errors
// name the source, never the key.
func loadMasterKeys(cfg Config) (*sse.KeyRing, error) {
	if cfg.SSEMasterKeyFile == "" && cfg.SSEMasterKey == "" {
		return nil, nil
	}
	return loadKeyRing("sse-master-key-file", cfg.SSEMasterKeyFile, "sse-master-key", cfg.SSEMasterKey)
}
