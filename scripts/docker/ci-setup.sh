#!/usr/bin/env bash
# What the docker suites need on a fresh Debian machine without registry access (run by .ci/run
# before `npm run test:docker`): Debian's docker.io (and docker-compose where the v2 plugin is
# absent), debootstrap, a Docker engine that answers (started here if none does), and the images of
# build-images.sh (cached in LAB_DOCKER_CACHE and the engine between runs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  missing+=(docker-compose)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
wait_for_engine() {
  for _ in $(seq 1 60); do answers && return 0; sleep 1; done
  return 1
}
if ! answers; then
  log_file="${LAB_DOCKERD_LOG:-/var/log/lab-dockerd.log}"
  # overlay2 with Docker's own iptables rules works in this CI VM (containers reach the Debian
  # mirror and the npm registry through NAT); vfs without iptables is the fallback for sandboxes
  # that allow neither.
  for flags in "--storage-driver=overlay2" "--storage-driver=vfs --iptables=false"; do
    echo "starting dockerd $flags (log: $log_file)"
    # shellcheck disable=SC2086
    nohup dockerd $flags >>"$log_file" 2>&1 &
    pid=$!
    if wait_for_engine; then break; fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  answers || { echo "dockerd did not start; see $log_file" >&2; tail -n 20 "$log_file" >&2; exit 1; }
fi
docker version --format 'Docker engine {{.Server.Version}}'

"$here/build-images.sh"
