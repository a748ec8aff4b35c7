#!/usr/bin/env bash
# shinykit-bootstrap: turns a fresh Amazon Linux 2023 instance (x86_64 or arm64) into the
# shinykit host, with no person at a shell. cloud-init runs it once per instance (user data
# wrote it and /etc/shinykit/host.env); running it again is safe: every step checks first.
#
#   Docker (unix socket only; published ports on 127.0.0.1) with the ECR credential helper,
#   nginx (starting page + ACME until the first apply), lego + shinykit-tls (certificate restored
#   from Parameter Store or a placeholder, then timer-driven issuance and renewal), Corretto + ShinyProxy on 127.0.0.1:8080, CloudWatch Logs shipping, then the last
#   config the host accepted is re-applied from Parameter Store.
#
# CloudFormation waits for this script (creation policy): it signals SUCCESS once nginx, Docker
# and ShinyProxy answer locally, FAILURE (with the failing step as the signal's id) otherwise;
# cfn-signal is installed first, on its own, so that holds from the second step on.
# The log tail then goes to the serial console, CloudWatch Logs and <prefix>status/bootstrap.
set -Eeuo pipefail
umask 022
# SHINYKIT_TEST_* and the overrides below exist for test/host/host-bootstrap-run.test.ts only.
export PATH=${SHINYKIT_TEST_BIN:+$SHINYKIT_TEST_BIN:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
# shellcheck source=/dev/null
. "${SHINYKIT_ENV_FILE:-/etc/shinykit/host.env}"
export AWS_REGION=$SHINYKIT_REGION AWS_DEFAULT_REGION=$SHINYKIT_REGION

share=/usr/local/share/shinykit
state=${SHINYKIT_STATE_DIR:-/var/lib/shinykit}
log_dir=${SHINYKIT_LOG_DIR:-/var/log/shinykit}
cfn_signal_bin=${SHINYKIT_CFN_SIGNAL:-/opt/aws/bin/cfn-signal}
console=${SHINYKIT_CONSOLE:-/dev/console}
retry_delay=${SHINYKIT_RETRY_DELAY:-10}
log=$log_dir/bootstrap.log
mkdir -p "$log_dir" "$state"
exec > >(tee -a "$log") 2>&1

current_step=start
step() {
  current_step=$1
  printf '\n== %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1"
}

imds() {
  local token
  token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/$1"
}

publish_bootstrap_status() {
  # json.dumps, then the detail is cut until the document fits a Standard-tier parameter (4 KB).
  python3 - "$1" "$current_step" "$2" "${checksum_source:-n/a}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$state/bootstrap.json" <<'PY'
import json, sys
result, step, detail, checksum, time = sys.argv[1:6]
doc = {"result": result, "step": step, "detail": detail, "shinyproxyChecksum": checksum, "time": time}
while len(json.dumps(doc).encode("utf-8")) > 4096:
    doc["detail"] = "..." + doc["detail"][len(doc["detail"]) // 4 + 4:]
print(json.dumps(doc))
PY
  shinykit-publish-status bootstrap "$state/bootstrap.json" || true
}

cfn_signal() {
  local exit_code=$1 id=$2
  if [ -x "$cfn_signal_bin" ]; then
    "$cfn_signal_bin" -e "$exit_code" --id "$id" --stack "$SHINYKIT_STACK" \
      --resource "$SHINYKIT_RESOURCE" --region "$SHINYKIT_REGION" ||
      echo "cfn-signal failed (normal when re-running after the stack finished)"
  else
    echo "cfn-signal is not installed; CloudFormation will time out waiting for this host"
  fi
}

on_error() {
  local rc=$?
  # set -E runs this trap in command substitutions too ($(imds ...)): leave the report
  # to the main shell, or the failure is signalled twice and the second id is garbage.
  if [ "$BASHPID" != "$$" ]; then exit "$rc"; fi
  trap - ERR
  echo "BOOTSTRAP FAILED in step '$current_step' (exit $rc); last lines of $log follow"
  local tail_text
  tail_text=$(tail -n 40 "$log")
  # The serial console is what `aws ec2 get-console-output` and the EC2 console's "system log" show.
  printf 'shinykit bootstrap failed in step %s:\n%s\n' "$current_step" "$tail_text" >"$console" 2>/dev/null || true
  publish_bootstrap_status failed "$tail_text"
  # A resource signal carries no message; its id (max 64 chars) names the instance and the step.
  local id
  id=$(printf '%s:failed:%s' "${instance_id:-instance}" "$current_step" | tr -c 'A-Za-z0-9:._-' '-' | cut -c1-64)
  cfn_signal 1 "$id"
  exit "$rc"
}
trap on_error ERR

retry() {
  local attempt
  for attempt in 1 2 3 4 5; do
    if "$@"; then return 0; fi
    echo "attempt $attempt of '$*' failed; retrying in $((attempt * retry_delay)) s"
    sleep $((attempt * retry_delay))
  done
  "$@"
}

wait_until() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$what did not answer within $seconds s"
      return 1
    fi
    sleep 3
  done
  echo "$what answers"
}

http_answers() {
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" || true)
  [ "${code:-000}" != 000 ]
}

# First, alone and retried: AL2023 ships no cfn-signal, and until aws-cfn-bootstrap is in
# place no failure can reach CloudFormation (it would wait out the 30-minute creation
# policy with no reason). Its own transaction, so a broken mirror for any other package
# cannot take it down with it. Every step after this one signals FAILURE with its name.
step cfn-bootstrap
if [ ! -x "$cfn_signal_bin" ]; then
  retry dnf -y -q install aws-cfn-bootstrap
fi

step metadata
instance_id=$(imds meta-data/instance-id)
account_id=$(imds dynamic/instance-identity/document | python3 -c 'import json, sys; print(json.load(sys.stdin)["accountId"])')
echo "instance $instance_id, account $account_id, region $SHINYKIT_REGION, architecture $(uname -m)"

step packages
# All from Amazon Linux 2023's own repositories (signed by Amazon), for either architecture.
retry dnf -y -q install docker nginx python3-pyyaml amazon-ecr-credential-helper \
  java-21-amazon-corretto-headless amazon-cloudwatch-agent openssl tar logrotate

# ---- TLS (issue 13): the pinned ACME client. Kept apart from the other steps on purpose. ----
# lego's release tarball for this architecture, checked against the SHA-256 in host.env
# (lib/host-bootstrap.ts, LEGO); a mismatch fails the bootstrap (fail closed).
install_lego() {
  local arch want tmp
  arch=$(uname -m)
  case $arch in
    x86_64) want=$SHINYKIT_LEGO_SHA256_X86_64; arch=amd64 ;;
    aarch64) want=$SHINYKIT_LEGO_SHA256_AARCH64; arch=arm64 ;;
    *) echo "no pinned lego for architecture $arch"; return 1 ;;
  esac
  if [ -x /usr/local/bin/lego ] && /usr/local/bin/lego --version | grep -qF "version $SHINYKIT_LEGO_VERSION "; then return 0; fi
  tmp=$(mktemp -d)
  retry curl -fsSL -o "$tmp/lego.tar.gz" \
    "https://github.com/go-acme/lego/releases/download/v$SHINYKIT_LEGO_VERSION/lego_v${SHINYKIT_LEGO_VERSION}_linux_$arch.tar.gz"
  echo "$want  $tmp/lego.tar.gz" | sha256sum -c -
  tar -xzf "$tmp/lego.tar.gz" -C "$tmp" lego
  install -m 0755 "$tmp/lego" /usr/local/bin/lego
  rm -rf "$tmp"
  /usr/local/bin/lego --version
}

