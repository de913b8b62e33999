package users

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terngate/terngate/internal/syncbuf"
)

const pollInterval = 10 * time.Millisecond

func newLogger() (*slog.Logger, *syncbuf.Buffer) {
	var out syncbuf.Buffer
	return slog.New(slog.NewTextHandler(&out, nil)), &out
}

// replaceFile writes content next to path and renames it over path, the way
// editors and config management save.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond for up to a second: many poll intervals.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(pollInterval / 2)
	}
}

func watch(t *testing.T, path string, logger *slog.Logger) *Live {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	live, err := Watch(ctx, path, pollInterval, logger)
	if err != nil {
		t.Fatal(err)
	}
	return live
}

func TestWatchReloadsOnChange(t *testing.T) {
	path := writeFile(t, t.TempDir(), "users.yaml", twoUsers)
	logger, logs := newLogger()
	live := watch(t, path, logger)
	if name, ok := live.User("AKALICE"); !ok || name != "alice" {
		t.Fatalf("User(AKALICE) = %q, %v", name, ok)
	}

	replaceFile(t, path, "users:\n  - name: carol\n    access_key: AKCAROL\n    secret_key: carol-secret-3\n")
	eventually(t, "the new users", func() bool {
		s, ok := live.Secret("AKCAROL")
		return ok && s == "carol-secret-3"
	})
	if _, ok := live.Secret("AKALICE"); ok {
		t.Error("a removed user still authenticates")
	}
	if !strings.Contains(logs.String(), "users file loaded") {
		t.Errorf("reload not logged: %s", logs)
	}
}

func TestWatchKeepsOldSetOnInvalidReload(t *testing.T) {
	path := writeFile(t, t.TempDir(), "users.yaml", twoUsers)
	logger, logs := newLogger()
	live := watch(t, path, logger)

	const leaked = "leaked-secret-77"
	replaceFile(t, path, twoUsers+"  - name: alice\n    access_key: AKDUP\n    secret_key: "+leaked+"\n")
	eventually(t, "the rejection to be logged", func() bool {
		return strings.Contains(logs.String(), "users file rejected")
	})
	if s, ok := live.Secret("AKALICE"); !ok || s != "alice-secret-1" {
		t.Errorf("old set lost: Secret(AKALICE) = %q, %v", s, ok)
	}
	if _, ok := live.Secret("AKDUP"); ok {
		t.Error("the invalid version was applied")
	}
	out := logs.String()
	if !strings.Contains(out, "name already used") {
		t.Errorf("log does not say why: %s", out)
	}
	for _, s := range []string{leaked, "alice-secret-1", "bob-secret-22"} {
		if strings.Contains(out, s) {
			t.Errorf("log reveals a secret: %s", out)
		}
	}
	// The bad version is reported once, not at every poll.
	time.Sleep(10 * pollInterval)
	if n := strings.Count(logs.String(), "users file rejected"); n != 1 {
		t.Errorf("rejection logged %d times, want 1", n)
	}

	// A fixed file is picked up again.
	replaceFile(t, path, twoUsers+"  - name: dan\n    access_key: AKDAN\n    secret_key: dan-secret-5\n")
	eventually(t, "the fixed file", func() bool {
		_, ok := live.User("AKDAN")
		return ok
	})
}

func TestWatchSurvivesMissingFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "users.yaml", twoUsers)
	logger, logs := newLogger()
	live := watch(t, path, logger)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the rejection to be logged", func() bool {
		return strings.Contains(logs.String(), "users file rejected")
	})
	if _, ok := live.User("AKBOB"); !ok {
		t.Error("old set lost when the file disappeared")
	}
	writeFile(t, filepath.Dir(path), "users.yaml", "users:\n  - name: carol\n    access_key: AKCAROL\n    secret_key: carol-secret-3\n")
	eventually(t, "the recreated file", func() bool {
		_, ok := live.User("AKCAROL")
		return ok
	})
}

// A Kubernetes Secret volume exposes users.yaml -> ..data/users.yaml with
// ..data a symlink that is swapped atomically to a new directory.
func TestWatchFollowsSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []struct{ name, content string }{
		{"v1", twoUsers},
		{"v2", "users:\n  - name: carol\n    access_key: AKCAROL\n    secret_key: carol-secret-3\n"},
	} {
		if err := os.Mkdir(filepath.Join(dir, v.name), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, v.name), "users.yaml", v.content)
	}
	if err := os.Symlink("v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "users.yaml")
	if err := os.Symlink(filepath.Join("..data", "users.yaml"), path); err != nil {
		t.Fatal(err)
	}
	live := watch(t, path, nil)
	if _, ok := live.User("AKALICE"); !ok {
		t.Fatal("initial version not loaded")
	}
	if err := os.Symlink("v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the swapped version", func() bool {
		_, ok := live.User("AKCAROL")
		return ok
	})
}

func TestWatchFollowsSecretFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ci.secret", "first-secret-1\n")
	path := writeFile(t, dir, "users.yaml", "users:\n  - name: ci\n    access_key: AKCI\n    secret_key_file: ci.secret\n")
	live := watch(t, path, nil)
	replaceFile(t, filepath.Join(dir, "ci.secret"), "second-secret-2\n")
	eventually(t, "the rotated secret", func() bool {
		s, _ := live.Secret("AKCI")
		return s == "second-secret-2"
	})
}

func TestWatchRejectsInvalidInitialFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "users.yaml", "users: []\n")
	if _, err := Watch(context.Background(), path, pollInterval, nil); err == nil {
		t.Fatal("Watch accepted a file with no users")
	}
}

func TestReloadOnDemand(t *testing.T) {
	path := writeFile(t, t.TempDir(), "users.yaml", twoUsers)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no polling: only Reload can pick the change up
	live, err := Watch(ctx, path, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	replaceFile(t, path, "users: []\n")
	if err := live.Reload(); err == nil {
		t.Error("Reload accepted an invalid file")
	}
	if _, ok := live.User("AKALICE"); !ok {
		t.Error("failed Reload dropped the old set")
	}
	replaceFile(t, path, "users:\n  - name: carol\n    access_key: AKCAROL\n    secret_key: carol-secret-3\n")
	if err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := live.User("AKCAROL"); !ok {
		t.Error("Reload did not apply the new file")
	}
}
