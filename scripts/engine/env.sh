#!/usr/bin/env bash
# Chooses the Terraform engine that cdktf drives and exports what cdktf needs for it.
#   . scripts/engine/env.sh              (bash: source it into your shell)
#   eval "$(scripts/engine/env.sh)"      (run it: prints the export lines)
#   scripts/engine/run.sh CMD ARGS...    (sets this up, then runs CMD)
#
# CHARIOT_TLS_ENGINE picks the engine:
#   unset, "" or "bundled" (default): the pinned OpenTofu and providers built into .engine/
#       by build.sh (built on first use). Providers come only from the local mirror
#       (.engine/tofurc), so nothing reaches a registry: works offline.
#   "system": tofu, else terraform, from PATH, with your own CLI config and registry
#       (TF_CLI_CONFIG_FILE is left alone).
#   a path (/opt/tofu, ./bin/terraform) or a command name (terraform): that binary, with
#       your own CLI config and registry.
#
# Exports TERRAFORM_BINARY_NAME (the binary cdktf runs, always an absolute path),
# CHARIOT_TLS_ENGINE_BIN (the same), CHARIOT_TLS_ZLINT (the zlint binary, when there is
# one), CHECKPOINT_DISABLE=1 and DISABLE_VERSION_CHECK=1 (no phoning home from tofu,
# terraform or cdktf), TF_LOG_PROVIDER, TF_LOG_SDK, TF_LOG_SDK_PROTO and TF_LOG_SDK_FRAMEWORK=off
# unless TF_LOG or that variable is set (providers' trace logging costs CPU). Bundled only:
# TF_CLI_CONFIG_FILE, TF_PLUGIN_CACHE_DIR (cdktf would otherwise point it at
# ~/.terraform.d/plugin-cache), TF_CLI_ARGS_providers_lock (see below) and .engine/bin
# first on PATH. With CHARIOT_TLS_STATE_PASSPHRASE set, also
# TF_VAR_chariot_tls_state_passphrase (state encryption; not printed in the run form).
# When sourced it sets no shell options, and returns non-zero on error.

