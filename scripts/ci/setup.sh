#!/usr/bin/env bash
# The README's set-up command: everything `npm test` and `npm run example` need
# on a fresh Debian machine (root or sudo), idempotent and quick on a re-run:
#   1. Debian packages: Docker engine, debootstrap, qemu-user-static, the cross C
#      compilers (the native builder and the binary readers' tests use them), a
#      local image registry, unzip/xz for release archives, openssl for test CAs, the
#      GitHub CLI (a README workflow runs it);
#   2. npm ci;
#   3. a Docker engine on the default socket and a non-root runner user with
#      passwordless sudo, like GitHub's;
#   4. binfmt handlers for arm and arm64, as docker/setup-qemu-action registers;
#   5. gotify-style build images of this machine's Go (every platform) and of the
#      other Go versions the tests use (scripts/ci/test-toolchains.mjs: another
#      patch, and an old server's Go, linux-amd64 only), and those toolchains
#      fetched once, so no test downloads one.
#   6. nektos/act at a pinned version (scripts/ci/act.mjs), built from the Go module
#      proxy once: the README workflow tests run the README's workflows under it.
# Prints the seconds each phase took.
set -euo pipefail
exec </dev/null
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/../.."
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

phase() { # phase NAME CMD...: run CMD and print how long it took
  local name=$1 t0 rc=0; shift
  echo "=== setup: $name" >&2
  t0=$(date +%s)
  "$@" || rc=$?
  echo "=== setup: $name: $(( $(date +%s) - t0 ))s$([ "$rc" = 0 ] || echo " (FAILED, exit $rc)")" >&2
  return "$rc"
}

PACKAGES=(
  docker.io iptables debootstrap qemu-user-static git unzip xz-utils openssl ca-certificates sudo zstd
  gcc gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-i686-linux-gnu gcc-riscv64-linux-gnu
  libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-i386-cross libc6-dev-riscv64-cross
  docker-registry gh
)

apt_packages() {
  local need=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    sudo_ apt-get update -qq
    # The registry package starts a service on install where init allows; the tests start their own.
    sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  local t
  for t in node npm go; do
    command -v "$t" >/dev/null || { echo "$t is required on PATH" >&2; return 1; }
  done
}

npm_ci() {
  local out rc=0
  out=$(npm ci --no-audit --no-fund --loglevel=error 2>&1) || rc=$?
  [ "$rc" != 0 ] || return 0
  # A registry mirror that only carries this platform's builds of optional native
  # packages yields a lock file without them, which `npm ci` then calls out of
  # sync: fall back to `npm install` and demand that the lock stays as committed.
  if grep -q 'can only install packages when your package.json and package-lock.json' <<<"$out"; then
    echo "npm ci: the lock lacks optional packages this registry does not serve; using npm install" >&2
    npm install --no-audit --no-fund --loglevel=error
    git diff --exit-code --stat -- package-lock.json ||
      { echo "package-lock.json is out of date: run npm install and commit it" >&2; return 1; }
    return 0
  fi
  echo "$out" >&2
  return "$rc"
}

# Toolchains the tests build with besides the host's, fetched through the module proxy once.
read -r _ OTHER_PATCH OTHER_MINOR OLD_GO < <(node scripts/ci/test-toolchains.mjs)
fetch_toolchains() {
  local v
  for v in "$OTHER_PATCH" "$OTHER_MINOR" "$OLD_GO"; do GOTOOLCHAIN="go$v" go version >/dev/null; done
}

START=$(date +%s)
phase "debian packages" apt_packages
phase "npm ci" npm_ci
phase "docker engine" bash scripts/ci/setup-docker.sh
phase "binfmt handlers" sudo_ bash scripts/ci/setup-binfmt.sh
phase "test toolchains go$OTHER_PATCH go$OTHER_MINOR go$OLD_GO" fetch_toolchains
phase "build images" bash scripts/ci/build-images.sh --owner gotify
phase "build images go$OTHER_PATCH" bash scripts/ci/build-images.sh --owner gotify --go "$OTHER_PATCH" --platforms linux-amd64
phase "act" bash scripts/ci/setup-act.sh
phase "build images go$OLD_GO" bash scripts/ci/build-images.sh --owner gotify --go "$OLD_GO" --platforms linux-amd64
echo "=== setup: done in $(( $(date +%s) - START ))s" >&2
