#!/usr/bin/env bash
# shinykit-apply: put a new nginx snippet and ShinyProxy application.yml live, or keep the old ones.
#
#   shinykit-apply.sh --nginx <file> --application <file>
#
# Order (nothing live changes until every check that can run offline has passed):
#   1. parse the new application.yml (YAML, a proxy: section, specs with ids), and read the apps'
#      secrets it references (shinykit.app-secrets) with the instance role into a staging area
#   2. pull every image it names, so the first user after a deploy does not wait for a pull
#   3. back up the current files, swap the nginx snippet in (rename = atomic), run `nginx -t`
#      against the full nginx config (nginx itself only rereads on reload, so traffic is untouched)
#   4. swap application.yml and the apps' secret files in, restart ShinyProxy only if
#      application.yml changed (ShinyProxy rereads an app's env file at every container start),
#      wait until it answers
#   5. reload nginx
#   6. through nginx, check the login: /oauth2/authorization/shinyproxy must redirect to this user
#      pool's Cognito domain with redirect_uri https://<site>/login/oauth2/code/shinyproxy (the one
#      callback URL Cognito accepts), so a broken OpenID setting is caught here, not by the users
#   7. record what is live (applied.json) and remove images of the apps' repositories that neither
#      the live nor the previous application.yml names (the previous one's stay for a rollback)
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
#   SHINYKIT_SITE_HOSTNAME        the site (host.env); without it the login check is skipped
#   SHINYKIT_COGNITO_DOMAIN_URL   the pool's hosted UI base URL (host.env) the login must go to
#   SHINYKIT_HTTPS_PORT           nginx's https port on 127.0.0.1 (default 443)
#   SHINYKIT_LOGIN_TIMEOUT        seconds the login check keeps trying (default 60)
#   SHINYKIT_DOCKER               the docker command for pruning images (default: docker)
#   SHINYKIT_CONFIG_META          the delivered set's manifest meta (id, createdAt, createdBy), recorded
#   SHINYKIT_AWS                  the aws command reading the apps' secrets, split on spaces (default: aws)
#   SHINYKIT_APP_ENV_OWNER        owner:group of the apps' secret files (default: shinyproxy:shinyproxy)
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
site=${SHINYKIT_SITE_HOSTNAME:-}
auth_base=${SHINYKIT_COGNITO_DOMAIN_URL:-}
https_port=${SHINYKIT_HTTPS_PORT:-443}
login_timeout=${SHINYKIT_LOGIN_TIMEOUT:-60}
config_meta=${SHINYKIT_CONFIG_META:-}
read -r -a docker <<<"${SHINYKIT_DOCKER:-docker}"
read -r -a aws <<<"${SHINYKIT_AWS:-aws}"

nginx_target=${root}etc/nginx/conf.d/shinyproxy.conf
app_target=${root}etc/shinyproxy/application.yml
state_dir=${root}var/lib/shinykit
previous_dir=$state_dir/previous
status_file=$state_dir/last-apply.json
applied_file=$state_dir/applied.json
# The apps' resolved secrets (lib/render/host.ts APP_ENV_DIR): on /run, a tmpfs, so never on disk.
app_env_dir=${root}run/shinykit-app-env
app_env_stage=$app_env_dir/.new
app_env_previous=$app_env_dir/.previous
app_env_owner=${SHINYKIT_APP_ENV_OWNER:-shinyproxy:shinyproxy}

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

