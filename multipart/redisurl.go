package multipart

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// RedisOptions turns a --redis-url into client options. Accepted forms:
//
//	redis://[user:pass@]host:port[/db]         one node
//	rediss://...                               one node over TLS
//	redis+sentinel://[user:pass@]h:p,h:p/master[?db=N]
//	                                           Sentinel: the sentinels and the master's name
//	redis+cluster://[user:pass@]h:p,h:p        Cluster: seed nodes
//
// The +sentinel and +cluster schemes also come as rediss+... for TLS.
// Cluster mode needs every key of one upload in one hash slot, which the key
// layout guarantees ({uploadID} hash tags).
func RedisOptions(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("multipart: redis url: %w", err)
	}
	base, mode, _ := strings.Cut(u.Scheme, "+")
	if base != "redis" && base != "rediss" {
		return nil, fmt.Errorf("multipart: redis url: unsupported scheme %q", u.Scheme)
	}
	if mode == "" {
		o, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("multipart: redis url: %w", err)
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password,
			DB: o.DB, TLSConfig: o.TLSConfig,
		}, nil
	}
	addrs := strings.Split(u.Host, ",")
	for _, a := range addrs {
		if a == "" || !strings.Contains(a, ":") {
			return nil, fmt.Errorf("multipart: redis url: address %q needs host:port", a)
		}
	}
	opts := &redis.UniversalOptions{Addrs: addrs}
	if u.User != nil {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	if base == "rediss" {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	switch mode {
	case "sentinel":
		opts.MasterName = strings.Trim(u.Path, "/")
		if opts.MasterName == "" {
			return nil, fmt.Errorf("multipart: redis url: sentinel form needs /mastername")
		}
		// The credentials are the master's; sentinels usually need none.
		if db := u.Query().Get("db"); db != "" {
			if opts.DB, err = strconv.Atoi(db); err != nil {
				return nil, fmt.Errorf("multipart: redis url: db %q: %w", db, err)
			}
		}
	case "cluster":
		opts.IsClusterMode = true
		if p := strings.Trim(u.Path, "/"); p != "" {
			return nil, fmt.Errorf("multipart: redis url: cluster form takes no database (%q)", p)
		}
	default:
		return nil, fmt.Errorf("multipart: redis url: unsupported scheme %q", u.Scheme)
	}
	return opts, nil
}
