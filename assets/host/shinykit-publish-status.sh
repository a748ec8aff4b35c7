#!/usr/bin/env bash
# shinykit-publish-status NAME FILE: put FILE's text (a small JSON document) to <prefix>status/NAME,
# where `shinykit doctor`, docs/host.md and people look. Never fails the caller: status is best effort.
set -uo pipefail
# shellcheck source=/dev/null
. "${SHINYKIT_ENV_FILE:-/etc/shinykit/host.env}"
# Run Command and systemd give a minimal environment: name the tools' places and the region.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:$PATH
export AWS_DEFAULT_REGION=${SHINYKIT_REGION:-${AWS_DEFAULT_REGION:-}}
read -r -a aws <<<"${SHINYKIT_AWS:-aws}"
name=$1
file=$2
if ! "${aws[@]}" ssm put-parameter --name "${SHINYKIT_PREFIX%/}/status/$name" --type String --overwrite \
  --value "file://$file" >/dev/null; then
  echo "shinykit-publish-status: could not publish status/$name" >&2
fi
exit 0
