#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs a command with the Terraform engine chosen by env.sh (by default the bundled,
# offline OpenTofu, built on first use), e.g.
#   scripts/engine/run.sh npx cdktf deploy --auto-approve
#   CHARIOT_TLS_ENGINE=system scripts/engine/run.sh npx cdktf diff
set -euo pipefail

if [[ $# -eq 0 ]]; then
  printf 'usage: %s CMD [ARGS...]\n' "$0" >&2
  exit 2
fi
# Help needs no engine: it is printed without building or choosing one.
for arg in "$@"; do
  [[ $arg == --help || $arg == -h ]] && exec "$@"
done
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
exec "$@"
