#!/usr/bin/env bash
# The README's first command, as a newcomer runs it: on a fresh clone with an empty build
# directory (everything compiles while the CLI waits for the server). Read from the README
# itself, so the two cannot drift apart; passes when the call reports `done after 5 steps`.
set -euo pipefail
cd "$(dirname "$0")/.."
command=$(awk '/^```sh/ { block = 1; next } block && /^cargo run/ { print; exit }' README.md)
[ -n "$command" ] || { echo "FAIL: no 'cargo run' command in README.md's first sh block"; exit 1; }
clone=$(mktemp -d)
target=$(mktemp -d)
trap 'rm -rf "$clone" "$target"' EXIT
if git rev-parse --git-dir >/dev/null 2>&1; then
  git clone --quiet . "$clone"
else
  tar --exclude=./target --exclude=./.venv --exclude=./.ci/cache -cf - . | tar -xf - -C "$clone"
fi
cd "$clone"
echo "first run (empty target dir): $command"
start=$(date +%s)
output=$(CARGO_TARGET_DIR="$target" bash -c "$command" 2>&1) || {
  echo "FAIL: the README's first command failed on a cold build:"
  echo "$output"
  exit 1
}
echo "$output" | grep -q "done after 5 steps" || {
  echo "FAIL: the README's first command did not say 'done after 5 steps':"
  echo "$output"
  exit 1
}
echo "ok: the README's first command works cold ($(( $(date +%s) - start )) s)"
