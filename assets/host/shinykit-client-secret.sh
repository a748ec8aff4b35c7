#!/usr/bin/env bash
# shinykit-client-secret: ShinyProxy's ExecStartPre (run as root). Reads the Cognito app client's
# secret with the instance role and writes it to a root-only environment file that systemd hands
# to ShinyProxy as SHINYKIT_COGNITO_CLIENT_SECRET. The secret never passes through user data,
# CloudFormation, Parameter Store, argv or a log; it is re-read at every start, so rotating it
# needs only `systemctl restart shinyproxy`.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/shinykit/host.env
out_dir=/run/shinykit
out=$out_dir/shinyproxy.env
umask 077
mkdir -p "$out_dir"
secret=$(aws cognito-idp describe-user-pool-client --region "$SHINYKIT_REGION" \
  --user-pool-id "$SHINYKIT_USER_POOL_ID" --client-id "$SHINYKIT_CLIENT_ID" \
  --query UserPoolClient.ClientSecret --output text)
if [ -z "$secret" ] || [ "$secret" = None ]; then
  echo "shinykit-client-secret: app client $SHINYKIT_CLIENT_ID has no secret; ShinyProxy's OpenID login needs one" >&2
  exit 1
fi
tmp=$(mktemp "$out.XXXXXX")
printf 'SHINYKIT_COGNITO_CLIENT_SECRET=%s\n' "$secret" >"$tmp"
mv -f "$tmp" "$out"
echo "shinykit-client-secret: client secret loaded into $out (root only)"
