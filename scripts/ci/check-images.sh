#!/usr/bin/env bash
# Sanity check of the images made by build-images.sh, per platform:
#   - `go version` in the image is the wanted one;
#   - a cgo plugin (-buildmode=plugin) and a host that plugin.Open()s it build as a
#     NON-root uid with --network host, the module cache mounted at /go/pkg/mod,
#     exactly how the action runs these images;
#   - the host loads the plugin: amd64 and 386 natively, arm64 / arm-7 / riscv64
#     under the host's qemu-<arch>-static mounted read-only into the container
#     (`qemu -L /usr/<triplet> ./host p.so`; no binfmt_misc needed).
# Usage: check-images.sh [--owner gotify] [--go 1.26.8] [--platforms "..."]
set -euo pipefail

OWNER=gotify
GO_VERSION=
PLATFORMS="linux-amd64 linux-arm-7 linux-arm64 linux-386 linux-riscv64"
CACHE=${GO_PLUGIN_CI_CACHE:-/var/cache/go-plugin-ci}
while [ $# -gt 0 ]; do
  case "$1" in
    --owner) OWNER=$2; shift 2 ;;
    --go) GO_VERSION=${2#go}; shift 2 ;;
    --platforms) PLATFORMS=$2; shift 2 ;;
    *) echo "check-images: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$GO_VERSION" ]; then GO_VERSION=$(go env GOVERSION); GO_VERSION=${GO_VERSION#go}; fi
log() { echo "check-images: $*" >&2; }

# Prove non-root works even when CI itself runs as root.
USR="$(id -u):$(id -g)"
[ "$(id -u)" != 0 ] || USR="1001:1001"

W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$W/src/plugin" "$W/src/host" "$W/mod"
cat >"$W/src/go.mod" <<'EOF'
module example.com/cicheck

go 1.21
EOF
cat >"$W/src/plugin/p.go" <<'EOF'
package main

// #include <stdlib.h>
// static int twice(int x) { return 2 * x; }
import "C"

import (
	"fmt"
	"runtime"
)

func Hello() string { return fmt.Sprint("plugin ", runtime.GOARCH, " cgo ", int(C.twice(21))) }
EOF
cat >"$W/src/host/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
	"plugin"
)

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		fmt.Println("LOAD FAILED:", err)
		os.Exit(1)
	}
	f, err := p.Lookup("Hello")
	if err != nil {
		fmt.Println("LOOKUP FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("loaded", f.(func() string)())
}
EOF
chmod -R a+rwX "$W"

# qemu binary and sysroot per emulated platform (empty: runs natively).
emu() {
  case "$1" in
    linux-arm64) echo "qemu-aarch64-static /usr/aarch64-linux-gnu" ;;
    linux-arm-7) echo "qemu-arm-static /usr/arm-linux-gnueabihf" ;;
    linux-riscv64) echo "qemu-riscv64-static /usr/riscv64-linux-gnu" ;;
  esac
}

check_one() {
  local plat=$1 img="$OWNER/build:$GO_VERSION-$1" out="/src/out/$1" v
  # A kept GOCACHE makes re-runs take seconds; a throwaway one if not writable.
  local gc="$CACHE/gocache/$GO_VERSION-$plat"
  if ! { mkdir -p "$gc" && chmod 1777 "$gc"; } 2>/dev/null; then
    gc="$W/gocache-$plat"; mkdir -p "$gc"; chmod 1777 "$gc"
  fi
  v=$(docker run --rm --network host "$img" go version)
  case "$v" in *" go$GO_VERSION "*) ;; *) echo "go version: $v"; return 1 ;; esac
  echo "$v"
  docker run --rm --network host --user "$USR" -e GOCACHE=/gocache -e GOPROXY=off \
    -v "$gc:/gocache" -v "$W/mod:/go/pkg/mod" -v "$W/src:/src" -w /src "$img" \
    sh -c "go build -buildmode=plugin -o $out/p.so ./plugin && go build -o $out/host ./host"
  # Native platforms run the host directly; others under the host's static qemu,
  # mounted read-only, with the cross sysroot as the loader prefix.
  local e qemu sysroot qpath dargs=() cmd=(./host ./p.so)
  e=$(emu "$plat")
  if [ -n "$e" ]; then
    read -r qemu sysroot <<<"$e"
    qpath=$(command -v "$qemu" || true)
    if [ -z "$qpath" ]; then echo "run: SKIPPED ($qemu not installed on the host)"; return 0; fi
    dargs=(-v "$qpath:/qemu/$qemu:ro")
    cmd=("/qemu/$qemu" -L "$sysroot" ./host ./p.so)
  fi
  local r
  r=$(docker run --rm --network host --user "$USR" "${dargs[@]}" -v "$W/src:/src:ro" \
      -w "$out" "$img" "${cmd[@]}" 2>&1) || { echo "run: FAILED: $r"; return 1; }
  echo "run${e:+ (${e%% *})}: $r"
  case "$r" in "loaded plugin "*" cgo 42") ;; *) return 1 ;; esac
}

# Platforms in parallel (compiling std for 5 targets is the slow part).
t0=$(date +%s)
declare -A pid
for p in $PLATFORMS; do check_one "$p" >"$W/$p.log" 2>&1 & pid[$p]=$!; done
fail=0
for p in $PLATFORMS; do
  if wait "${pid[$p]}"; then st=ok; else st=FAILED; fail=1; fi
  log "$p: $st"; sed 's/^/    /' "$W/$p.log" >&2
done
log "checked in $(( $(date +%s) - t0 ))s"
exit "$fail"
