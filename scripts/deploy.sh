#!/usr/bin/env bash
# The main job: `npm run deploy` [-- --output DIR]. Builds the engine on first use
# (unless CHARIOT_TLS_ENGINE picks your own), then plans, reviews (refusing a CA change) and applies that plan.
#
# Around the engine (docs/operate.md, "When a deploy fails"):
#   - scripts/deploy-preflight.ts checks the environment against the configuration (state
#     encryption passphrase, PG_CONN_STR) and warns once when state is not encrypted;
#   - OUTPUT_DIR/DEPLOY-INCOMPLETE marks the files as unfinished until the deploy succeeds;
#   - a local state file is kept at mode 0600 (it holds every private key);
#   - the engine waits up to CHARIOT_TLS_LOCK_TIMEOUT (default 5m) for another deploy's lock;
#   - a failure ends with what failed, in our words.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

facts=$(scripts/app.sh scripts/deploy-preflight.ts) || exit 1
output_dir='' marker='' state_file=''
eval "$facts"

# Files the engine changed are marked until it has finished them all; one left from an
# unfinished deploy stays until this one succeeds.
had_marker=false
[[ -e $marker ]] && had_marker=true
mkdir -p -- "$output_dir"
cat >"$marker" <<EOF
A chariot-tls deploy started at $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) has not finished.
The files in this directory may be a mix of old and new certificates and keys, or be missing:
do not copy them to Chariot, MQTT Engine or MQTT Transmission. Run \`npm run deploy\` again;
it completes the set and removes this file.
EOF

# Private keys live in state: a local state file is for its owner only, from its first byte.
keep_state_private() {
  [[ -n $state_file ]] || return 0
  mkdir -p -- "$(dirname -- "$state_file")"
  (umask 077 && : >>"$state_file")
  chmod 600 -- "$state_file" "$state_file".backup 2>/dev/null || true
}
keep_state_private

# Wait for another deploy's state lock (plan too: a deploy that plans first locks there).
lock_timeout="-lock-timeout=${CHARIOT_TLS_LOCK_TIMEOUT:-5m}"
export TF_CLI_ARGS_apply="$lock_timeout${TF_CLI_ARGS_apply:+ $TF_CLI_ARGS_apply}"
export TF_CLI_ARGS_plan="$lock_timeout${TF_CLI_ARGS_plan:+ $TF_CLI_ARGS_plan}"

# The output is kept (mode 0600, removed on exit) to explain a failure; the engine never prints key material.
log=$(mktemp)
trap 'rm -f -- "$log"' EXIT
interrupted() {
  printf '\nchariot-tls: deploy interrupted. The files in %s may be incomplete (see %s); run `npm run deploy` again.\n' "$output_dir" "$marker" >&2
  exit 130
}
trap interrupted INT TERM

status=0
# scripts/deploy.ts synthesizes, says what it deploys, plans, reviews and applies (app/engine.ts), then
# writes PKCS#12 files (if configured) and a summary. stdout and stderr stay apart, each also copied to the log.
{
  {
    scripts/engine/run.sh scripts/app.sh scripts/deploy.ts "$@" | tee -a "$log"
  } 2>&1 1>&3 | tee -a "$log" >&2
} 3>&1 || status=$?
keep_state_private

if ((status == 0)); then
  rm -f -- "$marker"
  exit 0
fi

# The engine prints "<address>: Creating..." (Modifying, Destroying) before it touches anything.
# A marker found at the start belongs to an unfinished deploy (or one running beside this one): it stays.
if ! grep -Eq ': (Creating|Modifying|Destroying)\.\.\.' "$log"; then
  touched="No file was changed by this deploy."
  if ! $had_marker; then
    rm -f -- "$marker"
  elif [[ -e $marker ]]; then
    touched+=" $marker, left by a deploy that has not finished, stays until a deploy succeeds."
  fi
else
  touched="Files in $output_dir may be a mix of old and new, or missing; $marker says so until a deploy succeeds."
fi
if grep -q 'decryption failed for all provided methods' "$log"; then
  reason="The state could not be decrypted: CHARIOT_TLS_STATE_PASSPHRASE is not the passphrase it was encrypted with. The state was not changed; export the right passphrase."
elif grep -q 'encountered unencrypted payload without unencrypted method configured' "$log"; then
  reason='The state is not encrypted yet, and encryption is enforced. To encrypt it, deploy once with "stateEncryption": { "enabled": true, "migrateFromUnencrypted": true } (docs/operate.md, "Encrypting state").'
elif grep -Eq 'Error acquiring the state lock|Error locking state' "$log"; then
  reason="Another deploy holds the state lock and did not finish within ${CHARIOT_TLS_LOCK_TIMEOUT:-5m} (CHARIOT_TLS_LOCK_TIMEOUT). Wait for it and deploy again; if no deploy is running, see docs/operate.md, \"Shared state for teams\"."
elif grep -q 'Saved plan is stale' "$log"; then
  reason="Another deploy changed the state after this one planned, so its plan was not applied."
else
  reason="See the error above."
fi
printf '\nchariot-tls: deploy failed. %s\nchariot-tls: %s Run `npm run deploy` again once the cause is fixed.\n' "$reason" "$touched" >&2
exit "$status"
