#!/usr/bin/env bash
# Registers kernel binfmt handlers for arm64 and arm (fix-binary flag F), the
# way docker/setup-qemu-action does on GitHub runners, so the tests can prove
# the verification path those runners take. Idempotent; needs root and
# qemu-user-static (installed by scripts/ci/setup.sh).
set -euo pipefail

BINFMT=/proc/sys/fs/binfmt_misc
log() { echo "setup-binfmt: $*" >&2; }

[ -e "$BINFMT/register" ] || mount -t binfmt_misc binfmt_misc "$BINFMT"

# Magic and mask from qemu's scripts/qemu-binfmt-conf.sh; the kernel decodes the \x escapes.
register() { # name magic mask
  local name=$1 interp="/usr/bin/$1-static"
  if [ -e "$BINFMT/$name" ]; then log "$name already registered"; return; fi
  [ -x "$interp" ] || { log "$interp missing (apt-get install qemu-user-static)"; return 1; }
  printf '%s' ":$name:M::$2:$3:$interp:F" >"$BINFMT/register"
  log "registered $name -> $interp"
}

register qemu-aarch64 \
  '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00' \
  '\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
register qemu-arm \
  '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00' \
  '\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
