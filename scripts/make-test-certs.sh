#!/usr/bin/env bash
# Makes the certificates the TLS tests use, in DIR (made if missing), with the openssl command:
#   ca.pem                    a test root CA, the one the clients trust
#   server.pem, server.key    localhost and 127.0.0.1, issued by an intermediate CA: server.pem
#                             holds the chain (the certificate, then the intermediate)
#   renewed.pem, renewed.key  the same names with another key (a reload test)
#   other-ca.pem, other.pem, other.key  another root and a certificate of its own, which a
#                             client trusting ca.pem must refuse
# P-256 keys, valid for two days: made anew for each test run.
#   scripts/make-test-certs.sh DIR
set -euo pipefail
dir=${1:?usage: make-test-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null; }

# root NAME: a self-signed CA, NAME.pem and NAME.key.
root() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=sio-cpp test $1" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# issue NAME ISSUER EXTENSIONS: NAME.pem and NAME.key, signed by ISSUER.pem and ISSUER.key.
issue() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=sio-cpp test $1" |
    openssl x509 -req -CA "$2.pem" -CAkey "$2.key" -set_serial "0x$(openssl rand -hex 8)" \
      -days 2 -out "$1.pem" -extfile <(printf '%s\n' "$3") 2> /dev/null
}

intermediate="basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign"
leaf="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

root ca
issue intermediate ca "$intermediate"
for name in server renewed; do
  issue "$name" intermediate "$leaf"
  cat intermediate.pem >> "$name.pem"
done
root other-ca
issue other other-ca "$leaf"
