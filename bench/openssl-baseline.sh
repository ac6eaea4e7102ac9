#!/usr/bin/env bash
# The baseline a user would pick instead of chariot-tls: the Cirrus Link openssl procedure
# (shared seed 000), scripted for the hierarchy chariot-tls builds, one key and certificate
# after another: Root CA, Server / Engine / Transmission CAs (RSA 4096), the Chariot server
# certificate and one Engine client (RSA 2048), N Transmission clients (RSA 2048), and the
# same files (chains and trust bundles). No pass phrases: a scripted run cannot type them.
#
# With --add-client NAME it does only what the procedure needs to add one gateway to a PKI it built
# before in OUTPUT_DIR: one key, one CSR, one certificate signed by the Transmission CA, its ca.pem.
# The two steps of a site CA rotation by hand, on that PKI: --new-site-ca SITE makes the site's new CA
# (one RSA key of CA_BITS, a CSR, a certificate signed by the Transmission CA) and adds it to the
# server's client-ca.pem; --resign-site SITE NAME... signs each client's existing CSR again with it
# (new certificates, same keys). Step 3 (dropping the old CA from client-ca.pem) is one cat.
#
# Usage: bench/openssl-baseline.sh OUTPUT_DIR N [CA_BITS] [LEAF_BITS]
#        bench/openssl-baseline.sh --add-client NAME OUTPUT_DIR
#        bench/openssl-baseline.sh --new-site-ca SITE OUTPUT_DIR
#        bench/openssl-baseline.sh --resign-site SITE OUTPUT_DIR NAME...
set -euo pipefail

add_client= new_site_ca= resign_site= resign_names=()
if [[ ${1:-} == --add-client && $# -eq 3 ]]; then
  add_client=$2
  set -- "$3" 0
elif [[ ${1:-} == --new-site-ca && $# -eq 3 ]]; then
  new_site_ca=$2
  set -- "$3" 0
elif [[ ${1:-} == --resign-site && $# -ge 4 ]]; then
  resign_site=$2
  resign_names=("${@:4}")
  set -- "$3" 0
fi
if [[ $# -lt 2 ]]; then
  printf 'usage: %s OUTPUT_DIR N [CA_BITS] [LEAF_BITS]\n       %s --add-client NAME OUTPUT_DIR\n       %s --new-site-ca SITE OUTPUT_DIR\n       %s --resign-site SITE OUTPUT_DIR NAME...\n' "$0" "$0" "$0" "$0" >&2
  exit 2
fi
out=$1 n=$2 ca_bits=${3:-4096} leaf_bits=${4:-2048}
org='Chariot TLS'
mkdir -p "$out"
cd "$out"
umask 077
mkdir -p ca/server ca/engine ca/transmission certs/server certs/engine certs/transmission

ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
cat >"$ext" <<'EOF'
[intermediate]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# openssl genrsa, then a CSR, then the issuer signs it (the procedure's three steps per certificate).
issue() { # key csr cert bits subject issuer_cert issuer_key ext_section days
  openssl genrsa -out "$1" "$4" 2>/dev/null
  openssl req -new -key "$1" -subj "$5" -out "$2"
  openssl x509 -req -in "$2" -CA "$6" -CAkey "$7" -CAcreateserial -days "$9" \
    -sha256 -extfile "$ext" -extensions "$8" -out "$3" 2>/dev/null
}

client() { # kind name
  local dir=certs/$1/$2
  mkdir -p "$dir"
  issue "$dir/private.key" "$dir/client.csr" "$dir/cert.pem" "$leaf_bits" "/O=$org/OU=$1/CN=$2" \
    "ca/$1/$1-ca.crt" "ca/$1/$1-ca.key" client 730
  cat ca/server/server-ca.crt ca/ca.crt >"$dir/ca.pem"
}
if [[ -n $add_client ]]; then
  client transmission "$add_client"
  exit 0
fi
if [[ -n $new_site_ca ]]; then
  # The same work as a site CA under a Transmission CA of path length 1; the procedure's own Transmission CA
  # has path length 0, so this chain is for timing only, not for a strict verifier.
  dir=ca/transmission/$new_site_ca
  mkdir -p "$dir"
  issue "$dir/site-ca-g2.key" "$dir/site-ca-g2.csr" "$dir/site-ca-g2.crt" "$ca_bits" \
    "/O=$org/OU=CA/CN=$new_site_ca Transmission CA G2" ca/transmission/transmission-ca.crt ca/transmission/transmission-ca.key intermediate 1825
  cat "$dir/site-ca-g2.crt" >>certs/server/client-ca.pem
  exit 0
fi
if [[ -n $resign_site ]]; then
  dir=ca/transmission/$resign_site
  for name in "${resign_names[@]}"; do
    openssl x509 -req -in "certs/transmission/$name/client.csr" -CA "$dir/site-ca-g2.crt" -CAkey "$dir/site-ca-g2.key" \
      -CAcreateserial -days 730 -sha256 -extfile "$ext" -extensions client -out "certs/transmission/$name/cert.pem" 2>/dev/null
  done
  exit 0
fi

openssl genrsa -out ca/ca.key "$ca_bits" 2>/dev/null
openssl req -new -x509 -key ca/ca.key -days 3650 -sha256 -subj "/O=$org/OU=CA/CN=$org Root CA" \
  -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' \
  -out ca/ca.crt
for kind in server engine transmission; do
  issue "ca/$kind/$kind-ca.key" "ca/$kind/$kind-ca.csr" "ca/$kind/$kind-ca.crt" "$ca_bits" \
    "/O=$org/OU=CA/CN=$org ${kind^} CA" ca/ca.crt ca/ca.key intermediate 1825
done

issue certs/server/server.key certs/server/server.csr certs/server/server.crt "$leaf_bits" \
  "/O=$org/CN=localhost" ca/server/server-ca.crt ca/server/server-ca.key server 730
cat ca/server/server-ca.crt ca/ca.crt >certs/server/ca-chain.pem
cat certs/server/server.crt certs/server/ca-chain.pem >certs/server/fullchain.pem
cat ca/engine/engine-ca.crt ca/transmission/transmission-ca.crt ca/ca.crt >certs/server/client-ca.pem

client engine engine
for ((i = 1; i <= n; i++)); do
  client transmission "$(printf 'edge-%04d' "$i")"
done
