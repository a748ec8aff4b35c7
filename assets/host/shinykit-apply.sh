#!/usr/bin/env bash
# shinykit-apply: put a new nginx snippet and ShinyProxy application.yml live, or keep the old ones.
#
#   shinykit-apply.sh --nginx <file> --application <file>
#
# Order (nothing live changes until every check that can run offline has passed):
#   1. parse the new application.yml (YAML, a proxy: section, specs with ids)
#   2. pull every image it names, so the first user after a deploy does not wait for a pull
#   3. back up the current files, swap the nginx snippet in (rename = atomic), run `nginx -t`
#      against the full nginx config (nginx itself only rereads on reload, so traffic is untouched)
#   4. swap application.yml in, restart ShinyProxy only if it changed, wait until it answers
#   5. reload nginx
# Any failure puts the previous files back (and restarts ShinyProxy with them), says why, and exits 1.
#
# Exit codes: 0 applied (or unchanged), 1 rejected and rolled back, 2 bad usage,
#             3 rollback itself failed (the host needs attention; see docs/host.md).
#
# Everything host-specific is injectable so tests can run this against a temporary root:
#   SHINYKIT_ROOT                 filesystem root holding etc/ and var/ (default /)
#   SHINYKIT_NGINX_TEST           command that checks the nginx config (default: nginx -t)
#   SHINYKIT_RELOAD_NGINX         default: systemctl reload nginx
#   SHINYKIT_RESTART_SHINYPROXY   default: systemctl restart shinyproxy
#   SHINYKIT_HEALTHCHECK          command that succeeds once ShinyProxy answers
#                                 (default: poll http://127.0.0.1:8080/ for SHINYKIT_HEALTH_TIMEOUT s)
#   SHINYKIT_PULL                 command given one image reference (default: docker pull)
#   SHINYKIT_CONFIG_HELPER        the YAML helper (default: shinykit-config.py beside this script)
# Commands are shell command strings (operator-controlled, never user input); arguments are passed
# to them as positional parameters, never spliced into the string.
set -euo pipefail

me=shinykit-apply
root=${SHINYKIT_ROOT:-/}
root=${root%/}/
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config_helper=${SHINYKIT_CONFIG_HELPER:-$here/shinykit-config.py}
nginx_test=${SHINYKIT_NGINX_TEST:-nginx -t}
reload_nginx=${SHINYKIT_RELOAD_NGINX:-systemctl reload nginx}
restart_shinyproxy=${SHINYKIT_RESTART_SHINYPROXY:-systemctl restart shinyproxy}
healthcheck=${SHINYKIT_HEALTHCHECK:-}
health_timeout=${SHINYKIT_HEALTH_TIMEOUT:-180}
pull=${SHINYKIT_PULL:-docker pull}

nginx_target=${root}etc/nginx/conf.d/shinyproxy.conf
app_target=${root}etc/shinyproxy/application.yml
state_dir=${root}var/lib/shinykit
previous_dir=$state_dir/previous
status_file=$state_dir/last-apply.json

log() { printf '%s: %s\n' "$me" "$*"; }

usage() {
  printf 'usage: %s --nginx <file> --application <file>\n' "$me" >&2
  exit 2
}

# Runs an injected command string with the given arguments as $1, $2, ...
hook() {
  local command=$1
  shift
  bash -c "$command \"\$@\"" "$me" "$@"
}

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/}
  s=${s//$'\t'/ }
  printf '"%s"' "$s"
}

sha_of() { if [ -f "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else printf none; fi; }

write_status() {
  # Bounded so the status fits one Standard-tier parameter (4 KB) when published.
  local result=$1 reason=${2:0:2000}
  mkdir -p "$state_dir"
  local tmp=$status_file.tmp
  {
    printf '{"result":%s,' "$(json_string "$result")"
    printf '"reason":%s,' "$(json_string "$reason")"
    printf '"time":%s,' "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '"nginxSha256":%s,' "$(json_string "$(sha_of "$nginx_target")")"
    printf '"applicationSha256":%s}\n' "$(json_string "$(sha_of "$app_target")")"
  } >"$tmp"
  mv -f "$tmp" "$status_file"
}

# Copies src over dst through a temporary file in dst's directory, so readers see old or new, never half.
install_atomic() {
  local src=$1 dst=$2
  mkdir -p "$(dirname "$dst")"
  local tmp
  tmp=$(mktemp "$dst.shinykit-XXXXXX")
  cp "$src" "$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$dst"
}

backup() {
  local target=$1 name=$2
  rm -f "$previous_dir/$name" "$previous_dir/$name.absent"
  if [ -f "$target" ]; then cp -p "$target" "$previous_dir/$name"; else : >"$previous_dir/$name.absent"; fi
}

restore() {
  local target=$1 name=$2
  if [ -f "$previous_dir/$name" ]; then
    install_atomic "$previous_dir/$name" "$target"
  elif [ -f "$previous_dir/$name.absent" ]; then
    rm -f "$target"
  fi
}

wait_for_shinyproxy() {
  if [ -n "$healthcheck" ]; then
    hook "$healthcheck"
    return
  fi
  local deadline=$((SECONDS + health_timeout)) code
  while [ "$SECONDS" -lt "$deadline" ]; do
    # Any HTTP answer below 500 (the login redirect is a 302) means ShinyProxy is serving.
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:8080/ || true)
    if [ "${code:-000}" != 000 ] && [ "$code" -lt 500 ]; then return 0; fi
    sleep 2
  done
  return 1
}

# The last lines of a command's output, indented, for the reason shown to the user.
tail_of() { tail -n "${2:-15}" "$1" | sed 's/^/    /'; }

reject() {
  local reason=$1
  write_status rejected "$reason"
  log "REJECTED: $reason"
  printf 'RESULT: rejected: %s\n' "${reason%%$'\n'*}"
  exit 1
}

rollback_failed() {
  local reason=$1
  write_status rollback-failed "$reason"
  log "ROLLBACK FAILED: $reason"
  printf 'RESULT: rollback-failed: %s\n' "${reason%%$'\n'*}"
  exit 3
}

new_nginx=
new_app=
while [ $# -gt 0 ]; do
  case $1 in
    --nginx) [ $# -ge 2 ] || usage; new_nginx=$2; shift 2 ;;
    --application) [ $# -ge 2 ] || usage; new_app=$2; shift 2 ;;
    -h | --help) usage ;;
    *) printf '%s: unknown argument %s\n' "$me" "$1" >&2; usage ;;
  esac
