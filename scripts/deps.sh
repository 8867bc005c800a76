#!/usr/bin/env bash
# Installs the Debian packages Herald needs to build, run and test. Idempotent: installs only
# what is missing, and does nothing (not even apt-get update) when everything is present.
set -euo pipefail

build_pkgs=(
  build-essential cmake ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libssl-dev zlib1g-dev libcurl4-openssl-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libkainjow-mustache-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libhowardhinnant-date-dev tzdata libyaml-cpp-dev
  libgtest-dev libgmock-dev
)
test_pkgs=( postgresql-15 python3 python3-aiosmtpd python3-cryptography curl chromium chromium-driver nodejs )
bench_pkgs=( nginx wrk )

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests inject axe-core (pinned by tests/e2e/package-lock.json) into the page.
case "${1:-build}" in
  test|bench)
    root=$(cd "$(dirname "$0")/.." && pwd)
    if [ ! -d "$root/tests/e2e/node_modules" ]; then
      # npm comes with some nodejs builds (NodeSource) and is its own package in Debian's.
      command -v npm >/dev/null || { $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; }
      echo "deps: npm ci in tests/e2e" >&2
      npm ci --prefix "$root/tests/e2e" --no-audit --no-fund >/dev/null
    fi ;;
esac