write_status() {
  # JSON-encoded by python and cut to fit one Standard-tier parameter (4 KB) when published.
  mkdir -p "$state_dir"
  python3 "$config_helper" apply-status "$status_file" "$1" "$2" "$nginx_target" "$app_target" ${config_meta:+"$config_meta"}
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

# Asks nginx (as a browser would) to start the login and checks where it is sent.
check_login() {
  local expected=$1 deadline=$((SECONDS + login_timeout)) answer location
  while :; do
    answer=$(curl -sSk -o /dev/null -m 10 -w '%{http_code} %{redirect_url}' \
      --resolve "$site:$https_port:127.0.0.1" "https://$site:$https_port/oauth2/authorization/shinyproxy" 2>"$work/curl.err" || true)
    location=${answer#* }
    [ "$location" != "$answer" ] || location=
    if python3 "$config_helper" check-login "$location" "$expected" "$site" >"$work/login.out" 2>&1; then
      cat "$work/login.out"
      return 0
    fi
    # ShinyProxy may still be warming up (a 502/503 without a redirect); a wrong redirect will not change.
    if [ -n "$location" ] || [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s (HTTP %s%s)\n' "$(cat "$work/login.out")" "${answer%% *}" "$(head -c 300 "$work/curl.err" | tr '\n' ' ' | sed 's/^./; &/')"
      return 1
    fi
    sleep 2
  done
}

# Removes images of the configs' repositories that neither the live nor the previous
# application.yml names. Best effort: an image in use by a running session stays (docker refuses).
prune_images() {
  local keep=("$app_target")
  [ -f "$previous_dir/application.yml" ] && keep+=("$previous_dir/application.yml")
  "${docker[@]}" image ls --digests --format '{{.ID}} {{.Repository}} {{.Tag}} {{.Digest}}' >"$work/images.txt" 2>"$work/prune.err" ||
    { log "image pruning skipped: $(tail -n 1 "$work/prune.err")"; return 0; }
  python3 "$config_helper" prune "$work/images.txt" "${keep[@]}" >"$work/prune.ids" || return 0
  local id removed=0
  while IFS= read -r id; do
    [ -n "$id" ] || continue
    if "${docker[@]}" image rm "$id" >/dev/null 2>&1; then removed=$((removed + 1)); fi
  done <"$work/prune.ids"
  log "removed $removed image(s) no live or previous config names"
}

# ---- App secrets (apps[].secrets with the Docker backend) ----
# ShinyProxy itself reads each spec's container-env-file (containerproxy's buildEnv, with
# java.util.Properties) as user shinyproxy whenever it starts a container of that app, and hands
# the values to Docker. So each app's file belongs to that user, mode 0600, in a directory only
# root and the shinyproxy group may enter. A value travels from the aws CLI's stdout through a
# pipe into the file: never through argv, a log line, the status document or the terminal.

# Prints the aws CLI's JSON answer (one string: the value) for a reference.
fetch_secret() {
  local service=$1 id=$2 region=$3
  local where=()
  [ -z "$region" ] || where=(--region "$region")
  case $service in
    ssm) "${aws[@]}" "${where[@]}" ssm get-parameter --name "$id" --with-decryption --query Parameter.Value --output json ;;
    secretsmanager) "${aws[@]}" "${where[@]}" secretsmanager get-secret-value --secret-id "$id" --query SecretString --output json ;;
    *) echo "unknown secret service $service" >&2; return 1 ;;
  esac
}

# Resolves every reference of the new application.yml into $app_env_stage/<app>.env. Prints the
# number of values; on failure prints why (never a value) and returns 1, with nothing live changed.
# It runs where errexit does not apply (a command substitution under `if`), so every step is checked.
stage_app_secrets() (
  umask 077
  local app name service id region count=0 f group=${app_env_owner#*:}
  python3 "$config_helper" secret-refs "$new_app" >"$work/secret-refs" 2>"$work/secret-refs.err" || { cat "$work/secret-refs.err"; return 1; }
  if [ ! -s "$work/secret-refs" ] && [ ! -d "$app_env_dir" ]; then
    echo 0 # no app has secrets, and none had: nothing to write or remove
    return 0
  fi
  if ! { mkdir -p "$app_env_dir" && chmod 0750 "$app_env_dir" && chown ":$group" "$app_env_dir" &&
    rm -rf "$app_env_stage" && mkdir "$app_env_stage"; } 2>"$work/secret.err"; then
    echo "cannot prepare $app_env_dir for group $group: $(tail -n 1 "$work/secret.err")"
    return 1
  fi
  while IFS=$'\t' read -r app name service id region; do
    [ -n "$app" ] || continue
    if ! fetch_secret "$service" "$id" "$region" 2>"$work/secret.err" |
      python3 "$config_helper" env-entry "$name" >>"$app_env_stage/$app.env" 2>>"$work/secret.err"; then
      printf 'could not read %s of app %s (%s:%s): %s\n' "$name" "$app" "$service" "$id" "$(tail -n 3 "$work/secret.err" | tr '\n' ' ')"
      printf 'Check that it exists and that shinykit.yaml names it under apps[].secrets, then deploy the stacks: the host role may read only the secrets the config names.\n'
      rm -rf "$app_env_stage"
      return 1
    fi
    count=$((count + 1))
  done <"$work/secret-refs"
  for f in "$app_env_stage"/*.env; do
    [ -e "$f" ] || continue
    # ShinyProxy's user must be able to read it, and nobody else.
    if ! { chmod 0600 "$f" && chown "$app_env_owner" "$f"; } 2>"$work/secret.err"; then
      echo "cannot give ${f##*/} to $app_env_owner: $(tail -n 1 "$work/secret.err")"
      rm -rf "$app_env_stage"
      return 1
    fi
  done
  echo "$count"
)

