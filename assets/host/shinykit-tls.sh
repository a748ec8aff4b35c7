#!/usr/bin/env bash
# shinykit-tls: get a Let's Encrypt certificate for the site once DNS points at this host.
# Run by shinykit-tls.timer every 15 minutes until a certificate exists (then it only reports).
#
# Until then nginx serves a self-signed certificate written to certbot's own paths
# (/etc/letsencrypt/live/<host>/), so the nginx config never has to change: when certbot
# succeeds, the self-signed files are simply replaced and nginx reloaded. If issuance keeps
# failing, the self-signed certificate stays and the host status says why.
# Renewal is certbot's (shinykit-certbot-renew.timer); the deploy hook reloads nginx.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/shinykit/host.env
host=$SHINYKIT_SITE_HOSTNAME
live=/etc/letsencrypt/live/$host
state=/var/lib/shinykit
status=$state/tls.json
mkdir -p "$state"

report() {
  local mode=$1 detail=$2
  detail=${detail//\"/\'}
  detail=${detail//$'\n'/ }
  printf '{"mode":"%s","hostname":"%s","detail":"%s","time":"%s"}\n' \
    "$mode" "$host" "${detail:0:1500}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$status"
  echo "shinykit-tls: $mode: $detail"
  /usr/local/sbin/shinykit-publish-status tls "$status"
}

# A self-signed certificate at certbot's paths, so nginx can start before Let's Encrypt answers.
self_signed() {
  mkdir -p "$live"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host" -keyout "$live/privkey.pem" -out "$live/fullchain.pem" 2>/dev/null
  cp "$live/fullchain.pem" "$live/chain.pem"
  chmod 600 "$live/privkey.pem"
}

if [ "${1:-}" = --placeholder ]; then
  # Bootstrap: make sure nginx has a certificate to load; never replace a real one.
  if [ ! -f "$live/fullchain.pem" ]; then
    self_signed
    report self-signed "placeholder until Let's Encrypt issues a certificate for $host"
  fi
  exit 0
fi

if [ -f "/etc/letsencrypt/renewal/$host.conf" ]; then
  expiry=$(openssl x509 -enddate -noout -in "$live/fullchain.pem" | cut -d= -f2)
  report letsencrypt "certificate valid until $expiry"
  systemctl disable --now shinykit-tls.timer >/dev/null 2>&1 || true
  exit 0
fi

token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
public_ip=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/public-ipv4 || true)
resolved=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }' || true)
if [ -z "$public_ip" ] || [ "$resolved" != "$public_ip" ]; then
  report self-signed "waiting for DNS: $host resolves to '${resolved:-nothing}', this host's address is '${public_ip:-unknown}'"
  exit 0
fi

failures_file=$state/tls-failures
failures=$(cat "$failures_file" 2>/dev/null || echo 0)
# Hold the apply lock: nginx must not be tested or reloaded while the placeholder is moved aside.
exec 9>"$state/apply.lock"
flock -w 600 9
backup=$state/self-signed-backup
rm -rf "$backup"
# certbot refuses a live/ directory it did not create, so the placeholder steps aside.
if [ -d "$live" ]; then mv "$live" "$backup"; fi
rc=0
certbot certonly --webroot -w /var/www/certbot -d "$host" --cert-name "$host" \
  --email "$SHINYKIT_TLS_EMAIL" --agree-tos --non-interactive --no-eff-email \
  >"$state/certbot.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then
  rm -rf "$backup" "$failures_file"
  systemctl reload nginx
  flock -u 9
  exec "$0"
fi
rm -rf "$live"
if [ -d "$backup" ]; then mv "$backup" "$live"; else self_signed; fi
failures=$((failures + 1))
echo "$failures" >"$failures_file"
report self-signed "Let's Encrypt issuance failed $failures time(s); serving the self-signed certificate. Last error: $(grep -iE 'error|detail' "$state/certbot.out" | tail -n 3)"
