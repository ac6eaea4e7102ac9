#!/usr/bin/env bash
# The main job: `npm run deploy` [-- cdktf deploy options]. Builds the engine on first use
# (unless CHARIOT_TLS_ENGINE picks your own), then deploys the app's stack.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# scripts/deploy.ts says what it deploys, then writes PKCS#12 files (if configured) and a summary.
exec npx --no-install ts-node --transpile-only scripts/deploy.ts -- scripts/engine/run.sh npx --no-install cdktf deploy chariot-tls --auto-approve "$@"
