#!/usr/bin/env bash
# shinykit-tls: the site's certificate, from Let's Encrypt through lego (ACME), kept across hosts.
#
#   shinykit-tls --boot   before nginx starts (bootstrap): restore the ACME state from the store,
#                         serve the stored certificate if it is still good for this site, else a
#                         fresh self-signed placeholder; write the HSTS include. Never calls the CA.
#   shinykit-tls          (shinykit-tls.timer) the same local checks, then: no certificate yet ->
#                         `lego run`; one exists -> `lego renew --dynamic` (ACME Renewal Information
#                         first, else renew with 1/3 of the lifetime left, 1/2 for certificates of
#                         10 days or less such as the 160-hour "shortlived" ones). A new certificate
#                         is installed and nginx reloaded under the apply lock, then saved to the store.
#
# Site: SHINYKIT_SITE_HOSTNAME is a DNS name (`domain`, or <ip>.sslip.io) or the Elastic IP itself.
# Let's Encrypt issues IP-address certificates only under the "shortlived" profile; the stack sets
# SHINYKIT_TLS_PROFILE accordingly (empty: the CA's default profile, 90 days at Let's Encrypt).
#
# Store: account key, certificate and key (lego's directory, tar.gz, base64) in one SecureString
# parameter <prefix>tls/acme (advanced tier: up to 8 KB; encrypted with the account's aws/ssm key;
# the host role is the only role of the kit allowed to read or write it). A replacement host serves
# the stored certificate at once and asks the CA only when renewal is due.
#
# HSTS: nothing while the placeholder is served (browsers ignore HSTS on an untrusted connection
# anyway); a short max-age while a trusted certificate is new; the long one once a trusted
# certificate has been served for SHINYKIT_HSTS_SETTLE_SECONDS (default 7 days: longer than one
# shortlived certificate, so at least one renewal has worked before browsers pin HTTPS for 2 years).
#
# Status: <prefix>status/tls (JSON: mode, issuer, names, expiry, profile, HSTS, last ACME error) for
# `shinykit doctor`. Exit 0 whatever the CA said (the timer retries with backoff); 1 on local faults.
#
# Everything host-specific is injectable (test/e2e/tls-pebble.test.ts runs this against pebble):
#   SHINYKIT_ENV_FILE, SHINYKIT_STATE_DIR, SHINYKIT_TLS_DIR (served files + hsts.conf),
#   SHINYKIT_ACME_WEBROOT, SHINYKIT_ACME_SERVER (directory URL), SHINYKIT_ACME_CA_BUNDLE (CA of the
#   ACME server's own TLS), SHINYKIT_TLS_TRUST_BUNDLE (roots a browser trusts), SHINYKIT_LEGO,
#   SHINYKIT_RELOAD_NGINX, SHINYKIT_AWS, SHINYKIT_PUBLISH_STATUS, SHINYKIT_PUBLIC_IP, SHINYKIT_RESOLVER,
#   SHINYKIT_HSTS_SHORT_SECONDS, SHINYKIT_HSTS_LONG_SECONDS, SHINYKIT_HSTS_SETTLE_SECONDS,
#   SHINYKIT_TLS_RETRY_SECONDS (base of the failure backoff), SHINYKIT_ARI_INTERVAL_SECONDS.
set -euo pipefail
umask 022

me=shinykit-tls
# shellcheck source=/dev/null
. "${SHINYKIT_ENV_FILE:-/etc/shinykit/host.env}"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:$PATH
export AWS_DEFAULT_REGION=${SHINYKIT_REGION:-${AWS_DEFAULT_REGION:-}}

