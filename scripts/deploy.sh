#!/usr/bin/env bash
# The main job: `npm run deploy` [-- --output DIR]. Builds the engine on first use
# (unless CHARIOT_TLS_ENGINE picks your own), then plans, reviews (refusing a CA change) and applies that plan.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# scripts/deploy.ts says what it deploys, then writes PKCS#12 files (if configured) and a summary.
exec scripts/app.sh scripts/deploy.ts -- scripts/engine/run.sh scripts/app.sh scripts/plan.ts --apply "$@"
