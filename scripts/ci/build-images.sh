#!/usr/bin/env bash
# Build, locally, Docker images tagged exactly like gotify's release build images
# (<owner>/build:<go>-linux-<arch>[-<arm>]); no image registry is reachable here.
#
#   1. debootstrap a Debian bookworm rootfs with gcc + cross compilers, ONCE, into
#      a cached dir, and `docker import` it as <owner>/build-base:bookworm;
#   2. per Go version, a layer with that toolchain at /usr/local/go (GOPATH=/go,
#      world-writable so containers can run as the runner's uid);
#   3. per platform, a tiny image with the ENV of gotify's Dockerfiles;
#   4. a sanity check: go version, a cgo -buildmode=plugin build as a non-root uid,
#      and loading that plugin from a host binary (386 natively, arm via qemu).
#
# Usage: build-images.sh [--owner gotify] [--go 1.26.8] [--platforms "linux-amd64 ..."]
#                        [--force] [--no-check]
# Existing images are kept (re-runs take seconds) unless --force. The rootfs is
# cached in $GO_PLUGIN_CI_CACHE (default /var/cache/go-plugin-ci) and rebuilt only
# when the package list changes; delete that dir to refresh it.
set -euo pipefail

OWNER=gotify
GO_VERSION=
PLATFORMS="linux-amd64 linux-arm-7 linux-arm64 linux-386 linux-riscv64"
FORCE=0
CHECK=1
CACHE=${GO_PLUGIN_CI_CACHE:-/var/cache/go-plugin-ci}

