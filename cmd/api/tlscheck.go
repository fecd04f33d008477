package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
)

// checkPrimaryTLS connects to the primary once at start: a TLS setting that
// can't work (wrong CA, a certificate for another host name, a server
// without TLS under required) stops the API with one sentence naming the
// setting, instead of an API that starts and answers 503 forever. Any other
// failure (the primary is down) is left to the health checker and /readyz.
func checkPrimaryTLS(ctx context.Context, cfg *config.Config, cluster *db.Cluster) error {
	if cfg.DBTLS.Mode == config.TLSDisabled && cfg.Primary.TLS == nil {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := cluster.Primary().DB.PingContext(pctx)
	if err == nil || !isTLSError(err) {
		return nil
	}
	return explainTLS(err, cfg)
}

// isTLSError reports whether err comes from TLS: the handshake, the
// certificate's verification, or a server that offers no TLS.
func isTLSError(err error) bool {
	var (
		unknown   x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		verifyErr *tls.CertificateVerificationError
	)
	return errors.Is(err, mysql.ErrNoTLS) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &verifyErr) ||
		strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:")
}

// explainTLS turns a TLS failure into one line that says which setting to look at.
func explainTLS(err error, cfg *config.Config) error {
	mode := cfg.DBTLS.Mode
	var host x509.HostnameError
	var unknown x509.UnknownAuthorityError
	var verifyErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, mysql.ErrNoTLS):
		return fmt.Errorf("DB_TLS=%s: the primary (%s) does not offer TLS; enable TLS on the server or choose DB_TLS=preferred|disabled", mode, cfg.Primary.Addr)
	case errors.As(err, &host):
		return fmt.Errorf("DB_TLS=%s: the primary's certificate does not name the host %q of DATABASE_URL (%v); use the host name the certificate was issued for", mode, hostOf(cfg.Primary.Addr), host)
	case errors.As(err, &unknown) || (errors.As(err, &verifyErr) && strings.Contains(err.Error(), "unknown authority")):
		return fmt.Errorf("DB_TLS=%s: the primary's certificate is not signed by the CA in DB_TLS_CA (%s); set DB_TLS_CA to your provider's CA bundle", mode, cfg.DBTLS.CAFile)
	}
	return fmt.Errorf("DB_TLS=%s: TLS to the primary (%s) failed: %v; check DB_TLS, DB_TLS_CA, DB_TLS_CERT and DB_TLS_KEY", mode, cfg.Primary.Addr, err)
}

func hostOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[:i]
	}
	return addr
}
