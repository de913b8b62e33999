package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/terngate/terngate/kms"
	"github.com/terngate/terngate/sse"
)

// ringAccount is the account in the static ring's key ARNs: the gateway
// has no AWS account, and clients only echo the ARN.
const ringAccount = "000000000000"

// loadKMS sets up SSE-KMS's provider: the external KMS when
// --kms-default-key or --kms-endpoint is given, else the static ring of
// --kms-key-file or --kms-key, else none (aws:kms stays refused). Errors
// name the source, never a key.
func loadKMS(cfg Config, logger *slog.Logger) (kms.Provider, error) {
	external := cfg.KMSEndpoint != "" || cfg.KMSDefaultKey != ""
	ring := cfg.KMSKeyFile != "" || cfg.KMSKey != ""
	switch {
	case external && ring:
		return nil, errors.New("kms: give a static key ring (--kms-key-file, --kms-key) or an external KMS (--kms-endpoint, --kms-default-key), not both")
	case external:
		if cfg.KMSDefaultKey == "" {
			return nil, errors.New("kms-endpoint needs --kms-default-key, the key of requests that name none")
		}
		region := cfg.KMSRegion
		if region == "" {
			region = cfg.Region
		}
		remote, err := kms.NewRemote(kms.RemoteConfig{
			Endpoint: cfg.KMSEndpoint, Region: region,
			AccessKey: cfg.KMSAccessKey, SecretKey: cfg.KMSSecretKey,
			DefaultKey: cfg.KMSDefaultKey,
		})
		if err != nil {
			return nil, err
		}
		logger.Info("SSE-KMS enabled with an external KMS", "endpoint", cfg.KMSEndpoint, "region", region, "default_key", cfg.KMSDefaultKey)
		return remote, nil
	case ring:
		keys, err := loadKeyRing("kms-key-file", cfg.KMSKeyFile, "kms-key", cfg.KMSKey)
		if err != nil {
			return nil, err
		}
		r := kms.NewRing(keys, cfg.Region, ringAccount)
		logger.Info("SSE-KMS enabled with the static key ring", "keys", r.ARNs())
		return r, nil
	}
	return nil, nil
}

// loadKeyRing reads a key ring from a file or from one inline key.
func loadKeyRing(fileFlag, file, keyFlag, key string) (*sse.KeyRing, error) {
	switch {
	case file != "" && key != "":
		return nil, fmt.Errorf("%s and %s: give one or the other", fileFlag, keyFlag)
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fileFlag, err)
		}
		defer clear(data)
		ring, err := sse.ParseKeyRing(data)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", fileFlag, file, err)
		}
		return ring, nil
	}
	ring, err := sse.ParseKeyRing([]byte(key))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFlag, err)
	}
	return ring, nil
}
