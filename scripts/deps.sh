#!/usr/bin/env bash
# Installs the Debian packages Herald needs to build, run and test. Idempotent: installs only
# what is missing, and does nothing (not even apt-get update) when everything is present.
set -euo pipefail

build_pkgs=(
  build-essential cmake ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libssl-dev zlib1g-dev libcurl4-openssl-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libkainjow-mustache-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev
)
test_pkgs=( postgresql-15 python3 curl )
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
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