# Puts the staged files live (one rename each) and removes those of apps without secrets now;
# the previous files stay, hard-linked, in $app_env_previous until the apply is done.
install_app_secrets() {
  local f
  if [ ! -d "$app_env_stage" ]; then return 0; fi
  rm -rf "$app_env_previous"
  mkdir -m 0700 "$app_env_previous"
  for f in "$app_env_dir"/*.env; do
    if [ -e "$f" ]; then ln "$f" "$app_env_previous/"; fi
  done
  replace_env_files "$app_env_stage" "$app_env_dir"
}

restore_app_secrets() {
  if [ ! -d "$app_env_previous" ]; then return 0; fi
  replace_env_files "$app_env_previous" "$app_env_dir"
}

# Leaves directory $2 holding exactly the *.env files of directory $1 (moved, so no value is
# ever copied), then removes $1.
replace_env_files() {
  local from=$1 to=$2 f
  for f in "$to"/*.env; do
    if [ -e "$f" ] && [ ! -e "$from/${f##*/}" ]; then rm -f "$f"; fi
  done
  for f in "$from"/*.env; do
    if [ -e "$f" ]; then mv -f "$f" "$to/"; fi
  done
  rm -rf "$from"
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

if ! python3 "$config_helper" secret-refs "$new_app" >/dev/null 2>"$work/yaml.out"; then
  reject "the new application.yml is not usable: $(cat "$work/yaml.out")"
fi
if ! app_secret_count=$(stage_app_secrets 2>&1); then
  reject "the apps' secrets could not be read (nothing was changed): $app_secret_count"
fi
log "app secrets: $app_secret_count value(s) read for the apps' env files (values are never shown)"

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
install_app_secrets
if [ "$app_changed" = yes ]; then
  log "restarting ShinyProxy with the new application.yml"
  hook "$restart_shinyproxy" >"$work/restart.out" 2>&1 || true
else
  log "application.yml unchanged; ShinyProxy keeps running"
fi
if ! wait_for_shinyproxy >"$work/health.out" 2>&1; then
  restore "$nginx_target" shinyproxy.conf
  restore "$app_target" application.yml
  restore_app_secrets
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
  restore_app_secrets
  if [ "$app_changed" = yes ]; then hook "$restart_shinyproxy" >>"$work/restart.out" 2>&1 || true; fi
  hook "$reload_nginx" >>"$work/reload.out" 2>&1 ||
    rollback_failed "nginx reload failed, and failed again with the previous config:
$(tail_of "$work/reload.out")"
  reject "nginx reload failed; the previous config was put back:
$(tail_of "$work/reload.out")"
fi

if [ "$app_changed" = yes ] || [ "$nginx_changed" = yes ]; then
  expected=$auth_base
  new_auth=$(python3 "$config_helper" auth-url "$app_target")
  if [ -z "$site" ] || [ -z "$new_auth" ]; then
    log "login check skipped: ${site:+the config has no OpenID login}${site:-SHINYKIT_SITE_HOSTNAME is not set}"
  else
    if [ -z "$expected" ]; then
      expected=$new_auth
      log "SHINYKIT_COGNITO_DOMAIN_URL is not set: checking the login against the config's own auth-url"
    fi
    log "checking the login through nginx: https://$site/oauth2/authorization/shinyproxy"
    if ! check_login "$expected" >"$work/login.txt" 2>&1; then
      restore "$nginx_target" shinyproxy.conf
      restore "$app_target" application.yml
      restore_app_secrets
      if [ "$app_changed" = yes ]; then
        hook "$restart_shinyproxy" >>"$work/restart.out" 2>&1 || true
        wait_for_shinyproxy >>"$work/health.out" 2>&1 ||
          rollback_failed "the login check failed ($(head -n 1 "$work/login.txt")), and ShinyProxy does not answer with the previous config"
      fi
      hook "$reload_nginx" >>"$work/reload.out" 2>&1 ||
        rollback_failed "the login check failed, and nginx did not reload the previous config:
$(tail_of "$work/reload.out")"
      reject "the login check failed: $(head -n 1 "$work/login.txt"); the previous config was put back"
    fi
    log "$(head -n 1 "$work/login.txt")"
  fi
fi

rm -rf "$app_env_previous"
if [ "$app_changed" = no ] && [ "$nginx_changed" = no ]; then
  write_status unchanged "the delivered config was already live"
  cp "$status_file" "$applied_file"
  log "OK: nothing changed"
  printf 'RESULT: unchanged\n'
else
  write_status applied "nginx snippet changed: $nginx_changed; application.yml changed: $app_changed"
  cp "$status_file" "$applied_file"
  prune_images
  log "OK: applied (nginx snippet changed: $nginx_changed, application.yml changed: $app_changed)"
  printf 'RESULT: applied\n'
fi