_chariot_tls_engine_env() {
  local here root engine want bin dir name dirs
  here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd) || return 1
  root=$(cd -- "$here/../.." && pwd) || return 1
  engine=${CHARIOT_TLS_ENGINE_DIR:-$root/.engine}
  want=${CHARIOT_TLS_ENGINE:-bundled}

  # Values this script set for the bundled engine earlier in the same shell are not the
  # user's own config: drop them before choosing another engine.
  [[ ${TF_CLI_CONFIG_FILE-} == "$engine/tofurc" ]] && unset TF_CLI_CONFIG_FILE
  [[ ${TF_PLUGIN_CACHE_DIR-} == "$engine/plugin-cache" ]] && unset TF_PLUGIN_CACHE_DIR
  [[ ${TF_CLI_ARGS_providers_lock-} == "-fs-mirror=\"$engine/mirror\"" ]] && unset TF_CLI_ARGS_providers_lock

  export CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1
  export CHARIOT_TLS_ENGINE_DIR=$engine
  # Providers built on the plugin framework log every call at TRACE, as JSON, for the engine to read
  # and drop unless TF_LOG asks for it: a fifth of a plan's CPU for hundreds of clients (bench/RESULTS.md).
  # Off unless the user asks for logs; a level set for one of them is kept.
  if [[ -z ${TF_LOG-} ]]; then
    local v
    for v in TF_LOG_PROVIDER TF_LOG_SDK TF_LOG_SDK_PROTO TF_LOG_SDK_FRAMEWORK; do
      [[ -n ${!v-} ]] || export "$v=off"
    done
  fi

  case $want in
    bundled)
      bash "$here/build.sh" --quiet || {
        printf 'engine: error: could not build the bundled engine (see above).\n' >&2
        printf 'engine: to use your own tofu or terraform instead: CHARIOT_TLS_ENGINE=system\n' >&2
        return 1
      }
      bin=$engine/bin/tofu
      export TF_CLI_CONFIG_FILE=$engine/tofurc
      export TF_PLUGIN_CACHE_DIR=$engine/plugin-cache
      # cdktf runs `providers lock -platform=linux_amd64` (hard-coded in cdktf-cli 0.21)
      # after init when a stack has no lock file yet; unlike init, that ignores
      # provider_installation and asks the registry, which fails offline. tofu and
      # terraform read extra args for that subcommand from this variable. (Not on
      # linux_amd64? Pass --skip-provider-lock to cdktf: the mirror has only your platform.)
      export TF_CLI_ARGS_providers_lock="-fs-mirror=\"$engine/mirror\""
      # A provider rebuilt since a stack was initialised (new pin or patch, or .engine/
      # rebuilt with another Go) has a new checksum, and init refuses it against the old .terraform.lock.hcl. These lock files
      # live in the generated, git-ignored cdktf.out/ and the mirror is the only source, so
      # drop stale ones: cdktf writes them again (init + providers lock from the mirror).
      local lock
      for lock in "$PWD"/cdktf.out/stacks/*/.terraform.lock.hcl; do
        if [[ -f $lock && $lock -ot $engine/stamps/providers-built ]]; then
          rm -f -- "$lock"
          printf 'engine: removed %s (providers were rebuilt since)\n' "$lock" >&2
        fi
      done
      case ":$PATH:" in
        *":$engine/bin:"*) ;;
        *) export PATH=$engine/bin:$PATH ;;
      esac
      ;;
    system)
      # tofu first, then terraform; skip .engine/bin in case an earlier source put it on PATH.
      bin=
      IFS=: read -r -a dirs <<<"$PATH"
      for name in tofu terraform; do
        for dir in "${dirs[@]}"; do
          [[ -n $dir && $dir != "$engine/bin" && -x $dir/$name && ! -d $dir/$name ]] || continue
          bin=$dir/$name
          break 2
        done
      done
      [[ -n $bin ]] || {
        printf 'engine: error: CHARIOT_TLS_ENGINE=system but neither tofu nor terraform is on PATH.\n' >&2
        return 1
      }
      ;;
    */*)
      [[ -f $want && -x $want ]] || {
        printf 'engine: error: CHARIOT_TLS_ENGINE=%s is not an executable file.\n' "$want" >&2
        return 1
      }
      # Absolute: cdktf runs the binary from inside each stack's working directory.
      bin=$(cd -- "$(dirname -- "$want")" && pwd)/$(basename -- "$want")
      ;;
    *)
      bin=$(type -P -- "$want") || {
        printf 'engine: error: CHARIOT_TLS_ENGINE=%s: no such command on PATH (use bundled, system or a path).\n' "$want" >&2
        return 1
      }
      [[ $bin == /* ]] || bin=$PWD/$bin
      ;;
  esac

  if [[ $want != bundled ]]; then
    # .engine/bin left on PATH by an earlier bundled source would shadow the user's tofu.
    PATH=:$PATH:
    PATH=${PATH//":$engine/bin:"/:}
    PATH=${PATH#:}
    export PATH=${PATH%:}
  fi
  export TERRAFORM_BINARY_NAME=$bin CHARIOT_TLS_ENGINE_BIN=$bin
  # State encryption (docs/operate.md, "Encrypting state"): the app's encryption block takes
  # the passphrase from this Terraform variable, so it never enters cdk.tf.json.
  if [[ -n ${CHARIOT_TLS_STATE_PASSPHRASE-} ]]; then
    export TF_VAR_chariot_tls_state_passphrase=$CHARIOT_TLS_STATE_PASSPHRASE
  fi
  if [[ -x $engine/bin/zlint ]]; then
    export CHARIOT_TLS_ZLINT=$engine/bin/zlint
  elif type -P zlint >/dev/null; then
    CHARIOT_TLS_ZLINT=$(type -P zlint)
    export CHARIOT_TLS_ZLINT
  fi
  [[ $want == bundled ]] ||
    printf 'engine: using %s with your own CLI config and registry\n' "$bin" >&2
  return 0
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
  # Sourced: apply to the caller's shell.
  if ! _chariot_tls_engine_env; then
    unset -f _chariot_tls_engine_env
    return 1
  fi
  unset -f _chariot_tls_engine_env
else
  # Run: print the exports for eval.
  set -euo pipefail
  _chariot_tls_engine_env
  for _v in TERRAFORM_BINARY_NAME CHARIOT_TLS_ENGINE_BIN CHARIOT_TLS_ENGINE_DIR CHARIOT_TLS_ZLINT \
    CHECKPOINT_DISABLE DISABLE_VERSION_CHECK TF_CLI_CONFIG_FILE TF_PLUGIN_CACHE_DIR \
    TF_CLI_ARGS_providers_lock TF_LOG_PROVIDER TF_LOG_SDK TF_LOG_SDK_PROTO TF_LOG_SDK_FRAMEWORK PATH; do
    if [[ -n ${!_v+x} ]]; then
      printf 'export %s=%q\n' "$_v" "${!_v}"
    else
      printf 'unset %s\n' "$_v"
    fi
  done
fi
