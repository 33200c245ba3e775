#!/usr/bin/env bash
# Start a Docker engine on the default socket (unix:///var/run/docker.sock) so
# that tests and users need no DOCKER_HOST. Idempotent: does nothing when an
# engine already answers. Installs docker.io from Debian when dockerd is missing
# (no image registry is reachable; images are built by build-images.sh).
set -euo pipefail

LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
WAIT=${DOCKERD_WAIT:-60}
SOCK=/var/run/docker.sock
PIDFILE=/var/run/docker.pid

log() { echo "setup-docker: $*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The engine must answer on the default socket, whatever DOCKER_HOST says.
unset DOCKER_HOST DOCKER_CONTEXT

# A non-root user in the docker group with passwordless sudo, like GitHub's
# runner user (uid 1001): the tests run the action as it when they run as root.
ensure_runner_user() {
  [ "$(id -u)" = 0 ] || return 0
  getent group docker >/dev/null 2>&1 || groupadd docker
  id gpb-runner >/dev/null 2>&1 || useradd --create-home --groups docker gpb-runner
  id -nG gpb-runner | grep -qw docker || usermod -aG docker gpb-runner
  if [ -d /etc/sudoers.d ] && [ ! -f /etc/sudoers.d/gpb-runner ]; then
    echo 'gpb-runner ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/gpb-runner.tmp
    chmod 0440 /etc/sudoers.d/gpb-runner.tmp
    mv /etc/sudoers.d/gpb-runner.tmp /etc/sudoers.d/gpb-runner
  fi
}

if docker info >/dev/null 2>&1; then
  log "engine already answers: $(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?')"
  ensure_runner_user
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io"
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io iptables >/dev/null
fi

# A pid file whose process is gone is left over from a crashed run.
if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  sudo_ rm -f "$PIDFILE"
fi
if [ -f "$PIDFILE" ]; then
  # The default engine is running, maybe still starting. (A dockerd on another
  # socket with its own pid file / data-root is not ours and is left alone.)
  log "dockerd already running (pid $(cat "$PIDFILE")); waiting for it to answer"
else
  sudo_ rm -f "$SOCK"
  # setsid: the engine must outlive this script and its caller's process group
  # (dockerd starts its own containerd when none runs).
  log "starting dockerd (log: $LOG)"
  sudo_ setsid -f dockerd --storage-driver=overlay2 -H "unix://$SOCK" >>"$LOG" 2>&1 </dev/null
fi

for _ in $(seq 1 "$WAIT"); do
  if docker info >/dev/null 2>&1; then break; fi
  sleep 1
done
if ! docker info >/dev/null 2>&1; then
  log "dockerd did not answer within ${WAIT}s; last log lines:"
  tail -n 30 "$LOG" >&2 || true
  exit 1
fi

# Non-root users (the action runs `docker` as the runner) need the socket.
ensure_runner_user
if getent group docker >/dev/null 2>&1; then sudo_ chgrp docker "$SOCK" || true; fi

log "engine up: $(docker version -f '{{.Server.Version}}')"
