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
  libphonenumber8 libprotobuf-dev libabsl-dev
  libsodium-dev  # Argon2id password hashes and random session ids for the console (see CMakeLists.txt)
  libc-ares-dev  # asynchronous DNS for TCP/TLS/DNS monitors (see CMakeLists.txt)
  libcjose-dev  # JWK and JWS for OpenID Connect sign-in (src/service/oidc/jose.h)
  libqrencode-dev  # the QR code of a TOTP secret on the console's two-factor setup (src/console/qr_svg.h)
  libgoogle-perftools-dev  # tcmalloc, linked into the herald binary (see CMakeLists.txt)
  libgtest-dev libgmock-dev
)
test_pkgs=( postgresql-15 python3 python3-aiosmtpd python3-cryptography python3-dnslib curl chromium chromium-driver nodejs
  zbar-tools  # reads the two-factor QR code back from a screenshot (tests/functional/test_console_two_factor.py)
)
bench_pkgs=( nginx wrk prometheus-blackbox-exporter nghttp2-client )

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

# libphonenumber (E.164 validation for SMS). Debian's libphonenumber-dev depends on
# libboost-thread-dev (Boost 1.74), which conflicts with the Boost 1.81 dev packages we build
# with, so it cannot be installed. We install the runtime library (libphonenumber8) and the
# protobuf/absl headers its headers include, and take the headers from the -dev package of the
# exact same version, unpacked with dpkg -x into .deps/libphonenumber (ignored by git), never
# installed. Debian builds the library without Boost (POSIX pthread_once/mutex: see
# CMakeLists.txt), so nothing in the headers we use needs Boost.Thread. The package's
# libphonenumber.so dev link is relative (-> libphonenumber.so.8); we point it at the installed
# runtime library. A version stamp makes this idempotent and re-fetches after an upgrade.
root=$(cd "$(dirname "$0")/.." && pwd)
pn_dir="$root/.deps/libphonenumber"
pn_ver=$(dpkg-query -W -f='${Version}' libphonenumber8)
if [ "$(cat "$pn_dir/VERSION" 2>/dev/null)" != "$pn_ver" ]; then
  echo "deps: unpacking libphonenumber-dev $pn_ver headers into .deps/libphonenumber" >&2
  pn_tmp=$(mktemp -d)
  trap 'rm -rf "$pn_tmp"' EXIT
  # apt-get download drops privileges to _apt when it can; as root (CI) it cannot write to a
  # private temporary folder, so let it keep root there.
  pn_opts=()
  [ "$(id -u)" -eq 0 ] && pn_opts=(-o APT::Sandbox::User=root)
  pn_get() { (cd "$pn_tmp" && apt-get download -qq "${pn_opts[@]}" "libphonenumber-dev=$pn_ver" >/dev/null); }
  # Package lists may be missing (slim images delete them) or stale even when every package is
  # installed: refresh once and retry.
  pn_get 2>/dev/null || { $SUDO apt-get update -qq && pn_get; }
  rm -rf "$pn_dir"
  mkdir -p "$pn_dir"
  dpkg -x "$pn_tmp"/libphonenumber-dev_*.deb "$pn_dir"
  # Only the headers and the shared library link are used (not the static archives or geocoding).
  find "$pn_dir" \( -name '*.a' -o -name 'libgeocoding*' -o -name geocoding \) -prune -exec rm -rf {} +
  pn_lib=$(dpkg -L libphonenumber8 | grep -E '/libphonenumber\.so\.[0-9]+$' | head -n1)
  ln -sfn "$pn_lib" "$pn_dir$(dirname "$pn_lib")/libphonenumber.so"
  echo "$pn_ver" >"$pn_dir/VERSION"
  rm -rf "$pn_tmp"
  trap - EXIT
fi

# npm packages for the tests, each folder pinned by its package-lock.json: tests/e2e (axe-core,
# injected into the page by the browser tests, and oidc-provider, the OpenID provider that
# tests/fixtures/oidc_provider.mjs starts for the OIDC sign-in tests) and tests/openapi (the OpenAPI linter, client
# generator and TypeScript for tests/functional/test_openapi.py). A copy of the lock file in
# node_modules marks what was installed, so a changed lock file installs again.
case "${1:-build}" in
  test|bench)
    for dir in "$root/tests/e2e" "$root/tests/openapi"; do
      if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.herald-installed-lock.json"; then
        # npm comes with some nodejs builds (NodeSource) and is its own package in Debian's.
        command -v npm >/dev/null || { $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; }
        echo "deps: npm ci in ${dir#"$root"/}" >&2
        npm ci --prefix "$dir" --no-audit --no-fund >/dev/null
        cp "$dir/package-lock.json" "$dir/node_modules/.herald-installed-lock.json"
      fi
    done ;;
esac
