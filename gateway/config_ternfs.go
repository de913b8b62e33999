package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/terngate/terngate/store/objects"
)

// parseBucketMap reads --ternfs-bucket-map, "name=/path[,name=/path...]":
// buckets served from existing TernFS directories (absolute cluster paths,
// outside --ternfs-root). A path runs from the first '=' to the next ',',
// so it may hold '=' but not ','. Mapped buckets belong to the admin user
// (the owner of every bucket without a recorded one) unless the directory
// already holds a bucket record naming another owner.
func parseBucketMap(spec string) ([]objects.MappedBucket, error) {
	var out []objects.MappedBucket
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, path, ok := strings.Cut(item, "=")
		name, path = strings.TrimSpace(name), strings.TrimSpace(path)
		switch {
		case !ok:
			return nil, fmt.Errorf("ternfs-bucket-map: %q is not name=/path", item)
		case !objects.ValidBucketName(name):
			return nil, fmt.Errorf("ternfs-bucket-map: %q is not a valid bucket name", name)
		case seen[name]:
			return nil, fmt.Errorf("ternfs-bucket-map: bucket %q is mapped twice", name)
		case !strings.HasPrefix(path, "/"):
			return nil, fmt.Errorf("ternfs-bucket-map: %s=%s: the path must be absolute (from the cluster's root)", name, path)
		}
		seen[name] = true
		out = append(out, objects.MappedBucket{Name: name, Path: path, Owner: adminUser})
	}
	return out, nil
}

// snapshotRetention reads --ternfs-snapshot-retention: a duration of at
// least 0, set as the SNAPSHOT policy of the bucket root.
func (c Config) snapshotRetention() (time.Duration, error) {
	d, err := time.ParseDuration(c.TernFSSnapshotRetention)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("ternfs-snapshot-retention must be a duration of at least 0, got %q", c.TernFSSnapshotRetention)
	}
	return d, nil
}
