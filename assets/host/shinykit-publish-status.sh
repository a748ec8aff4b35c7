#!/usr/bin/env bash
# shinykit-publish-status NAME FILE: put FILE's text (a small JSON document) to <prefix>status/NAME,
# where `shinykit doctor`, docs/host.md and people look. Never fails the caller: status is best effort.
set -uo pipefail
# shellcheck source=/dev/null
. "${SHINYKIT_ENV_FILE:-/etc/shinykit/host.env}"
read -r -a aws <<<"${SHINYKIT_AWS:-aws}"
name=$1
file=$2
if ! "${aws[@]}" ssm put-parameter --name "${SHINYKIT_PREFIX%/}/status/$name" --type String --overwrite \
  --value "file://$file" >/dev/null; then
  echo "shinykit-publish-status: could not publish status/$name" >&2
fi
exit 0
