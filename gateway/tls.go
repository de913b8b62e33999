package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"path/filepath"
	"slices"
	"time"
)

// selfSignedValidity is how long a generated certificate lasts; it is
// regenerated when it nears expiry or no longer names this endpoint.
const selfSignedValidity = 5 * 365 * 24 * time.Hour

// tlsConfig returns the HTTPS configuration, or nil to serve plain HTTP.
func tlsConfig(cfg Config, stdout io.Writer) (*tls.Config, error) {
	certFile, keyFile := cfg.TLSCert, cfg.TLSKey
	if cfg.TLSSelfSigned {
		var err error
		if certFile, keyFile, err = ensureSelfSigned(cfg); err != nil {
			return nil, fmt.Errorf("self-signed certificate: %w", err)
		}
		fmt.Fprintf(stdout, "terngate: serving HTTPS with the self-signed certificate %s\n  clients trust it as a CA bundle, e.g. AWS_CA_BUNDLE=%s\n", certFile, certFile)
	}
	if certFile == "" {
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load TLS key pair: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// selfSignedNames are the DNS names and IPs the certificate must cover:
// the loopback names, the listen host and, with --domain, the domain and
// its virtual hosts.
func selfSignedNames(cfg Config) (dns []string, ips []net.IP) {
	dns = []string{"localhost"}
	ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if host, _, err := net.SplitHostPort(cfg.Listen); err == nil && host != "" {
		if ip := net.ParseIP(host); ip != nil {
			if !ip.IsUnspecified() {
				ips = append(ips, ip)
			}
		} else {
			dns = append(dns, host)
		}
	}
	if cfg.Domain != "" {
		dns = append(dns, cfg.Domain, "*."+cfg.Domain)
	}
	return dns, ips
}

// ensureSelfSigned returns <data-dir>/tls/{cert,key}.pem, generating them
// unless the existing pair is still valid and covers this endpoint: a
// restart keeps the certificate clients already trust.
func ensureSelfSigned(cfg Config) (certFile, keyFile string, err error) {
	dir := filepath.Join(cfg.DataDir, "tls")
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	dns, ips := selfSignedNames(cfg)
	ok, err := reusableCert(certFile, keyFile, dns, ips)
	if err != nil || ok {
		return certFile, keyFile, err
	}
	certPEM, keyPEM, err := generateSelfSigned(dns, ips)
	if err != nil {
		return "", "", err
	}
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("write %s: %w", keyFile, err)
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return "", "", fmt.Errorf("write %s: %w", certFile, err)
	}
	return certFile, keyFile, nil
}

// reusableCert reports whether the stored pair loads, is valid for at
// least another day and names every wanted host.
func reusableCert(certFile, keyFile string, dns []string, ips []net.IP) (bool, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, nil // damaged: replace it
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return false, nil
	}
	if time.Until(cert.NotAfter) < 24*time.Hour {
		return false, nil
	}
	for _, name := range dns {
		if !slices.Contains(cert.DNSNames, name) {
			return false, nil
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(cert.IPAddresses, ip.Equal) {
			return false, nil
		}
	}
	return true, nil
}

// generateSelfSigned makes an ECDSA P-256 certificate that is its own CA,
// so clients can trust it directly as a CA bundle.
func generateSelfSigned(dns []string, ips []net.IP) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("serial number: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "terngate self-signed", Organization: []string{"terngate"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}
