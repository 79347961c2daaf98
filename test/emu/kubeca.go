package emu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"
)

// clientCA is a cluster's certificate authority: it signs each Kube's own serving certificate
// (so one server's CA does not vouch for another's, unlike httptest's shared certificate) and
// the client certificates it accepts, as kubeadm's CA signs kubeconfig users' (kind, minikube).
type clientCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// validity spans any date the suite may run at (faketime shifts the clock by a year or more).
var notBefore, notAfter = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)

func newClientCA(t testing.TB) *clientCA {
	ca, err := makeCA("kubernetes-ca")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func makeCA(name string) (*clientCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &clientCA{cert, key}, err
}

// LoopbackTLS is a serving certificate for 127.0.0.1, ::1 and localhost signed by a CA made for
// it, and that CA's certificate (PEM) for the client to trust: for a program that serves a
// stand-in over HTTPS itself (bench/cmd/ghserver).
func LoopbackTLS(name string) (tls.Certificate, []byte, error) {
	ca, err := makeCA(name + " CA")
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pair, err := ca.servingPair(name)
	return pair, ca.pem(), err
}

func (ca *clientCA) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// serving is a certificate for the loopback server, signed by ca.
func (ca *clientCA) serving(t testing.TB) tls.Certificate {
	pair, err := ca.servingPair("kube-apiserver")
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

func (ca *clientCA) servingPair(name string) (tls.Certificate, error) {
	cert, key, err := ca.sign(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: name},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, DNSNames: []string{"localhost", "kubernetes.default.svc"},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(cert, key)
}

func (ca *clientCA) issue(t testing.TB, cn string) (certPEM, keyPEM []byte) {
	certPEM, keyPEM, err := ca.sign(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn, Organization: []string{"keywarden"}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}

func (ca *clientCA) sign(tmpl *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, err
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}