done
if [ -z "$new_nginx" ] || [ -z "$new_app" ]; then usage; fi
for f in "$new_nginx" "$new_app"; do
  [ -s "$f" ] || { printf '%s: %s is missing or empty\n' "$me" "$f" >&2; exit 2; }
done

mkdir -p "$state_dir" "$previous_dir"
# One apply at a time: a second Run Command waits instead of interleaving swaps.
exec 9>"$state_dir/apply.lock"
flock -w 600 9 || reject "another apply is still running after 10 minutes"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "checking the new application.yml"
if ! python3 "$config_helper" check-yaml "$new_app" >"$work/yaml.out" 2>&1; then
  reject "the new application.yml is not usable: $(cat "$work/yaml.out")"
fi

python3 "$config_helper" images "$new_app" >"$work/images"
while IFS= read -r image; do
  [ -n "$image" ] || continue
  log "pulling $image"
  if ! hook "$pull" "$image" >"$work/pull.out" 2>&1; then
    reject "could not pull $image (nothing was changed):
$(tail_of "$work/pull.out" 10)"
  fi
done <"$work/images"

app_changed=yes
if [ -f "$app_target" ] && cmp -s "$new_app" "$app_target"; then app_changed=no; fi
nginx_changed=yes
if [ -f "$nginx_target" ] && cmp -s "$new_nginx" "$nginx_target"; then nginx_changed=no; fi

backup "$nginx_target" shinyproxy.conf
backup "$app_target" application.yml

log "checking nginx with the new snippet in place"
install_atomic "$new_nginx" "$nginx_target"
if ! hook "$nginx_test" >"$work/nginx-t.out" 2>&1; then
  restore "$nginx_target" shinyproxy.conf
  reject "nginx -t rejected the new nginx/shinyproxy.conf; the previous config is still live:
$(tail_of "$work/nginx-t.out")"
fi

install_atomic "$new_app" "$app_target"
if [ "$app_changed" = yes ]; then
  log "restarting ShinyProxy with the new application.yml"
  hook "$restart_shinyproxy" >"$work/restart.out" 2>&1 || true
else
  log "application.yml unchanged; ShinyProxy keeps running"
fi
if ! wait_for_shinyproxy >"$work/health.out" 2>&1; then
  restore "$nginx_target" shinyproxy.conf
  restore "$app_target" application.yml
  reason="ShinyProxy did not answer on 127.0.0.1:8080 with the new application.yml; the previous config was put back"
  if [ "$app_changed" = yes ]; then
    hook "$restart_shinyproxy" >>"$work/restart.out" 2>&1 || true
    if ! wait_for_shinyproxy >>"$work/health.out" 2>&1; then
      rollback_failed "$reason, but ShinyProxy does not answer with it either:
$(tail_of "$work/health.out")"
    fi
  fi
  reject "$reason:
$(tail_of "$work/health.out")"
fi

log "reloading nginx"
if ! hook "$reload_nginx" >"$work/reload.out" 2>&1; then
  restore "$nginx_target" shinyproxy.conf
  restore "$app_target" application.yml
  if [ "$app_changed" = yes ]; then hook "$restart_shinyproxy" >>"$work/restart.out" 2>&1 || true; fi
  hook "$reload_nginx" >>"$work/reload.out" 2>&1 ||
    rollback_failed "nginx reload failed, and failed again with the previous config:
$(tail_of "$work/reload.out")"
  reject "nginx reload failed; the previous config was put back:
$(tail_of "$work/reload.out")"
fi

if [ "$app_changed" = no ] && [ "$nginx_changed" = no ]; then
  write_status unchanged "the delivered config was already live"
  log "OK: nothing changed"
  printf 'RESULT: unchanged\n'
else
  write_status applied "nginx snippet changed: $nginx_changed; application.yml changed: $app_changed"
  log "OK: applied (nginx snippet changed: $nginx_changed, application.yml changed: $app_changed)"
  printf 'RESULT: applied\n'
fi
