package multipart

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Real Redis deployments for the tracker's tests: one node, a three-master
// Cluster and a master watched by a Sentinel. Every process runs in its own
// temp dir on free loopback ports and is killed when the test ends.

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// runRedisServer starts redis-server with args (plus no persistence and a
// private dir) and returns once it answers PING.
func runRedisServer(t *testing.T, port int, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir}, args...)
	cmd := exec.Command("redis-server", args...)
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logFile.Close() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitPing(t, addr, filepath.Join(dir, "server.log"))
	return addr
}

// waitPing waits until the server at addr answers, showing its log if not.
func waitPing(t *testing.T, addr, logPath string) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	for deadline := time.Now().Add(5 * time.Second); rdb.Ping(t.Context()).Err() != nil; {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("redis at %s did not start:\n%s", addr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	var lastErr error
	for deadline := time.Now().Add(timeout); ; time.Sleep(50 * time.Millisecond) {
		ok, err := cond()
		if ok {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last error: %v)", what, lastErr)
		}
	}
}

// startSingleRedis returns the URL of a one-node Redis.
func startSingleRedis(t *testing.T) string {
	return "redis://" + runRedisServer(t, freePort(t))
}

// startRedisCluster starts three masters, joins them with redis-cli
// --cluster create and returns the redis+cluster URL seeding all three.
func startRedisCluster(t *testing.T) string {
	t.Helper()
	addrs := make([]string, 3)
	for i := range addrs {
		dir := t.TempDir()
		// The bus port is chosen explicitly: the default port+10000 may be
		// taken or out of range for an ephemeral port.
		addrs[i] = runRedisServer(t, freePort(t),
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-port", strconv.Itoa(freePort(t)),
			"--cluster-node-timeout", "2000")
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(t.Context(), "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range addrs {
		node := redis.NewClient(&redis.Options{Addr: addr})
		waitFor(t, 15*time.Second, "cluster_state:ok on "+addr, func() (bool, error) {
			info, err := node.ClusterInfo(t.Context()).Result()
			return strings.Contains(info, "cluster_state:ok"), err
		})
		node.Close()
	}
	return "redis+cluster://" + strings.Join(addrs, ",")
}

// sentinelSetup is a master, optionally a replica, and one Sentinel
// watching them as "mymaster".
type sentinelSetup struct {
	url      string // redis+sentinel://sentinel/mymaster
	master   string
	replica  string // empty without a replica
	sentinel *redis.SentinelClient
}

const sentinelMaster = "mymaster"

func startRedisSentinel(t *testing.T, withReplica bool) *sentinelSetup {
	t.Helper()
	// The master serves a replica's first sync at once, not after the
	// default five seconds spent waiting for more replicas to share it.
	s := &sentinelSetup{master: runRedisServer(t, freePort(t), "--repl-diskless-sync-delay", "0")}
	masterHost, masterPort, _ := net.SplitHostPort(s.master)
	if withReplica {
		s.replica = runRedisServer(t, freePort(t), "--replicaof", masterHost, masterPort)
		// In sync before the Sentinel starts, so its first look at the
		// replica finds the link up instead of ten seconds later.
		replica := redis.NewClient(&redis.Options{Addr: s.replica})
		waitFor(t, 10*time.Second, "the replica's first sync", func() (bool, error) {
			info, err := replica.Info(t.Context(), "replication").Result()
			return strings.Contains(info, "master_link_status:up"), err
		})
		replica.Close()
	}
	// Sentinel rewrites its configuration file, so it gets its own.
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	port := freePort(t)
	body := fmt.Sprintf(`port %d
bind 127.0.0.1
dir %s
sentinel monitor %s %s %s 1
sentinel down-after-milliseconds %s 1000
sentinel failover-timeout %s 5000
`, port, dir, sentinelMaster, masterHost, masterPort, sentinelMaster, sentinelMaster)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("redis-server", conf, "--sentinel")
	logPath := filepath.Join(dir, "sentinel.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logFile.Close() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitPing(t, addr, logPath)
	s.sentinel = redis.NewSentinelClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { s.sentinel.Close() })
	s.url = "redis+sentinel://" + addr + "/" + sentinelMaster
	if withReplica {
		// A failover needs the Sentinel to know a replica in sync.
		waitFor(t, 15*time.Second, "the sentinel to see the replica", func() (bool, error) {
			replicas, err := s.sentinel.Replicas(t.Context(), sentinelMaster).Result()
			for _, r := range replicas {
				if r["ip"]+":"+r["port"] == s.replica && r["flags"] == "slave" && r["master-link-status"] == "ok" {
					return true, nil
				}
			}
			return false, err
		})
	}
	return s
}

// failover makes the Sentinel promote the replica, waits until it
// announces it as the master, and demotes the old master. Until demoted the
// old master still takes writes, which its demotion discards: Sentinel
// replication is asynchronous, and that window is its documented loss. The
// Sentinel would demote it too, but only at its next look, up to ten
// seconds later; the test does it at once, as an operator would.
func (s *sentinelSetup) failover(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	if err := s.sentinel.Failover(ctx, sentinelMaster).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	waitFor(t, 15*time.Second, "the replica's promotion", func() (bool, error) {
		addr, err := s.sentinel.GetMasterAddrByName(ctx, sentinelMaster).Result()
		return err == nil && len(addr) == 2 && addr[0]+":"+addr[1] == s.replica, err
	})
	oldMaster := redis.NewClient(&redis.Options{Addr: s.master})
	defer oldMaster.Close()
	newHost, newPort, _ := net.SplitHostPort(s.replica)
	if err := oldMaster.SlaveOf(ctx, newHost, newPort).Err(); err != nil {
		t.Fatalf("demote the old master: %v", err)
	}
	s.master, s.replica = s.replica, s.master
}
