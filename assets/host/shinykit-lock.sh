#!/usr/bin/env bash
# shinykit-lock: run a command while holding the host's apply lock, so it never interleaves with
# `shinykit-apply` (which swaps nginx and ShinyProxy files, tests and reloads them).
#
#   shinykit-lock [-w SECONDS] COMMAND [ARG...]
#
# For anything else that reloads nginx or restarts ShinyProxy: certificate renewal hooks, say
#   certbot renew --deploy-hook "/usr/local/sbin/shinykit-lock systemctl reload nginx"
# Exit codes: the command's; 75 when the lock was not free within the wait (default 600 s).
# SHINYKIT_ROOT (default /) is for tests: the lock is <root>var/lib/shinykit/apply.lock.
set -euo pipefail
root=${SHINYKIT_ROOT:-/}
root=${root%/}/
wait_seconds=600
if [ "${1:-}" = -w ]; then
  [ $# -ge 2 ] || { echo 'usage: shinykit-lock [-w SECONDS] COMMAND [ARG...]' >&2; exit 2; }
  wait_seconds=$2
  shift 2
fi
[ $# -ge 1 ] || { echo 'usage: shinykit-lock [-w SECONDS] COMMAND [ARG...]' >&2; exit 2; }
mkdir -p "${root}var/lib/shinykit"
exec 9>"${root}var/lib/shinykit/apply.lock"
if ! flock -w "$wait_seconds" 9; then
  echo "shinykit-lock: the apply lock was not free within $wait_seconds s; not running: $*" >&2
  exit 75
fi
"$@"
