#!/usr/bin/env bash
# shinykit-deliver: fetch a config set from Parameter Store and apply it with shinykit-apply.
#
#   shinykit-deliver candidate   what `shinykit apply` just sent (run by SSM Run Command)
#   shinykit-deliver config      the last config the host accepted (boot, replacement)
#
# The set is a manifest plus parts below <prefix><set>/ (cli/apply/config-set.ts writes it);
# shinykit-config.py rebuilds the files and checks their checksums. The apply result is
# published to <prefix>status/last-apply for `shinykit doctor` and people.
# Exit codes: those of shinykit-apply (0 applied, 1 rejected, 3 rollback failed); 1 when the
# set cannot be read. `config` with nothing delivered yet is not an error (exit 0).
#
# Injectable for tests: SHINYKIT_ENV_FILE, SHINYKIT_AWS (the aws command, split on spaces),
# SHINYKIT_ROOT, SHINYKIT_APPLY_SCRIPT, SHINYKIT_CONFIG_HELPER and everything shinykit-apply reads.
set -euo pipefail

me=shinykit-deliver
env_file=${SHINYKIT_ENV_FILE:-/etc/shinykit/host.env}
# shellcheck source=/dev/null
. "$env_file"
: "${SHINYKIT_PREFIX:?host.env must set SHINYKIT_PREFIX}"
# shinykit-apply's login check reads these two from its environment.
[ -z "${SHINYKIT_SITE_HOSTNAME:-}" ] || export SHINYKIT_SITE_HOSTNAME
[ -z "${SHINYKIT_COGNITO_DOMAIN_URL:-}" ] || export SHINYKIT_COGNITO_DOMAIN_URL
# Run Command and systemd give a minimal environment: name the tools' places and the region.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:$PATH
export AWS_DEFAULT_REGION=${SHINYKIT_REGION:-${AWS_DEFAULT_REGION:-}}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
apply_script=${SHINYKIT_APPLY_SCRIPT:-$here/shinykit-apply}
config_helper=${SHINYKIT_CONFIG_HELPER:-$here/shinykit-config.py}
export SHINYKIT_CONFIG_HELPER=$config_helper
root=${SHINYKIT_ROOT:-/}
root=${root%/}/
read -r -a aws <<<"${SHINYKIT_AWS:-aws}"

set_name=${1:-}
case $set_name in
  candidate | config) ;;
  *) printf 'usage: %s candidate|config\n' "$me" >&2; exit 2 ;;
esac

log() { printf '%s: %s\n' "$me" "$*"; }

# Keep a copy of everything on the host too (CloudWatch ships it); SSM shows the same output.
log_file=${SHINYKIT_LOG_FILE-/var/log/shinykit/apply.log}
if [ -n "$log_file" ]; then
  mkdir -p "$(dirname "$log_file")"
  exec > >(tee -a "$log_file") 2>&1
  printf '\n== %s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$me" "$set_name"
fi

prefix=${SHINYKIT_PREFIX%/}/
set_path=$prefix$set_name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Read, rebuild and check the set. A set written moments ago can be read back incomplete (a part
# or the manifest not yet visible, or a checksum that does not match yet): retry before giving up.
attempts=${SHINYKIT_READ_ATTEMPTS:-5}
retry_delay=${SHINYKIT_RETRY_DELAY:-2}
attempt=1
while :; do
  log "reading $set_path/ from Parameter Store"
  rc=0
  if ! "${aws[@]}" ssm get-parameters-by-path --path "$set_path" --recursive --output json >"$work/params.json" 2>"$work/aws.err"; then
    rc=5
    echo "cannot read $set_path/: $(tail -n 3 "$work/aws.err")" >"$work/assemble.out"
  else
    rm -rf "$work/files"
    python3 "$config_helper" assemble "$set_path/" "$work/files" "$work/meta.json" <"$work/params.json" >"$work/assemble.out" 2>&1 || rc=$?
  fi
  if [ "$rc" -eq 0 ] || { [ "$rc" -eq 4 ] && [ "$set_name" = config ]; } || [ "$attempt" -ge "$attempts" ]; then break; fi
  log "attempt $attempt: $(head -n 1 "$work/assemble.out"); reading again in $((attempt * retry_delay)) s"
  sleep $((attempt * retry_delay))
  attempt=$((attempt + 1))
done
if [ "$rc" -eq 4 ] && [ "$set_name" = config ]; then
  log "no config has been applied to this deployment yet; keeping the current one"
  printf 'RESULT: unchanged\n'
  exit 0
elif [ "$rc" -eq 5 ]; then
  log "$(cat "$work/assemble.out")"
  printf 'RESULT: rejected: cannot read the delivered config from Parameter Store\n'
  exit 1
elif [ "$rc" -ne 0 ]; then
  log "the delivered config set is unusable: $(cat "$work/assemble.out")"
  printf 'RESULT: rejected: the delivered config set is unusable\n'
  exit 1
fi
# The apps' secret files live on /run, which a reboot empties. When the live config is kept
# rather than re-applied, apply it again as it is: unchanged files, secrets read anew.
reapply_live_secrets() {
  local live_app=${root}etc/shinyproxy/application.yml live_nginx=${root}etc/nginx/conf.d/shinyproxy.conf
  if [ -f "$live_app" ] && [ -f "$live_nginx" ] && grep -q '^shinykit:' "$live_app"; then
    cp "$live_app" "$work/live-application.yml"
    cp "$live_nginx" "$work/live-shinyproxy.conf"
    "$apply_script" --nginx "$work/live-shinyproxy.conf" --application "$work/live-application.yml" >"$work/live.out" 2>&1 ||
      log "warning: the apps' secrets could not be read again: $(grep -m 1 '^RESULT' "$work/live.out" || tail -n 1 "$work/live.out")"
  fi
}

applied_file=${root}var/lib/shinykit/applied.json
if [ "$set_name" = config ] && python3 "$config_helper" is-older "$work/meta.json" "$applied_file"; then
  # `shinykit apply` records the accepted set after the host applied it; if that write was lost,
  # Parameter Store's copy is older than what runs here, and a reboot must not go back to it.
  log "this host already runs a newer config than ${set_path}/ holds; keeping it"
  reapply_live_secrets
  printf 'RESULT: unchanged\n'
  exit 0
fi
sed 's/^/  /' "$work/assemble.out"

export SHINYKIT_CONFIG_META=$work/meta.json
rc=0
"$apply_script" --nginx "$work/files/nginx/shinyproxy.conf" --application "$work/files/shinyproxy/application.yml" || rc=$?

status_file=${root}var/lib/shinykit/last-apply.json
if [ -f "$status_file" ]; then
  "${aws[@]}" ssm put-parameter --name "${prefix}status/last-apply" --type String --overwrite \
    --value "file://$status_file" >/dev/null 2>"$work/put.err" ||
    log "warning: could not publish ${prefix}status/last-apply: $(tail -n 2 "$work/put.err")"
fi
exit "$rc"