step tls-client
install_lego

step logs
sed "s|@LOG_GROUP@|$SHINYKIT_LOG_GROUP|g" "$share/cloudwatch-agent.json" >"$state/cloudwatch-agent.json"
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c "file:$state/cloudwatch-agent.json"

step docker
mkdir -p /etc/docker
# assets/host/docker/daemon.json: no "hosts" (unix socket only); "ip": published ports bind to
# 127.0.0.1; "icc": false, so app containers cannot reach each other (or forge ShinyProxy's
# identity headers to another user's app); container logs capped at 3 x 10 MB.
install -m 0644 "$share/daemon.json" /etc/docker/daemon.json
systemctl enable docker
systemctl restart docker
wait_until "Docker" 60 docker info
# Pulls from this account's ECR use the instance role through the credential helper: no
# `docker login`, no stored keys, nothing that expires after 12 hours.
mkdir -p /root/.docker
printf '{\n  "credHelpers": { "%s.dkr.ecr.%s.amazonaws.com": "ecr-login" }\n}\n' \
  "$account_id" "$SHINYKIT_REGION" >/root/.docker/config.json

step shinyproxy-install
getent group shinyproxy >/dev/null || groupadd --system shinyproxy
id shinyproxy >/dev/null 2>&1 || useradd --system --gid shinyproxy --groups docker \
  --home-dir /var/lib/shinyproxy --create-home --shell /sbin/nologin shinyproxy
