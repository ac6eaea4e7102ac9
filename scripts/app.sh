#!/usr/bin/env bash
# Runs the ready app's TypeScript as compiled JS:
#   scripts/app.sh                          main.ts, the app cdktf runs (cdktf.json "app")
#   scripts/app.sh scripts/chariot-tls.ts deploy ARGS   the CLI (app/commands/)
# tsc compiles main.ts, app/, lib/ and scripts/ into the git-ignored .app/ and plain Node runs
# the result: that starts in well under a second where ts-node took seconds on every synth
# (bench/README.md). tsc type-checks, so a type error fails synth as it did under ts-node.
# tsc runs only when a source or tsconfig is newer than the last good build. A lock keeps
# concurrent runs (parallel tests, two terminals) from building at the same time.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/.app
stamp=$out/.built
mkdir -p "$out"

exec 9>"$out/.lock"
flock 9
if [[ ! -f $stamp || -n $(find "$root/main.ts" "$root/app" "$root/lib" "$root/scripts" \
  "$root/tsconfig.json" "$root/tsconfig.app.json" -newer "$stamp" -print -quit) ]]; then
  # The stamp is taken before tsc reads the sources, so an edit made during the build
  # is seen as newer next time.
  touch "$stamp.next"
  node "$root/node_modules/typescript/bin/tsc" -b "$root/tsconfig.app.json"
  mv "$stamp.next" "$stamp"
fi
# The lock is not held while the app runs: the deploy's own synth runs this script again.
exec 9>&-
entry=${1:-main.ts}
shift || true
exec node "$out/${entry%.ts}.js" "$@"
