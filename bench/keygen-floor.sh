#!/usr/bin/env bash
# The floor: only the RSA keys of the hierarchy with N Transmission clients (4 CA keys, the
# server, one Engine and N Transmission keys), generated with `openssl genrsa` on all cores.
# No deploy can be faster than making its keys, so this is the bound to compare against.
#
# Usage: bench/keygen-floor.sh OUTPUT_DIR N [CA_BITS] [LEAF_BITS] [JOBS]   (JOBS: default nproc)
set -euo pipefail

if [[ $# -lt 2 ]]; then
  printf 'usage: %s OUTPUT_DIR N [CA_BITS] [LEAF_BITS] [JOBS]\n' "$0" >&2
  exit 2
fi
out=$1 n=$2 ca_bits=${3:-4096} leaf_bits=${4:-2048} jobs=${5:-$(nproc)}
mkdir -p "$out"
umask 077
# The big CA keys first, so that no core is left finishing one at the end.
{
  for i in 1 2 3 4; do printf '%s %s\n' "$out/ca-$i.key" "$ca_bits"; done
  for ((i = 1; i <= n + 2; i++)); do printf '%s %s\n' "$out/leaf-$i.key" "$leaf_bits"; done
} | xargs -P "$jobs" -L 1 sh -c 'openssl genrsa -out "$0" "$1" 2>/dev/null'
