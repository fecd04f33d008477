package config

import (
	"strings"
	"testing"
	"time"
)

func TestFilesDefaults(t *testing.T) {
	c, err := Load(minimal().get, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage != "local" || c.StorageDir != "data/uploads" || c.UploadMaxBytes != 20<<20 || c.LogoMaxBytes != 2<<20 ||
		c.SignedURLTTL != time.Hour || c.UploadTimeout != 10*time.Minute {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFilesSettings(t *testing.T) {
	s3 := []string{"STORAGE", "s3", "S3_ENDPOINT", "https://acc.r2.cloudflarestorage.com", "S3_BUCKET", "notes",
		"S3_ACCESS_KEY_ID", "k", "S3_SECRET_ACCESS_KEY", "s"}
	for _, c := range []struct {
		name    string
		env     []string
		wantErr string // the variable the error names; "" = accepted
		check   func(*Config) bool
	}{
		{"sizes in bytes", []string{"UPLOAD_MAX_BYTES", "1048576"}, "", func(c *Config) bool { return c.UploadMaxBytes == 1<<20 }},
		{"sizes with a unit", []string{"UPLOAD_MAX_BYTES", "50MiB", "LOGO_MAX_BYTES", "512 KiB"}, "", func(c *Config) bool {
			return c.UploadMaxBytes == 50<<20 && c.LogoMaxBytes == 512<<10
		}},
		{"a size that is no number", []string{"UPLOAD_MAX_BYTES", "big"}, "UPLOAD_MAX_BYTES", nil},
		{"a size under 1 KiB", []string{"LOGO_MAX_BYTES", "10"}, "LOGO_MAX_BYTES", nil},
		{"an unknown store", []string{"STORAGE", "ftp"}, "STORAGE", nil},
		{"s3 complete", append(s3, "S3_FORCE_PATH_STYLE", "true"), "", func(c *Config) bool {
			return c.Storage == "s3" && c.S3.Bucket == "notes" && c.S3.PathStyle && c.S3.Region == "us-east-1"
		}},
		{"s3 without a bucket", append(s3, "S3_BUCKET", ""), "S3_BUCKET", nil},
		{"s3 without a secret", append(s3, "S3_SECRET_ACCESS_KEY", ""), "S3_SECRET_ACCESS_KEY", nil},
		{"s3 endpoint not a URL", append(s3, "S3_ENDPOINT", "r2.example.com"), "S3_ENDPOINT", nil},
		{"S3 settings unused by local", []string{"S3_ENDPOINT", "nonsense"}, "", nil},
		{"frontend URL not a URL", []string{"FRONTEND_URL", "teachtrack.example"}, "FRONTEND_URL", nil},
		{"signed URLs of seconds", []string{"SIGNED_URL_TTL", "10s"}, "SIGNED_URL_TTL", nil},
	} {
		cfg, err := Load(minimal().with(c.env...).get, "")
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), c.wantErr+" ")):
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.wantErr)
		case err == nil && c.check != nil && !c.check(cfg):
			t.Errorf("%s: got %+v %+v", c.name, cfg, cfg.S3)
		}
	}
}
