package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// TLS modes of DB_TLS, with the MySQL client's meanings (--ssl-mode):
// disabled never encrypts; preferred encrypts when the server offers TLS,
// without checking its certificate; required insists on TLS, still without
// checking; verify-ca also checks the certificate chain against DB_TLS_CA (or
// the system's roots); verify-identity also checks that the certificate names
// the host in the URL — what a managed database (RDS, Cloud SQL, Azure, Aiven)
// should get.
const (
	TLSDisabled       = "disabled"
	TLSPreferred      = "preferred"
	TLSRequired       = "required"
	TLSVerifyCA       = "verify-ca"
	TLSVerifyIdentity = "verify-identity"
)

// DBTLS is the TLS setting for database connections.
type DBTLS struct {
	Mode string
	// CAFile, CertFile and KeyFile are PEM files (DB_TLS_CA, DB_TLS_CERT, DB_TLS_KEY).
	CAFile, CertFile, KeyFile string
}

// tlsParams are the TLS settings managed providers put in their URLs; they
// are taken out of the query before the driver sees it (it would send unknown
// names to the server as session variables).
var tlsParams = []string{"ssl-mode", "sslmode", "ssl_mode", "tls", "ssl-ca", "sslrootcert", "ssl-cert", "sslcert", "ssl-key", "sslkey"}

// urlTLS is a URL's own TLS settings, which override DB_TLS for that node.
type urlTLS struct {
	mode                      string
	caFile, certFile, keyFile string
}

// takeTLSParams removes the TLS parameters from params and returns them.
func takeTLSParams(params url.Values) (urlTLS, error) {
	var u urlTLS
	for _, k := range []string{"ssl-mode", "sslmode", "ssl_mode"} {
		if v := params.Get(k); v != "" {
			m, ok := normaliseTLSMode(v)
			if !ok {
				return u, fmt.Errorf("has %s=%q; want one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY", k, v)
			}
			u.mode = m
		}
	}
	// The driver's own tls parameter: true = verify-identity, skip-verify = required.
	switch v := strings.ToLower(params.Get("tls")); v {
	case "":
	case "true", "verify-identity":
		u.mode = TLSVerifyIdentity
	case "false", "disabled":
		u.mode = TLSDisabled
	case "skip-verify", "required":
		u.mode = TLSRequired
	case "preferred":
		u.mode = TLSPreferred
	case "verify-ca":
		u.mode = TLSVerifyCA
	default:
		return u, fmt.Errorf("has tls=%q; want true, false, skip-verify or preferred", v)
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := params.Get(k); v != "" {
				return v
			}
		}
		return ""
	}
	u.caFile = first("ssl-ca", "sslrootcert")
	u.certFile = first("ssl-cert", "sslcert")
	u.keyFile = first("ssl-key", "sslkey")
	for _, k := range tlsParams {
		params.Del(k)
	}
	return u, nil
}

// normaliseTLSMode accepts DB_TLS values and MySQL's ssl-mode spellings
// (VERIFY_IDENTITY, verify-full as PostgreSQL-minded providers write it).
func normaliseTLSMode(v string) (string, bool) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(v)), "_", "-") {
	case "disabled", "disable", "false", "off":
		return TLSDisabled, true
	case "preferred", "prefer":
		return TLSPreferred, true
	case "required", "require", "true":
		return TLSRequired, true
	case "verify-ca":
		return TLSVerifyCA, true
	case "verify-identity", "verify-full":
		return TLSVerifyIdentity, true
	}
	return "", false
}

// applyTLS sets node's TLS from its URL's settings, else from def. The error
// names the setting to fix.
func applyTLS(node *mysql.Config, own urlTLS, def DBTLS, setting string) error {
	mode, ca, cert, key := def.Mode, def.CAFile, def.CertFile, def.KeyFile
	if own.mode != "" {
		mode, setting = own.mode, setting+" (its ssl-mode/tls parameter)"
	}
	if own.caFile != "" {
		ca = own.caFile
	}
	if own.certFile != "" || own.keyFile != "" {
		cert, key = own.certFile, own.keyFile
	}
	node.TLSConfig, node.AllowFallbackToPlaintext = "", false
	node.TLS = nil
	if mode == TLSDisabled {
		return nil
	}
	host, _, err := net.SplitHostPort(node.Addr)
	if err != nil {
		host = node.Addr
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cert != "" || key != "" {
		if cert == "" || key == "" {
			return fmt.Errorf("%s: DB_TLS_CERT and DB_TLS_KEY go together: set both or neither", setting)
		}
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return fmt.Errorf("DB_TLS_CERT/DB_TLS_KEY can't be used as a client certificate: %v", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	var roots *x509.CertPool
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return fmt.Errorf("DB_TLS_CA names a file that can't be read: %v", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("DB_TLS_CA (%s) holds no PEM certificate", ca)
		}
	}
	switch mode {
	case TLSPreferred, TLSRequired:
		// MySQL's preferred and required encrypt without checking who answers.
		tc.InsecureSkipVerify = true
		node.AllowFallbackToPlaintext = mode == TLSPreferred
	case TLSVerifyCA:
		// The chain is checked by hand: Go's check always includes the host name.
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	case TLSVerifyIdentity:
		tc.RootCAs = roots
		tc.ServerName = host
	default:
		return fmt.Errorf("%s must be one of disabled, preferred, required, verify-ca, verify-identity, not %q", setting, mode)
	}
	node.TLS = tc
	return nil
}
