package storage

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names an S3-compatible bucket: AWS S3, Cloudflare R2, MinIO,
// versitygw, Ceph RGW…
type S3Config struct {
	// Endpoint is the service's base URL, e.g. https://s3.eu-west-1.amazonaws.com,
	// https://<account>.r2.cloudflarestorage.com or http://127.0.0.1:9000.
	Endpoint        string
	Bucket          string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses the bucket as endpoint/bucket/key instead of
	// bucket.endpoint/key (MinIO and most self-hosted services need it).
	PathStyle bool
}

// partSize is the size of one part of a multipart upload, and so what an
// upload of unknown length holds in memory at a time: S3's minimum.
const partSize = 5 << 20

// S3 keeps objects in one bucket of an S3-compatible service (STORAGE=s3),
// so every API instance sees the same files. Uploads stream as multipart
// uploads, one part in memory at a time; a failed upload is aborted, which
// leaves no object and no parts behind.
type S3 struct {
	c      *minio.Client
	bucket string
}

// NewS3 returns a Store on cfg's bucket. It makes no request.
func NewS3(cfg S3Config) (*S3, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("storage: S3 endpoint %q must be an http or https URL", cfg.Endpoint)
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    http.DefaultTransport,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: S3 client: %w", err)
	}
	return &S3{c: c, bucket: cfg.Bucket}, nil
}

// EnsureBucket makes the bucket when it doesn't exist (a fresh MinIO, the
// tests' server); with credentials that may not list buckets it does nothing.
func (s *S3) EnsureBucket(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("storage: checking bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	return s.c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{})
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, error) {
	if !ValidKey(key) {
		return 0, errBadKey
	}
	// Length -1: the length of a multipart form's file is unknown until it
	// has been read, so minio-go streams it in parts and aborts the upload
	// (deleting its parts) when r fails.
	info, err := s.c.PutObject(ctx, s.bucket, key, r, -1, minio.PutObjectOptions{
		ContentType: contentType, PartSize: partSize, DisableContentSha256: true,
	})
	if err != nil {
		return 0, err
	}
	return info.Size, nil
}

// Get implements Store.
func (s *S3) Get(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	o, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &s3Object{Object: o, size: st.Size, mod: st.LastModified}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return errBadKey
	}
	err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
		return nil
	}
	return err
}

type s3Object struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (o *s3Object) Size() int64        { return o.size }
func (o *s3Object) ModTime() time.Time { return o.mod }

// Keys lists the keys under prefix (for tests and maintenance).
func (s *S3) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, o.Err
		}
		keys = append(keys, o.Key)
	}
	return keys, nil
}

// PendingUploads counts the bucket's unfinished multipart uploads: after a
// failed upload it must be zero, or its parts would be kept (and billed).
func (s *S3) PendingUploads(ctx context.Context) (int, error) {
	core := minio.Core{Client: s.c}
	res, err := core.ListMultipartUploads(ctx, s.bucket, "", "", "", "", 1000)
	if err != nil {
		return 0, err
	}
	return len(res.Uploads), nil
}
