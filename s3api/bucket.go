package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/terngate/terngate/internal/strictxml"
	"github.com/terngate/terngate/multipart"
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

type listAllMyBucketsResult struct {
	XMLName           xml.Name      `xml:"ListAllMyBucketsResult"`
	Xmlns             string        `xml:"xmlns,attr"`
	Owner             owner         `xml:"Owner"`
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	Prefix            string        `xml:"Prefix,omitempty"`
	ContinuationToken string        `xml:"ContinuationToken,omitempty"`
}

// listBuckets lists every bucket (GET /), honouring prefix, max-buckets,
// continuation-token and bucket-region.
func (s *server) listBuckets(r *request) error {
	maxBuckets := 0
	if r.hasParam("max-buckets") {
		n, err := strconv.Atoi(r.param("max-buckets"))
		if err != nil || n < 1 || n > 10000 {
			return s3err.InvalidArgument.With("max-buckets must be an integer between 1 and 10000.")
		}
		maxBuckets = n
	}
	after := ""
	if r.hasParam("continuation-token") {
		name, err := decodeToken(r.param("continuation-token"))
		if err != nil {
			return err
		}
		after = name
	}
	prefix := r.param("prefix")
	// Every bucket here is in the gateway's one Region, so bucket-region
	// naming another leaves none to list (API_ListBuckets: it "limits the
	// response to buckets that are located in the specified" Region).
	region := r.param("bucket-region")
	otherRegion := region != "" && region != s.cfg.Region

	buckets, err := s.layer.ListBuckets(r.ctx)
	if err != nil {
		return err
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].Name < buckets[j].Name })

	res := listAllMyBucketsResult{
		Xmlns:   s3Namespace,
		Owner:   owner{ID: r.owner(), DisplayName: r.owner()},
		Buckets: []bucketEntry{},
		Prefix:  prefix,
	}
	for _, b := range buckets {
		if s.ownerName(b.Owner) != r.principal || otherRegion {
			continue // each user sees only their own buckets, all in s.cfg.Region
		}
		if !strings.HasPrefix(b.Name, prefix) || b.Name <= after {
			continue
		}
		if maxBuckets > 0 && len(res.Buckets) == maxBuckets {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		entry := bucketEntry{Name: b.Name, CreationDate: isoTime(b.CreationTime)}
		if maxBuckets > 0 {
			entry.BucketRegion = s.cfg.Region
		}
		res.Buckets = append(res.Buckets, entry)
	}
	s.writeXML(r, res)
	return nil
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
	// Tags is the new bucket's tag set (API_CreateBucket).
	Tags []xmlTag `xml:"Tags>Tag"`
	// Location and Bucket describe a directory bucket, which "is only
	// supported by directory buckets" (API_CreateBucketConfiguration);
	// terngate has none, so either is refused, never ignored.
	Location *strictxml.Unchecked `xml:"Location"`
	Bucket   *strictxml.Unchecked `xml:"Bucket"`
}

// createBucket creates the bucket (PUT /bucket). An optional
// CreateBucketConfiguration may only name this gateway's region.
func (s *server) createBucket(r *request) error {
	if err := checkCannedACL(r); err != nil {
		return err
	}
	data, err := s.readOptionalDocument(r)
	if err != nil {
		return err
	}
	var tags []objects.Tag
	if len(strings.TrimSpace(string(data))) > 0 {
		var cfg createBucketConfiguration
		if err := decodeXML(data, &cfg); err != nil {
			return err
		}
		if lc := cfg.LocationConstraint; lc != "" && lc != s.cfg.Region {
			return s3err.InvalidLocationConstraint.With(
				"The specified location-constraint %q is not valid: this endpoint serves %s.", lc, s.cfg.Region)
		}
		if cfg.Location != nil || cfg.Bucket != nil {
			return s3err.NotImplemented
		}
		if tags, err = tagsOfXML(cfg.Tags, bucketTagRules); err != nil {
			return err
		}
	}
	withLock := strings.EqualFold(strings.TrimSpace(r.header("x-amz-bucket-object-lock-enabled")), "true")
	if withLock {
		if err := s.layer.CheckObjectLockSupported(); err != nil {
			return err
		}
	}
	if err := s.layer.CreateBucket(r.ctx, r.bucket, r.owner()); err != nil {
		return err
	}
	if withLock {
		if err := s.enableObjectLock(r); err != nil {
			return err
		}
	}
	if len(tags) > 0 {
		if err := s.setBucketTags(r, tags); err != nil {
			return err
		}
	}
	r.setHeader("Location", "/"+r.bucket)
	r.c.Status(http.StatusOK)
	return nil
}

func (s *server) headBucket(r *request) error {
	if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
		return err
	}
	r.setHeader("x-amz-bucket-region", s.cfg.Region)
	r.c.Status(http.StatusOK)
	return nil
}

// deleteBucket deletes a bucket without keys. Uploads in flight do not keep
// it (as on S3): they are listed first and aborted once the bucket is gone,
// so a refused delete leaves them alone.
func (s *server) deleteBucket(r *request) error {
	var inFlight []multipart.IndexEntry
	if m := s.cfg.Multipart; m != nil {
		var err error
		if inFlight, err = m.BucketUploads(r.ctx, r.bucket); err != nil {
			return err
		}
	}
	if err := s.layer.DeleteBucket(r.ctx, r.bucket); err != nil {
		return err
	}
	if m := s.cfg.Multipart; m != nil {
		m.AbortUploads(r.ctx, r.bucket, inFlight)
	}
	r.c.Status(http.StatusNoContent)
	return nil
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// getBucketLocation answers ?location; us-east-1 is the empty constraint.
func (s *server) getBucketLocation(r *request) error {
	if _, err := s.layer.HeadBucket(r.ctx, r.bucket); err != nil {
		return err
	}
	region := s.cfg.Region
	if region == defaultRegion {
		region = ""
	}
	s.writeXML(r, locationConstraint{Xmlns: s3Namespace, Region: region})
	return nil
}

// encodeToken makes an opaque, stable continuation token from a position.
func encodeToken(pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("tg1:" + pos))
}

func decodeToken(token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	pos, ok := strings.CutPrefix(string(raw), "tg1:")
	if err != nil || !ok {
		// S3 names the argument but does not echo it
		// (versity/versitygw#993, aws/aws-sdk-js-v3#1636 record S3's).
		return "", s3err.InvalidArgument.With("The continuation token provided is incorrect").ForArgumentName("continuation-token")
	}
	return pos, nil
}
