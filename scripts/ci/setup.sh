#!/usr/bin/env bash
# One-time machine set-up for the tests and `npm run example` (Debian, root or
# sudo): a Docker engine on the default socket, binfmt handlers for arm and
# arm64, and gotify-style build images of this machine's Go.
set -euo pipefail
cd "$(dirname "$0")"
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v qemu-aarch64-static >/dev/null || {
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
}
bash setup-docker.sh
sudo_ bash setup-binfmt.sh
bash build-images.sh "$@"
