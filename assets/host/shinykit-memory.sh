#!/usr/bin/env bash
# shinykit-memory: size the host's memory for ShinyProxy and its apps. Safe to run again.
#   1. a swap file (the instance types have no swap; a memory spike then slows the host instead of
#      having the kernel's OOM killer end ShinyProxy or a session), with low swappiness so swap is
#      a cushion, not a working area;
#   2. ShinyProxy's JVM options: a capped heap sized from the host's memory (the JVM's default is a
#      quarter of RAM, growing into what the apps need), exit on OutOfMemoryError so systemd
#      restarts it (and shinykit-orphans cleans up), and the serial collector, which costs the
#      least native memory on a small host.
# The same arithmetic is in cli/plan/capacity.ts, which states the capacity before a deploy.
#
# Injectable for tests: SHINYKIT_ROOT (default /), SHINYKIT_MEMINFO (default /proc/meminfo),
# SHINYKIT_SWAP_ON (command given the swap file; default: mkswap, then swapon).
set -euo pipefail
root=${SHINYKIT_ROOT:-/}
root=${root%/}/
meminfo=${SHINYKIT_MEMINFO:-/proc/meminfo}
mem_mib=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' "$meminfo")
if [ -z "$mem_mib" ] || [ "$mem_mib" -le 0 ]; then
  echo "shinykit-memory: cannot read MemTotal from $meminfo" >&2
  exit 1
fi

# Heap: an eighth of the memory, at least 256 MiB, at most 2 GiB (ShinyProxy's heap holds its
# sessions' state and caches, not the apps).
heap=$((mem_mib / 8))
[ "$heap" -ge 256 ] || heap=256
[ "$heap" -le 2048 ] || heap=2048
# Swap: as much as the memory, at most 2 GiB.
swap=$mem_mib
[ "$swap" -le 2048 ] || swap=2048

swapfile=${root}swapfile
if [ ! -f "$swapfile" ]; then
  echo "shinykit-memory: creating a ${swap} MiB swap file"
  # fallocate is instant and swapon accepts it on AL2023's XFS root; dd where it is refused.
  fallocate -l "${swap}M" "$swapfile" 2>/dev/null || dd if=/dev/zero of="$swapfile" bs=1M count="$swap" status=none
  chmod 600 "$swapfile"
  if [ -n "${SHINYKIT_SWAP_ON:-}" ]; then
    bash -c "$SHINYKIT_SWAP_ON \"\$@\"" shinykit-memory "$swapfile"
  else
    mkswap "$swapfile" >/dev/null
    swapon "$swapfile"
  fi
fi
mkdir -p "${root}etc"
touch "${root}etc/fstab"
grep -q '^/swapfile ' "${root}etc/fstab" || echo '/swapfile none swap sw 0 0' >>"${root}etc/fstab"
mkdir -p "${root}etc/sysctl.d"
echo 'vm.swappiness = 10' >"${root}etc/sysctl.d/90-shinykit.conf"
if [ "$root" = / ]; then sysctl -q -p /etc/sysctl.d/90-shinykit.conf; fi

mkdir -p "${root}etc/shinyproxy"
printf 'SHINYKIT_JAVA_OPTS=-Xms64m -Xmx%sm -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError\n' "$heap" \
  >"${root}etc/shinyproxy/jvm.env"
echo "shinykit-memory: ${mem_mib} MiB memory, ${swap} MiB swap, ShinyProxy heap capped at ${heap} MiB"
