#!/usr/bin/env bash
# Stands in for the engine (TERRAFORM_BINARY_NAME) during `npm run deploy`: runs
# $CHARIOT_TLS_ENGINE_BIN with the same arguments and exits with its status, turning a death
# by signal into a plain non-zero exit (128 + the signal). cdktf 0.21 reports an engine that
# was killed (SIGKILL, SIGINT) mid-apply as a successful deploy; with this, it reports a failure.
# The traps keep this script alive until the engine has ended (the engine gets the signal
# itself: a terminal's Ctrl-C reaches the whole process group).
trap : INT TERM HUP
"${CHARIOT_TLS_ENGINE_BIN:?set by scripts/engine/env.sh}" "$@"
exit $?
