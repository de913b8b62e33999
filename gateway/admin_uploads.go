package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3err"
)

// uploadView is one multipart upload as the admin endpoint and the
// uploads command show it.
type uploadView struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	UploadID  string    `json:"upload_id"`
	Initiated time.Time `json:"initiated"`
	Owner     string    `json:"owner,omitempty"`
}

// listUploads returns the uploads in progress (of bucket, or of every
// bucket when it is empty), sorted by bucket, key and initiation.
func listUploads(ctx context.Context, mpu *multipart.Manager, bucket string) ([]uploadView, error) {
	// Idle with a cutoff in the future is every upload the tracker knows.
	all, err := mpu.Tracker().Idle(ctx, time.Now().Add(24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("list uploads: %w", err)
	}
	views := []uploadView{}
	for _, u := range all {
		if bucket != "" && u.Bucket != bucket {
			continue
		}
		views = append(views, uploadView{Bucket: u.Bucket, Key: u.Key, UploadID: u.ID, Initiated: u.Initiated, Owner: u.Owner})
	}
	sort.Slice(views, func(i, j int) bool {
		a, b := views[i], views[j]
		if a.Bucket != b.Bucket {
			return a.Bucket < b.Bucket
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Initiated.Before(b.Initiated)
	})
	return views, nil
}

// abortUpload aborts one upload, releasing its parts.
func abortUpload(ctx context.Context, mpu *multipart.Manager, bucket, key, id string) error {
	if err := mpu.Abort(ctx, bucket, key, id); err != nil {
		if errors.Is(err, s3err.NoSuchUpload) {
			return fmt.Errorf("no upload %s of %s/%s: %w", id, bucket, key, errNoSuchUpload)
		}
		return fmt.Errorf("abort upload %s: %w", id, err)
	}
	return nil
}

// errNoSuchUpload is what abortUpload reports for an unknown upload.
var errNoSuchUpload = errors.New("no such upload")

// uploadsAdmin serves /admin/uploads: GET lists (?bucket= filters),
// DELETE ?bucket=&key=&upload-id= aborts.
type uploadsAdmin struct {
	mpu *multipart.Manager
}

func (u *uploadsAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		views, err := listUploads(r.Context(), u.mpu, q.Get("bucket"))
		if err != nil {
			writeAdminError(w, http.StatusInternalServerError, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(views)
	case http.MethodDelete:
		bucket, key, id := q.Get("bucket"), q.Get("key"), q.Get("upload-id")
		if bucket == "" || key == "" || id == "" {
			writeAdminError(w, http.StatusBadRequest, errors.New("bucket, key and upload-id are required"))
			return
		}
		err := abortUpload(r.Context(), u.mpu, bucket, key, id)
		switch {
		case errors.Is(err, errNoSuchUpload):
			writeAdminError(w, http.StatusNotFound, err)
		case err != nil:
			writeAdminError(w, http.StatusInternalServerError, err)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

// adminError is the JSON body of a failed admin request.
type adminError struct {
	Error string `json:"error"`
}

func writeAdminError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(adminError{Error: err.Error()})
}
