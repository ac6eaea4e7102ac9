#!/usr/bin/env bash
# The ready app as cdktf runs it (cdktf.json "app"): main.ts compiled by tsc into the
# git-ignored .app/, then run by plain Node. Starting compiled JS takes well under a second
# where ts-node type-checks the whole app on every synth (see bench/RESULTS.md); tsc still
# type-checks, so a type error fails synth as it did under ts-node.
# tsc runs only when a source or tsconfig is newer than the last good build. A lock keeps
# concurrent synths (parallel tests, two terminals) from running a half-written build.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/.app
stamp=$out/.built
mkdir -p "$out"

exec 9>"$out/.lock"
flock 9
if [[ ! -f $stamp || -n $(find "$root/main.ts" "$root/app" "$root/lib" "$root/tsconfig.json" \
  "$root/tsconfig.app.json" -newer "$stamp" -print -quit) ]]; then
  # The stamp is taken before tsc reads the sources, so an edit made during the build
  # is seen as newer next time.
  touch "$stamp.next"
  node "$root/node_modules/typescript/bin/tsc" -b "$root/tsconfig.app.json"
  mv "$stamp.next" "$stamp"
fi
# Readers share the lock: a rebuild waits until no synth is running the old build.
flock -s 9
exec node "$out/main.js"
