#!/usr/bin/env bash
# A measuring prototype, not the product's deploy: what `cdktf deploy` does for this project,
# without the cdktf CLI in between: synth (the app), `tofu init`, `tofu apply`. The bench runs it (--direct) to show what the CLI costs at scale: it
# matches every engine output line against every resource address (quadratic in the fleet).
# Missing against cdktf deploy: synth annotations, cdktf's options, `providers lock`.
#
# Usage: bench/direct-deploy.sh --output DIR   (CHARIOT_TLS_CONFIG picks the configuration)
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
[[ ${1-} == --output && -n ${2-} ]] || { printf 'usage: %s --output DIR\n' "$0" >&2; exit 2; }
out=$2
# shellcheck source=../scripts/engine/env.sh
. scripts/engine/env.sh
CDKTF_OUTDIR=$out scripts/app.sh
cd "$out/stacks/chariot-tls"
tofu init -input=false >/dev/null
tofu apply -input=false -auto-approve
