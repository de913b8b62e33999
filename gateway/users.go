package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/terngate/terngate/auth/users"
)

// adminUser is the user name of the single key pair (configured or
// generated) and the owner of buckets that have no recorded owner.
const adminUser = "admin"

// usersPollInterval is how often the users file is checked for changes.
const usersPollInterval = 2 * time.Second

// userDirectory is what the gateway needs of its users: secrets for
// signature checks and names for ownership and policies.
type userDirectory interface {
	Secret(accessKey string) (string, bool)
	User(accessKey string) (string, bool)
}

// resolveUsers returns the users file's users, followed until ctx ends, or
// else the single key pair as user admin.
func resolveUsers(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) (dir userDirectory, keep func() error, err error) {
	if cfg.UsersFile != "" {
		live, err := users.Watch(ctx, cfg.UsersFile, usersPollInterval, logger)
		if err != nil {
			return nil, nil, fmt.Errorf("users file: %w", err)
		}
		logger.Info("users loaded", "users", live)
		return live, func() error { return nil }, nil
	}
	k, keep, err := resolveCredentials(cfg, stdout)
	if err != nil {
		return nil, nil, err
	}
	return users.Static(adminUser, k.AccessKey, k.SecretKey), keep, nil
}