mkdir -p /etc/shinyproxy /opt/shinyproxy /var/log/shinyproxy/containers /var/www/acme
chown -R shinyproxy:shinyproxy /var/log/shinyproxy
version=$SHINYKIT_SHINYPROXY_VERSION
jar=/opt/shinyproxy/shinyproxy-$version.jar
checksum_source=pinned
[ -n "${SHINYKIT_SHINYPROXY_SHA256:-}" ] || checksum_source=unverified
if [ ! -f "$jar" ]; then
  # Fails closed on a checksum mismatch or an unknown checksum (assets/host/shinykit-shinyproxy-jar.sh).
  SHINYKIT_SHINYPROXY_VERSION=$version SHINYKIT_SHINYPROXY_URL=$SHINYKIT_SHINYPROXY_URL \
    SHINYKIT_SHINYPROXY_SHA256=${SHINYKIT_SHINYPROXY_SHA256:-} \
    SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED=${SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED:-no} \
    shinykit-shinyproxy-jar "$jar"
fi
ln -sfn "$jar" /opt/shinyproxy/shinyproxy.jar

step memory
# Swap and ShinyProxy's capped heap (assets/host/shinykit-memory.sh).
shinykit-memory

step log-rotation
# ShinyProxy's, the kit's and the app containers' logs (nginx's package usually brings its own rule).
install -m 0644 "$share/logrotate-shinykit" /etc/logrotate.d/shinykit
[ -f /etc/logrotate.d/nginx ] || install -m 0644 "$share/logrotate-nginx" /etc/logrotate.d/nginx
install -m 0644 "$share/tmpfiles-shinykit.conf" /etc/tmpfiles.d/shinykit.conf
systemctl enable --now logrotate.timer systemd-tmpfiles-clean.timer

step files
install -m 0644 "$share/nginx.conf" /etc/nginx/nginx.conf
rm -f /etc/nginx/conf.d/default.conf
mkdir -p "$share/www"
install -m 0644 "$share/starting.html" "$share/www/starting.html"
# The starting config and ShinyProxy's initial config only fill gaps: an applied config stays.
if [ ! -f /etc/nginx/conf.d/shinyproxy.conf ]; then
  sed "s|@SITE_HOSTNAME@|$SHINYKIT_SITE_HOSTNAME|g" "$share/starting.conf" >/etc/nginx/conf.d/shinyproxy.conf
fi
if [ ! -f /etc/shinyproxy/application.yml ]; then
  install -m 0644 "$share/application-initial.yml" /etc/shinyproxy/application.yml
fi
# TLS: the stored certificate if it is still good for this site, else a placeholder; no CA call.
shinykit-tls --boot
systemctl daemon-reload

step nginx
nginx -t
systemctl enable nginx
if systemctl is-active --quiet nginx; then systemctl reload nginx; else systemctl start nginx; fi
wait_until "nginx on 127.0.0.1:80" 60 http_answers http://127.0.0.1/

step shinyproxy
systemctl enable shinyproxy
systemctl start shinyproxy
wait_until "ShinyProxy on 127.0.0.1:8080" 300 http_answers http://127.0.0.1:8080/

step host-facts
# What `shinykit apply` renders for: the nginx version decides `listen ... http2` (before 1.25.1)
# or `http2 on;` (from 1.25.1, where the listen parameter is deprecated).
nginx_version=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')
python3 -c 'import json, sys; print(json.dumps({"nginxVersion": sys.argv[1], "shinyproxyVersion": sys.argv[2]}))' \
  "$nginx_version" "$version" >"$state/host.json"
shinykit-publish-status host "$state/host.json" || true

step reapply
# A replaced or rebuilt host picks up the config the previous one had accepted. A failure here
# leaves the working config in place, so it is reported, not fatal.
if ! shinykit-deliver config; then
  echo "WARNING: re-applying the last accepted config failed; see $log_dir/apply.log and status/last-apply"
fi
systemctl enable shinykit-reapply.service

step tls
systemctl enable --now shinykit-tls.timer

step finish
publish_bootstrap_status ok "nginx, Docker and ShinyProxy answer locally"
cfn_signal 0 "$instance_id"
echo "bootstrap finished"
