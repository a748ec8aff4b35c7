#!/usr/bin/env bash
# shinykit-shinyproxy-jar TARGET: download the ShinyProxy jar named by host.env and install it at
# TARGET only if its SHA-256 is the pinned one (SHINYKIT_SHINYPROXY_SHA256). With no pinned
# checksum the download is refused unless the config opted out (shinyproxy.allowUnverifiedDownload
# → SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED=yes). Fails closed: exit 1 with the reason, nothing
# installed. The bootstrap calls it (step shinyproxy-install), so the reason ends up in the
# CloudFormation FAILURE signal's step, the console and status/bootstrap.
#
# Reads SHINYKIT_SHINYPROXY_VERSION, _URL, _SHA256, _ALLOW_UNVERIFIED from the environment;
# SHINYKIT_CURL (the download command, split on spaces) is for tests.
set -euo pipefail
target=${1:?usage: shinykit-shinyproxy-jar TARGET}
version=${SHINYKIT_SHINYPROXY_VERSION:?SHINYKIT_SHINYPROXY_VERSION is not set}
url=${SHINYKIT_SHINYPROXY_URL:?SHINYKIT_SHINYPROXY_URL is not set}
read -r -a curl <<<"${SHINYKIT_CURL:-curl -fsSL --retry 5 --retry-all-errors --connect-timeout 15}"
tmp=$(mktemp "$(dirname "$target")/download.XXXXXX")
trap 'rm -f "$tmp"' EXIT
"${curl[@]}" -o "$tmp" "$url"
actual=$(sha256sum "$tmp" | cut -d' ' -f1)
if [ -n "${SHINYKIT_SHINYPROXY_SHA256:-}" ]; then
  if [ "$actual" != "$SHINYKIT_SHINYPROXY_SHA256" ]; then
    echo "ShinyProxy $version: checksum mismatch: the download from $url has SHA-256 $actual, expected $SHINYKIT_SHINYPROXY_SHA256; not installed"
    exit 1
  fi
  echo "ShinyProxy $version: SHA-256 $actual matches the pinned checksum"
elif [ "${SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED:-no}" = yes ]; then
  echo "WARNING: ShinyProxy $version installed unverified (shinyproxy.allowUnverifiedDownload); its SHA-256 is $actual"
else
  echo "ShinyProxy $version: no SHA-256 is pinned for this version, so the download ($actual) cannot be verified; not installed. Set shinyproxy.sha256 in shinykit.yaml"
  exit 1
fi
chmod 0644 "$tmp"
mv -f "$tmp" "$target"
