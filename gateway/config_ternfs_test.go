package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/terngate/terngate/store/objects"
)

func TestParseBucketMap(t *testing.T) {
	got, err := parseBucketMap(" photos=/data/photos , logs=/var/a=b/logs,")
	if err != nil {
		t.Fatal(err)
	}
	want := []objects.MappedBucket{
		{Name: "photos", Path: "/data/photos", Owner: adminUser},
		{Name: "logs", Path: "/var/a=b/logs", Owner: adminUser},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got, err := parseBucketMap(""); err != nil || len(got) != 0 {
		t.Fatalf("empty map: %+v %v", got, err)
	}
	for spec, wantErr := range map[string]string{
		"photos":                      "not name=/path",
		"Photos=/data":                "not a valid bucket name",
		"ab=/data":                    "not a valid bucket name",
		"photos=data/photos":          "must be absolute",
		"photos=":                     "must be absolute",
		"photos=/a,photos=/b":         "mapped twice",
		"photos=/a,bad_name=/b":       "not a valid bucket name",
		"xn--photos=/data":            "not a valid bucket name",
		"192.168.1.1=/data":           "not a valid bucket name",
		"photos=/data,=/orphan/value": "not a valid bucket name",
	} {
		if _, err := parseBucketMap(spec); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%q: %v, want an error about %q", spec, err, wantErr)
		}
	}
}

func TestTernFSSettingsAreValidated(t *testing.T) {
	ternfs := []string{"--store", "ternfs", "--ternfs-registry", "127.0.0.1:1", "--single-replica"}
	cfg, err := loadConfig(ternfs, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := cfg.snapshotRetention(); err != nil || d.String() != "1h0m0s" {
		t.Errorf("default retention: %v %v, want 1h", d, err)
	}
	cfg, err = loadConfig(ternfs, envOf(map[string]string{
		"TERNGATE_TERNFS_SNAPSHOT_RETENTION": "0",
		"TERNGATE_TERNFS_BUCKET_MAP":         "photos=/data/photos",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := cfg.snapshotRetention(); err != nil || d != 0 {
		t.Errorf("retention from the environment: %v %v, want 0", d, err)
	}
	if m, _ := parseBucketMap(cfg.TernFSBucketMap); len(m) != 1 || m[0].Path != "/data/photos" {
		t.Errorf("bucket map from the environment: %+v", m)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(ternfs, "--ternfs-snapshot-retention", "-1s"), "ternfs-snapshot-retention"},
		{append(ternfs, "--ternfs-snapshot-retention", "soon"), "ternfs-snapshot-retention"},
		{append(ternfs, "--ternfs-bucket-map", "photos=relative"), "must be absolute"},
		{[]string{"--ternfs-bucket-map", "photos=/data"}, "needs --store ternfs"},
	} {
		if _, err := loadConfig(tc.args, envOf(nil), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q", tc.args, err, tc.want)
		}
	}
}