site=${SHINYKIT_SITE_HOSTNAME:?host.env must set SHINYKIT_SITE_HOSTNAME}
profile=${SHINYKIT_TLS_PROFILE:-}
email=${SHINYKIT_TLS_EMAIL:-}
state=${SHINYKIT_STATE_DIR:-/var/lib/shinykit}
tls_dir=${SHINYKIT_TLS_DIR:-/etc/shinykit/tls}
webroot=${SHINYKIT_ACME_WEBROOT:-/var/www/acme}
server=${SHINYKIT_ACME_SERVER:-https://acme-v02.api.letsencrypt.org/directory}
# Amazon Linux 2023's system roots: what "trusted" means for the served certificate.
trust=${SHINYKIT_TLS_TRUST_BUNDLE:-/etc/pki/tls/certs/ca-bundle.crt}
lego=${SHINYKIT_LEGO:-lego}
reload_nginx=${SHINYKIT_RELOAD_NGINX:-systemctl reload nginx}
publish=${SHINYKIT_PUBLISH_STATUS:-shinykit-publish-status}
# The system resolver (what Let's Encrypt's view of DNS should agree with); split on spaces.
resolver=${SHINYKIT_RESOLVER:-getent ahostsv4}
read -r -a aws <<<"${SHINYKIT_AWS:-aws}"
hsts_short=${SHINYKIT_HSTS_SHORT_SECONDS:-300}
hsts_long=${SHINYKIT_HSTS_LONG_SECONDS:-63072000}
hsts_settle=${SHINYKIT_HSTS_SETTLE_SECONDS:-604800}
retry_base=${SHINYKIT_TLS_RETRY_SECONDS:-900}
ari_interval=${SHINYKIT_ARI_INTERVAL_SECONDS:-21600}
if [ -n "${SHINYKIT_ACME_CA_BUNDLE:-}" ]; then export LEGO_CA_CERTIFICATES=$SHINYKIT_ACME_CA_BUNDLE; fi

acme=$state/acme
store_name=${SHINYKIT_PREFIX%/}/tls/acme
fullchain=$tls_dir/fullchain.pem
privkey=$tls_dir/privkey.pem
hsts_conf=$tls_dir/hsts.conf
status_file=$state/tls.json
# lego names its files after the first domain, ':' becoming '-' (IPv6).
lego_cert=$acme/certificates/${site//:/-}.crt
lego_key=$acme/certificates/${site//:/-}.key
trusted_since_file=$acme/shinykit-trusted-since
failures_file=$state/tls-failures
last_error_file=$state/tls-last-error
ari_checked_file=$state/tls-ari-checked
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { printf '%s: %s\n' "$me" "$*"; }
now() { date -u +%s; }

is_ip() { [[ $site =~ ^[0-9]+(\.[0-9]+){3}$ || $site == *:* ]]; }

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/ }
  s=${s//$'\r'/}
  s=${s//$'\n'/\\n}
  printf '%s' "$s"
}

# ---- certificate facts (openssl only) ----

not_after() { date -u -d "$(openssl x509 -enddate -noout -in "$1" | cut -d= -f2)" +%s; }
not_before() { date -u -d "$(openssl x509 -startdate -noout -in "$1" | cut -d= -f2)" +%s; }

# The certificate chain in $1 is trusted by the system roots, unexpired, and names this site.
trusted() {
  local file=$1 name_check=(-verify_hostname "$site")
  [ -s "$file" ] || return 1
  if is_ip; then name_check=(-verify_ip "$site"); fi
  openssl x509 -in "$file" -out "$work/leaf.pem" 2>/dev/null || return 1
  openssl verify -CAfile "$trust" -untrusted "$file" "${name_check[@]}" "$work/leaf.pem" >/dev/null 2>&1
}

# Renewal is due: 1/3 of the lifetime left, 1/2 for lifetimes of 10 days or less (lego's --dynamic rule).
renewal_due() {
  local file=$1 start end life divisor=3
  start=$(not_before "$file")
  end=$(not_after "$file")
  life=$((end - start))
  if [ "$life" -le $((10 * 86400)) ]; then divisor=2; fi
  [ "$(now)" -ge $((end - life / divisor)) ]
}

# ---- the served files ----

install_pair() {
  local cert=$1 key=$2
  mkdir -p "$tls_dir"
  cp "$cert" "$fullchain.new"
  install -m 0600 "$key" "$privkey.new"
  mv -f "$privkey.new" "$privkey"
  mv -f "$fullchain.new" "$fullchain"
}

# A self-signed certificate for this site, so nginx can start before the CA answers. Marked by
# its subject so the status can tell it from a real one; regenerated before it expires.
placeholder() {
  local san="DNS:$site"
  if is_ip; then san="IP:$site"; fi
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/O=shinykit placeholder/CN=$site" -addext "subjectAltName=$san" \
    -keyout "$work/placeholder.key" -out "$work/placeholder.crt" 2>/dev/null
  install_pair "$work/placeholder.crt" "$work/placeholder.key"
  log "serving a self-signed placeholder for $site until the CA issues a certificate"
}

# Serves the best local certificate: lego's, if trusted for this site; else keeps a served one that
# is still good; else a new placeholder. A placeholder expiring within a day is replaced, never served.
choose_served() {
  if trusted "$lego_cert" && ! cmp -s "$lego_cert" "$fullchain"; then
    install_pair "$lego_cert" "$lego_key"
    log "serving the certificate from the ACME state (valid until $(date -u -d "@$(not_after "$lego_cert")" +%FT%TZ))"
    return
  fi
  if trusted "$fullchain" && openssl x509 -checkend 0 -noout -in "$fullchain" >/dev/null 2>&1; then return; fi
  if [ -s "$fullchain" ] && openssl x509 -checkend 86400 -noout -in "$fullchain" >/dev/null 2>&1 &&
    served_is_placeholder_for_site; then
    return
  fi
  placeholder
}

served_is_placeholder_for_site() {
  local subject
  subject=$(openssl x509 -subject -noout -nameopt RFC2253 -in "$fullchain" 2>/dev/null || true)
  [[ $subject == *"O=shinykit placeholder"* && $subject == *"CN=$site"* ]]
}

# The HSTS include the nginx snippet loads; prints "none", "short" or "long".
write_hsts() {
  local stage=none line='# shinykit-tls: no HSTS while the self-signed placeholder is served'
  if trusted "$fullchain"; then
    local since
    since=$(cat "$trusted_since_file" 2>/dev/null || true)
    if ! [[ $since =~ ^[0-9]+$ ]]; then
      since=$(now)
      mkdir -p "$acme"
      echo "$since" >"$trusted_since_file"
    fi
    if [ $(($(now) - since)) -ge "$hsts_settle" ]; then
      stage=long
      line="add_header Strict-Transport-Security \"max-age=$hsts_long\" always;"
    else
      stage=short
      line="add_header Strict-Transport-Security \"max-age=$hsts_short\" always;"
    fi
  else
    rm -f "$trusted_since_file"
  fi
  mkdir -p "$tls_dir"
  printf '%s\n' "$line" >"$hsts_conf.new"
  if cmp -s "$hsts_conf.new" "$hsts_conf"; then rm -f "$hsts_conf.new"; else mv -f "$hsts_conf.new" "$hsts_conf"; fi
  printf '%s' "$stage"
}

# ---- the store (Parameter Store SecureString) ----

store_restore() {
  if [ -s "$lego_cert" ]; then return 0; fi
  if ! "${aws[@]}" ssm get-parameter --name "$store_name" --with-decryption \
    --query Parameter.Value --output text >"$work/store.b64" 2>"$work/store.err"; then
    if grep -q ParameterNotFound "$work/store.err"; then
      log "nothing stored at $store_name yet"
    else
      log "WARNING: could not read $store_name: $(tail -n 2 "$work/store.err")"
    fi
    return 0
  fi
  mkdir -p "$acme"
  chmod 0700 "$acme"
  if base64 -d "$work/store.b64" | tar -xzf - -C "$acme"; then
    log "restored the ACME account and certificates from $store_name"
  else
    log "WARNING: $store_name could not be unpacked; ignoring it"
  fi
}

store_save() {
  tar -czf - -C "$acme" . | base64 -w0 >"$work/save.b64"
  local size
  size=$(wc -c <"$work/save.b64")
  if [ "$size" -gt 8192 ]; then
    log "WARNING: the ACME state is $size bytes, over the 8 KB of an advanced parameter; not stored"
    return 0
  fi
  if "${aws[@]}" ssm put-parameter --name "$store_name" --type SecureString --tier Advanced --overwrite \
    --description "shinykit: ACME account and certificate of the site (written by the host)" \
    --value "file://$work/save.b64" >/dev/null 2>"$work/store.err"; then
    log "saved the ACME state to $store_name ($size bytes)"
  else
    log "WARNING: could not save the ACME state to $store_name: $(tail -n 2 "$work/store.err")"
  fi
}

# ---- status ----

report() {
  local mode=$1 detail=$2 error=${3:-} error_kind=${4:-} hsts=${5:-none}
  local issuer='' names='' expiry=''
  if [ -s "$fullchain" ]; then
    issuer=$(openssl x509 -issuer -noout -nameopt RFC2253 -in "$fullchain" | sed 's/^issuer=//')
    names=$(openssl x509 -ext subjectAltName -noout -in "$fullchain" 2>/dev/null | tail -n +2 | tr -d ' ')
    expiry=$(date -u -d "@$(not_after "$fullchain")" +%FT%TZ)
  fi
  mkdir -p "$state"
  printf '{"mode":"%s","site":"%s","profile":"%s","issuer":"%s","names":"%s","notAfter":"%s","hsts":"%s","failures":%s,"detail":"%s","lastError":"%s","lastErrorKind":"%s","time":"%s"}\n' \
    "$mode" "$(json_escape "$site")" "$(json_escape "$profile")" "$(json_escape "$issuer")" "$(json_escape "$names")" \
    "$expiry" "$hsts" "$(cat "$failures_file" 2>/dev/null || echo 0)" "$(json_escape "${detail:0:500}")" \
    "$(json_escape "${error:0:1200}")" "$error_kind" "$(date -u +%FT%TZ)" >"$status_file"
  log "$mode: $detail${error:+ (last error: ${error:0:300})}"
  $publish tls "$status_file" || true
}

served_mode() { if trusted "$fullchain"; then echo trusted; else echo placeholder; fi; }

# ---- nginx, under the lock shinykit-apply holds while it swaps and tests configs ----

reload_under_apply_lock() {
  exec 9>"$state/apply.lock"
  flock -w 600 9 || { log "WARNING: the apply lock is still held after 10 minutes; nginx not reloaded"; return 1; }
  "$@"
  bash -c "$reload_nginx" || log "WARNING: nginx reload failed"
  flock -u 9
  exec 9>&-
}

# ---- preconditions for asking the CA ----

public_ip() {
  if [ -n "${SHINYKIT_PUBLIC_IP:-}" ]; then echo "$SHINYKIT_PUBLIC_IP"; return; fi
  local token
  token=$(curl -sf -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) || return 0
  curl -sf -m 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/public-ipv4 || true
}

# Why the CA cannot validate yet (empty: it can). HTTP-01 reaches the site's name or address on port 80.
not_ready() {
  local ip resolved
  ip=$(public_ip)
  if is_ip; then
    if [ "$ip" != "$site" ]; then echo "this host's public address is '${ip:-unknown}', not the site's $site (Elastic IP not associated yet?)"; fi
    return 0
  fi
  resolved=$($resolver "$site" | awk 'NR == 1 { print $1 }' || true)
  if [ -z "$ip" ] || [ "$resolved" != "$ip" ]; then
    echo "waiting for DNS: $site resolves to '${resolved:-nothing}', this host's address is '${ip:-unknown}'"
  fi
}

# Exponential backoff after failures (base, 2x, 4x ... at most 6 hours): Let's Encrypt allows
# 5 failed validations per hostname per hour, and retrying a rate limit early only extends it.
backing_off() {
  local failures last wait
  failures=$(cat "$failures_file" 2>/dev/null || echo 0)
  [ "$failures" -gt 0 ] || return 1
  last=$(stat -c %Y "$failures_file")
  wait=$((retry_base * (1 << (failures > 5 ? 5 : failures - 1))))
  if [ "$wait" -gt 21600 ]; then wait=21600; fi
  [ $(($(now) - last)) -lt "$wait" ]
}

# lego's last error lines, and what kind of error it was.
acme_error() {
  grep -E 'error|urn:ietf:params:acme' "$work/lego.out" | tail -n 3 | cut -c1-600 || tail -n 3 "$work/lego.out"
}
acme_error_kind() {
  if grep -q 'rateLimited' "$work/lego.out"; then echo rate-limited
  elif grep -qE 'unauthorized|connection|timeout|incorrectResponse|dns' "$work/lego.out"; then echo validation
  else echo other; fi
}

lego_argv() {
  local verb=$1
  argv=("$lego" --server "$server" --path "$acme" --accept-tos --key-type ec256 --disable-cn
    --http --http.webroot "$webroot" --domains "$site")
  if [ -n "$email" ]; then argv+=(--email "$email"); fi
  argv+=("$verb")
  if [ -n "$profile" ]; then argv+=(--profile "$profile"); fi
  if [ "$verb" = renew ]; then argv+=(--dynamic --no-random-sleep); fi
}

# ---- main ----

mode=${1:-timer}
case $mode in
  --boot | timer | --print-argv) ;;
  *) printf 'usage: %s [--boot]\n' "$me" >&2; exit 2 ;;
esac
if [ "$mode" = --print-argv ]; then
  # For tests and people: what the timer would run for a first certificate and for a renewal.
  lego_argv run; printf '%s\n' "${argv[*]}"
  lego_argv renew; printf '%s\n' "${argv[*]}"
  exit 0
fi

mkdir -p "$state" "$tls_dir" "$webroot/.well-known/acme-challenge"
exec 8>"$state/tls.lock"
flock -w 900 8

store_restore
choose_served
if [ "$mode" = --boot ]; then
  stage=$(write_hsts)
  report "$(served_mode)" "boot: local certificate chosen, the CA was not asked" "" "" "$stage"
  exit 0
fi

# Timer: whatever the CA says below, nginx serves what choose_served picked (reload if it changed).
before=$(sha256sum "$fullchain" "$hsts_conf" 2>/dev/null | sha256sum || true)
stage=$(write_hsts)
after=$(sha256sum "$fullchain" "$hsts_conf" 2>/dev/null | sha256sum || true)
if [ "$before" != "$after" ]; then reload_under_apply_lock true; fi

have_cert=no
if [ -s "$lego_cert" ] && trusted "$lego_cert"; then have_cert=yes; fi
if [ "$have_cert" = yes ] && ! renewal_due "$lego_cert"; then
  ari_last=$(cat "$ari_checked_file" 2>/dev/null || echo 0)
  if [ $(($(now) - ari_last)) -lt "$ari_interval" ]; then
    report "$(served_mode)" "certificate good; renewal not due (next ACME Renewal Information check within $((ari_interval / 3600)) h)" "" "" "$stage"
    exit 0
  fi
fi

why=$(not_ready)
if [ -n "$why" ]; then
  report "$(served_mode)" "$why" "" "" "$stage"
  exit 0
fi
if backing_off; then
  report "$(served_mode)" "backing off after $(cat "$failures_file") failure(s); next attempt later" \
    "$(cat "$last_error_file" 2>/dev/null || true)" "$(cat "$last_error_file.kind" 2>/dev/null || true)" "$stage"
  exit 0
fi

verb=run
if [ "$have_cert" = yes ] || [ -s "$lego_cert" ]; then verb=renew; fi
lego_argv "$verb"
old_sum=$(sha256sum "$lego_cert" 2>/dev/null || true)
rc=0
"${argv[@]}" >"$work/lego.out" 2>&1 || rc=$?
cat "$work/lego.out" >>"$state/lego.log"
if [ "$verb" = renew ] && [ "$rc" -eq 0 ]; then now >"$ari_checked_file"; fi

if [ "$rc" -ne 0 ]; then
  failures=$(($(cat "$failures_file" 2>/dev/null || echo 0) + 1))
  echo "$failures" >"$failures_file"
  acme_error >"$last_error_file"
  acme_error_kind >"$last_error_file.kind"
  report "$(served_mode)" "lego $verb failed ($failures in a row); still serving the current certificate" \
    "$(cat "$last_error_file")" "$(cat "$last_error_file.kind")" "$stage"
  exit 0
fi
rm -f "$failures_file" "$last_error_file" "$last_error_file.kind"
if [ "$old_sum" = "$(sha256sum "$lego_cert" 2>/dev/null || true)" ]; then
  report "$(served_mode)" "renewal not due (checked with the CA)" "" "" "$stage"
  exit 0
fi
if ! trusted "$lego_cert"; then
  report "$(served_mode)" "lego $verb returned a certificate that is not trusted for $site; not installed" "$(tail -n 3 "$work/lego.out")" other "$stage"
  exit 1
fi
install_new() {
  install_pair "$lego_cert" "$lego_key"
  write_hsts >"$work/stage"
}
reload_under_apply_lock install_new
stage=$(cat "$work/stage")
store_save
report trusted "certificate $([ "$verb" = run ] && echo obtained || echo renewed), valid until $(date -u -d "@$(not_after "$lego_cert")" +%FT%TZ)" "" "" "$stage"
