package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/terngate/terngate/internal/dirlock"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/store/local"
	"github.com/terngate/terngate/store/objects"
)

// adminClientTimeout bounds one request of the uploads command to the
// running gateway.
const adminClientTimeout = 30 * time.Second

// uploadsCommand is `terngate uploads list|abort`.
type uploadsCommand struct {
	action              string
	bucket, key, upload string
}

// runUploads lists or aborts multipart uploads: through the running
// gateway's admin listener when one answers, otherwise directly on the
// data dir and tracker (which needs no gateway to be running on them).
func runUploads(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "abort") {
		return errors.New("usage: terngate uploads list [--bucket B] | terngate uploads abort --bucket B --key K --upload-id ID (see terngate --help)")
	}
	cmd := uploadsCommand{action: args[0]}
	cfg, err := loadConfigWith(args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&cmd.bucket, "bucket", "", "uploads: the bucket (list: only this bucket's uploads)")
		if cmd.action == "abort" {
			fs.StringVar(&cmd.key, "key", "", "uploads abort: the upload's key")
			fs.StringVar(&cmd.upload, "upload-id", "", "uploads abort: the upload's ID")
		}
	})
	if err != nil {
		return err
	}
	if cmd.action == "abort" && (cmd.bucket == "" || cmd.key == "" || cmd.upload == "") {
		return errors.New("uploads abort needs --bucket, --key and --upload-id")
	}
	var adminErr error
	if cfg.AdminListen != "" {
		base, err := adminBaseURL(cfg.AdminListen)
		if err != nil {
			return err
		}
		err = cmd.viaAdmin(ctx, base, stdout)
		if !isUnreachable(err) {
			return err
		}
		adminErr = fmt.Errorf("no gateway answers on the admin listener %s: %w", base, err)
	} else {
		adminErr = errors.New("the admin listener is disabled (--admin-listen is empty)")
	}
	return cmd.direct(ctx, cfg, stdout, adminErr)
}

// adminBaseURL is where this host reaches an admin listener bound to
// listen: a wildcard address is reached on loopback.
func adminBaseURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("admin-listen %q: %w", listen, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || (ip != nil && ip.IsUnspecified() && ip.To4() != nil):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// isUnreachable reports whether err means nothing listens (so no gateway
// runs there), as opposed to a gateway that answered with an error.
func isUnreachable(err error) bool {
	var opErr *net.OpError
	return err != nil && errors.As(err, &opErr) && opErr.Op == "dial"
}

// viaAdmin asks the running gateway at base.
func (c uploadsCommand) viaAdmin(ctx context.Context, base string, stdout io.Writer) error {
	q := url.Values{}
	if c.bucket != "" {
		q.Set("bucket", c.bucket)
	}
	method := http.MethodGet
	if c.action == "abort" {
		method = http.MethodDelete
		q.Set("key", c.key)
		q.Set("upload-id", c.upload)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/admin/uploads?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: adminClientTimeout}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e adminError
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = string(body)
		}
		return fmt.Errorf("gateway at %s: %s: %s", base, resp.Status, e.Error)
	}
	if c.action == "abort" {
		fmt.Fprintf(stdout, "aborted upload %s of %s/%s\n", c.upload, c.bucket, c.key)
		return nil
	}
	var views []uploadView
	if err := json.NewDecoder(resp.Body).Decode(&views); err != nil {
		return fmt.Errorf("gateway at %s: reading the list: %w", base, err)
	}
	return printUploads(stdout, views)
}

// direct opens the store and tracker itself: possible only while no
// gateway runs on the data dir.
func (c uploadsCommand) direct(ctx context.Context, cfg Config, stdout io.Writer, adminErr error) error {
	lock, err := dirlock.Acquire(cfg.DataDir)
	if errors.Is(err, dirlock.ErrInUse) {
		return fmt.Errorf("%w, and %v: enable or fix --admin-listen on that gateway, or stop it", err, adminErr)
	}
	if err != nil {
		return err
	}
	st, err := local.Open(cfg.DataDir, local.Options{Lock: lock})
	if err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	defer st.Close()
	layer, err := objects.New(ctx, st, st.Root(), objects.Options{})
	if err != nil {
		return fmt.Errorf("object layer: %w", err)
	}
	var tracker multipart.Tracker
	if cfg.RedisURL != "" {
		tracker, err = multipart.OpenRedis(ctx, cfg.RedisURL)
	} else {
		tracker, err = multipart.OpenEmbedded(cfg.DataDir)
	}
	if err != nil {
		return err
	}
	defer tracker.Close()
	mpu := multipart.NewManager(st, layer, tracker, multipart.Options{})
	if c.action == "abort" {
		if err := abortUpload(ctx, mpu, c.bucket, c.key, c.upload); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "aborted upload %s of %s/%s\n", c.upload, c.bucket, c.key)
		return nil
	}
	views, err := listUploads(ctx, mpu, c.bucket)
	if err != nil {
		return err
	}
	return printUploads(stdout, views)
}

func printUploads(w io.Writer, views []uploadView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BUCKET\tKEY\tUPLOAD ID\tINITIATED\tOWNER")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Bucket, v.Key, v.UploadID, v.Initiated.UTC().Format(time.RFC3339), v.Owner)
	}
	return tw.Flush()
}
