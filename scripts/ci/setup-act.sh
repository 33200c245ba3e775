#!/usr/bin/env bash
# Builds nektos/act at the pinned version (scripts/ci/act.mjs) from the Go module proxy, once:
# a re-run finds the binary and returns. `go install module@version` can fail on the proxy's
# version list, so the command is built from a scratch module that requires that version
# (the same build list: act's go.mod has no replace directives).
set -euo pipefail
cd "$(dirname "$0")/../.."
read -r version binary < <(node scripts/ci/act.mjs)
if [ -x "$binary" ] && [ "$("$binary" --version 2>/dev/null)" = "act version ${version#v}" ]; then
  echo "act $version: $binary" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/go.mod" <<MOD
module act-build

go 1.24

require github.com/nektos/act $version
MOD
printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/nektos/act"\n' >"$work/tools.go"
mkdir -p "$(dirname "$binary")"
(
  cd "$work"
  export GOFLAGS=-mod=mod GOWORK=off
  go mod tidy
  go build -trimpath -o "$binary.tmp" github.com/nektos/act
)
mv "$binary.tmp" "$binary"
"$binary" --version >&2
