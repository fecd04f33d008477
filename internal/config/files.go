package config

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// files reads the settings of uploads and file storage (issue 17).
func (p *parser) files(c *Config) {
	c.Storage = p.oneOf("STORAGE", "local", "local", "s3")
	c.StorageDir = p.str("STORAGE_DIR", "data/uploads")
	c.S3 = S3Config{
		Endpoint:        p.str("S3_ENDPOINT", ""),
		Bucket:          p.str("S3_BUCKET", ""),
		Region:          p.str("S3_REGION", "us-east-1"),
		AccessKeyID:     p.str("S3_ACCESS_KEY_ID", ""),
		SecretAccessKey: p.str("S3_SECRET_ACCESS_KEY", ""),
		PathStyle:       p.bool("S3_FORCE_PATH_STYLE", false),
	}
	c.UploadMaxBytes = p.bytes("UPLOAD_MAX_BYTES", 20<<20)
	c.LogoMaxBytes = p.bytes("LOGO_MAX_BYTES", 2<<20)
	c.UploadTimeout = p.dur("UPLOAD_TIMEOUT", 10*time.Minute)
	c.SignedURLTTL = p.dur("SIGNED_URL_TTL", time.Hour)

	if c.SignedURLTTL < time.Minute {
		p.fail("SIGNED_URL_TTL", "must be at least 1m, not %s", c.SignedURLTTL)
	}
	if c.UploadTimeout < time.Second {
		p.fail("UPLOAD_TIMEOUT", "must be at least 1s, not %s", c.UploadTimeout)
	}
	if c.Storage != "s3" {
		return
	}
	for _, v := range []struct{ name, val string }{
		{"S3_ENDPOINT", c.S3.Endpoint}, {"S3_BUCKET", c.S3.Bucket},
		{"S3_ACCESS_KEY_ID", c.S3.AccessKeyID}, {"S3_SECRET_ACCESS_KEY", c.S3.SecretAccessKey},
	} {
		if v.val == "" {
			p.fail(v.name, "is required when STORAGE=s3")
		}
	}
	if u, err := url.Parse(c.S3.Endpoint); c.S3.Endpoint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		p.fail("S3_ENDPOINT", "must be an http or https URL such as https://s3.eu-west-1.amazonaws.com, not %q", c.S3.Endpoint)
	}
}

// bytes reads a size in bytes: a whole number, or one with a KiB, MiB or
// GiB suffix (20MiB); it must be at least 1 KiB.
func (p *parser) bytes(name string, def int64) int64 {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(v, suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, suffix)), m
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		p.fail(name, "must be a size in bytes such as 20971520 or 20MiB, not %q", p.get(name))
		return def
	}
	if n*mult < 1<<10 {
		p.fail(name, "must be at least 1 KiB, not %d bytes", n*mult)
		return def
	}
	return n * mult
}
