#!/usr/bin/env bash
# Installs what the integration tests need and a fresh machine lacks:
#   - Debian packages: mosquitto (a real MQTT broker), mosquitto-clients, openssl,
#     postgresql (the server the shared-state tests start on loopback, with psql), and
#     default-jre-headless when there is no java/keytool (PKCS#12 files are loaded by Java),
#     libbcpkix-java (Bouncy Castle's PEMParser: the Java client that reads encrypted PEM keys as MQTT Engine does)
#   - the engine, providers and zlint (scripts/engine/build.sh, a no-op once built)
# Runs before `npm test` (npm's pretest). Packages are installed only when missing,
# with apt-get as root; elsewhere it says what to install and stops.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
packages=(mosquitto mosquitto-clients openssl postgresql libbcpkix-java)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v java >/dev/null && command -v keytool >/dev/null || missing+=(default-jre-headless)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "test-deps: missing Debian packages: ${missing[*]}; install them (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  echo "test-deps: installing ${missing[*]} (Debian packages)" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start a broker on 1883 and a database on 5432; the tests start their own on free ports.
  for service in mosquitto postgresql; do
    systemctl disable --now "$service" >/dev/null 2>&1 || service "$service" stop >/dev/null 2>&1 || true
  done
fi

"$root/scripts/engine/build.sh"
