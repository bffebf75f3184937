#!/usr/bin/env bash
# Installs the Debian packages named on the command line when their commands are missing
# (`redis-server`, `haproxy`): the real components the tests and scripts run. Needs root or sudo.
# Usage: scripts/debian-packages.sh redis-server [haproxy …]   (package = command name)
set -euo pipefail
missing=()
for package in "$@"; do
  command -v "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "== installing ${missing[*]} (Debian packages)" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
  || { "${sudo[@]}" apt-get update -q >&2 && "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
# The packages' services are not ours to run: the tests start their own instances.
for package in "${missing[@]}"; do
  if command -v systemctl >/dev/null 2>&1; then "${sudo[@]}" systemctl stop "$package" 2>/dev/null || true; fi
  command -v service >/dev/null 2>&1 && "${sudo[@]}" service "$package" stop >/dev/null 2>&1 || true
done
