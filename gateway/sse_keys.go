package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/terngate/terngate/sse"
)

// loadMasterKeys reads the SSE-S3 master key ring: --sse-master-key-file
// (a Kubernetes Secret mounted as a file, or any file) or --sse-master-key
// (one "<id>:<base64>" key, best given as TERNGATE_SSE_MASTER_KEY: flags
// show in process lists). Neither: nil, and SSE-S3 stays refused. Errors
// name the source, never the key.
func loadMasterKeys(cfg Config) (*sse.KeyRing, error) {
	switch {
	case cfg.SSEMasterKeyFile != "" && cfg.SSEMasterKey != "":
		return nil, errors.New("sse-master-key-file and sse-master-key: give one or the other")
	case cfg.SSEMasterKeyFile != "":
		data, err := os.ReadFile(cfg.SSEMasterKeyFile)
		if err != nil {
			return nil, fmt.Errorf("sse-master-key-file: %w", err)
		}
		defer clear(data)
		ring, err := sse.ParseKeyRing(data)
		if err != nil {
			return nil, fmt.Errorf("sse-master-key-file %s: %w", cfg.SSEMasterKeyFile, err)
		}
		return ring, nil
	case cfg.SSEMasterKey != "":
		ring, err := sse.ParseKeyRing([]byte(cfg.SSEMasterKey))
		if err != nil {
			return nil, fmt.Errorf("sse-master-key: %w", err)
		}
		return ring, nil
	}
	return nil, nil
}