while [ $# -gt 0 ]; do
  case "$1" in
    --owner) OWNER=$2; shift 2 ;;
    --go) GO_VERSION=${2#go}; shift 2 ;;
    --platforms) PLATFORMS=$2; shift 2 ;;
    --force) FORCE=1; shift ;;
    --no-check) CHECK=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build-images: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { echo "build-images: $*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
# `docker build` quietly: its output (and the legacy builder's deprecation
# notice) only when it fails.
dbuild() { local out; out=$(docker build -q "$@" 2>&1) || { echo "$out" >&2; return 1; }; }
# The engine may be old (Debian's 20.10) and buildx absent: use the classic builder.
export DOCKER_BUILDKIT=0
# All our images carry this label (inherited), so --force can prune the
# untagged leftovers of earlier builds without touching anyone else's images.
LABEL=go-plugin-ci.build-images

HOST_GO=$(go env GOVERSION); HOST_GO=${HOST_GO#go}
GO_VERSION=${GO_VERSION:-$HOST_GO}
BASE="$OWNER/build-base:bookworm"
GOIMG="$OWNER/build-go:$GO_VERSION"

# Debian mirror: read from apt's configuration, never hard-coded.
debian_mirror() {
  local f=/etc/apt/sources.list.d/debian.sources m=
  if [ -f "$f" ]; then
    # deb822: the URIs: line of the stanza whose Suites: holds "bookworm".
    m=$(awk 'BEGIN{RS=""} /(^|\n)Suites:[^\n]*[[:space:]]bookworm([[:space:]]|$)/ {
          if (match($0, /URIs:[[:space:]]*[^[:space:]\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/URIs:[[:space:]]*/,"",s); print s; exit } }' "$f")
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1=="deb" && $0 ~ /[[:space:]]bookworm[[:space:]]/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [ -n "$m" ] || { log "cannot find the Debian bookworm mirror in apt's sources"; return 1; }
  echo "$m"
}

# Packages of the rootfs: what golang:<v>-bookworm has for cgo, plus gotify's
# cross compilers (gcc + g++, as their Dockerfiles install) and, for 386, what
# `apt-get install libc6-dev-i386` brings in gotify's image through Recommends
# (gcc-multilib). gcc-multilib itself conflicts with the cross compilers, which
# gotify keeps in separate images and we keep in one rootfs: take its 32-bit
# libgcc (lib32gcc-12-dev) here, its asm/ headers link in the 386 image below.
ROOTFS_PKGS="gcc,g++,libc6-dev,libc6-dev-i386,lib32gcc-12-dev,make,pkg-config,ca-certificates,git,\
gcc-aarch64-linux-gnu,g++-aarch64-linux-gnu,libc6-dev-arm64-cross,\
gcc-arm-linux-gnueabihf,g++-arm-linux-gnueabihf,libc6-dev-armhf-cross,\
gcc-riscv64-linux-gnu,g++-riscv64-linux-gnu,libc6-dev-riscv64-cross"

build_base() {
  if [ "$FORCE" = 0 ] && have_image "$BASE"; then log "have $BASE"; return; fi
  local root="$CACHE/rootfs-bookworm"
  # The stamp records the package list: a changed list means a new rootfs.
  local stamp
  stamp="$root.done-$(echo "$ROOTFS_PKGS" | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    command -v debootstrap >/dev/null || {
      sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    local mirror; mirror=$(debian_mirror)
    log "debootstrap bookworm into $root (once; cached)"
    sudo_ rm -rf "$root" "$root".done-*
    sudo_ mkdir -p "$CACHE"
    sudo_ debootstrap --variant=minbase --include="$ROOTFS_PKGS" bookworm "$root" "$mirror" \
      >"$CACHE/debootstrap.log" 2>&1 || { tail -n 30 "$CACHE/debootstrap.log" >&2; exit 1; }
    sudo_ touch "$stamp"
  fi
  log "importing $root as $BASE"
  # Leave out downloaded .debs and apt lists: they only make the image bigger.
  sudo_ tar -C "$root" --exclude=./var/cache/apt/archives/*.deb --exclude=./var/lib/apt/lists/* \
      --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* -c . |
    docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' -c "LABEL $LABEL=1" - "$BASE" >/dev/null
}

# GOROOT of the wanted version: the host's, or one fetched through the module proxy.
goroot_for() {
  if [ "$1" = "$HOST_GO" ]; then go env GOROOT
  else GOTOOLCHAIN="go$1" go env GOROOT
  fi
}

CTX=
rm_ctx() { if [ -n "$CTX" ]; then find "$CTX" -type d -exec chmod u+w {} + 2>/dev/null; rm -rf "$CTX"; CTX=; fi; }
trap rm_ctx EXIT

build_go() {
  if [ "$FORCE" = 0 ] && have_image "$GOIMG"; then log "have $GOIMG"; return; fi
  local goroot ctx
  goroot=$(goroot_for "$GO_VERSION")
  local got; got=$("$goroot/bin/go" env GOVERSION)
  [ "$got" = "go$GO_VERSION" ] || { log "$goroot holds $got, not go$GO_VERSION"; exit 1; }
  CTX=$(mktemp -d); ctx=$CTX
  # Hard links when on the same filesystem (fast), a copy otherwise. Toolchains
  # from the module cache have read-only dirs: make the (new) dirs writable so
  # the copy can be trimmed and removed; files stay shared and untouched.
  cp -al "$goroot" "$ctx/go" 2>/dev/null || { rm_ctx; CTX=$(mktemp -d); ctx=$CTX; cp -a "$goroot" "$ctx/go"; }
  find "$ctx" -type d -exec chmod u+w {} +
  rm -rf "$ctx/go/.git" "$ctx/go/test" "$ctx/go/pkg/obj"
  # Like the official golang image: GOTOOLCHAIN=local (never switch toolchains),
  # GOPATH=/go. /go is world-writable because the action runs containers as the
  # runner's uid, with the host's module cache mounted at /go/pkg/mod.
  cat >"$ctx/Dockerfile" <<EOF
FROM $BASE
COPY go /usr/local/go
ENV GOLANG_VERSION=$GO_VERSION GOTOOLCHAIN=local GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/bin /go/src /go/pkg/mod && chmod -R 1777 /go
WORKDIR /go
EOF
  log "building $GOIMG from $goroot"
  dbuild -t "$GOIMG" "$ctx"
  rm_ctx
}

# ENV lines of gotify's Dockerfile.<platform>.
platform_env() {
  case "$1" in
    linux-amd64) echo "GOARCH=amd64" ;;
    linux-386) echo "GOARCH=386" ;;
    linux-arm64) echo "GOARCH=arm64 CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++" ;;
    linux-arm-7) echo "GOARCH=arm GOARM=7 CC=arm-linux-gnueabihf-gcc CXX=arm-linux-gnueabihf-g++" ;;
    linux-riscv64) echo "GOARCH=riscv64 CC=riscv64-linux-gnu-gcc CXX=riscv64-linux-gnu-g++" ;;
    *) log "unknown platform $1"; exit 2 ;;
  esac
}

build_platform() {
  local tag="$OWNER/build:$GO_VERSION-$1"
  if [ "$FORCE" = 0 ] && have_image "$tag"; then log "have $tag"; return; fi
  log "building $tag"
  { printf 'FROM %s\nENV CGO_ENABLED=1 GOOS=linux %s\n' "$GOIMG" "$(platform_env "$1")"
    # gcc -m32 looks for asm/*.h under the i386 multiarch dir (gcc-multilib's job).
    [ "$1" != linux-386 ] ||
      echo 'RUN mkdir -p /usr/include/i386-linux-gnu && ln -s ../x86_64-linux-gnu/asm /usr/include/i386-linux-gnu/asm'
  } |
    dbuild -t "$tag" -
}

t0=$(date +%s)
build_base
build_go
for p in $PLATFORMS; do build_platform "$p"; done
[ "$FORCE" = 0 ] || docker image prune -f --filter "label=$LABEL" >/dev/null
log "images ready in $(( $(date +%s) - t0 ))s"
[ "$CHECK" = 1 ] || exit 0
exec "$(dirname "$0")/check-images.sh" --owner "$OWNER" --go "$GO_VERSION" --platforms "$PLATFORMS"
