#!/usr/bin/env bash
# The real ACME pieces test/e2e/tls-pebble.test.ts runs: lego (the client the host runs) and pebble
# with pebble-challtestsrv (Let's Encrypt's test CA). Bookworm's pebble 2.4 has no ACME profiles and
# its lego (4.9) no profiles either, so both come from Debian sid through apt (signed archive),
# downloaded (not installed: no sid dependencies enter the system) and extracted into $dest.
# They are Go programs linked only against libc, so they run on this Debian as they are.
#   bash .ci/acme-tools.sh [dest]    (default /opt/shinykit-acme; prints the bin directory)
set -euo pipefail
dest=${1:-/opt/shinykit-acme}
# The versions the tests were written against; lego's must match LEGO.version in
# lib/host-bootstrap.ts (the host's pinned release).
want_lego=4.35.2-3
want_pebble=2.10.0+ds1-2

if [ -x "$dest/bin/lego" ] && [ -x "$dest/bin/pebble" ] && [ -x "$dest/bin/pebble-challtestsrv" ] &&
  [ "$(cat "$dest/versions" 2>/dev/null)" = "lego=$want_lego pebble=$want_pebble" ]; then
  echo "$dest/bin"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources"
# The machine's own Debian mirror (the first URIs of its apt sources), with sid as the suite.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "MISSING: no Debian mirror in this machine's apt sources" >&2; exit 1; }
printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$work/sources/sid.sources"
apt_opts=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$work/sources"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -qq update >&2
cd "$work"
for pkg in "lego=$want_lego" "pebble=$want_pebble"; do
  if ! apt-get "${apt_opts[@]}" -qq download "$pkg" >&2; then
    name=${pkg%%=*}
    echo "WARNING: $pkg is no longer in sid; taking sid's current $name instead (update .ci/acme-tools.sh and, for lego, LEGO in lib/host-bootstrap.ts)" >&2
    apt-get "${apt_opts[@]}" -qq download "$name" >&2
  fi
done
for deb in ./*.deb; do dpkg-deb -x "$deb" "$work/x"; done
mkdir -p "$dest/bin"
install -m 0755 "$work/x/usr/bin/lego" "$work/x/usr/bin/pebble" "$work/x/usr/bin/pebble-challtestsrv" "$dest/bin/"
printf 'lego=%s pebble=%s\n' "$(dpkg-deb -f ./lego_*.deb Version)" "$(dpkg-deb -f ./pebble_*.deb Version)" >"$dest/versions"
"$dest/bin/lego" --version >&2
echo "$dest/bin"
