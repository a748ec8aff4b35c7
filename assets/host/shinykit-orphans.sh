#!/usr/bin/env bash
# shinykit-orphans: remove app containers a previous ShinyProxy left behind. Run as ShinyProxy's
# ExecStartPre (root), so a ShinyProxy that crashed or was OOM-killed does not leave containers
# holding memory and their 127.0.0.1 ports. ShinyProxy labels every container it starts with
# openanalytics.eu/sp-proxy-id (containerproxy's ProxyIdKey); a ShinyProxy that is starting has
# none yet, and this kit does not use proxy.recover-running-proxies, so every such container is
# an orphan. Never fails the start: a cleanup problem is logged, ShinyProxy still starts.
#
# SHINYKIT_DOCKER (the docker command, split on spaces) is for tests.
set -uo pipefail
read -r -a docker <<<"${SHINYKIT_DOCKER:-docker}"
label=openanalytics.eu/sp-proxy-id
if ! ids=$("${docker[@]}" ps -aq --filter "label=$label" 2>&1); then
  echo "shinykit-orphans: could not list containers: $ids" >&2
  exit 0
fi
if [ -z "$ids" ]; then
  echo "shinykit-orphans: no orphaned app containers"
  exit 0
fi
count=$(printf '%s\n' "$ids" | grep -c .)
echo "shinykit-orphans: removing $count app container(s) left by a previous ShinyProxy"
# shellcheck disable=SC2086 # one id per word
"${docker[@]}" rm -f $ids >/dev/null || echo "shinykit-orphans: some containers could not be removed" >&2
exit 0
