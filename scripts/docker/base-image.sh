#!/usr/bin/env bash
# Builds the lab's Debian base image without any registry: debootstrap a bookworm root file system
# from the Debian mirror apt already uses, then `docker import` it. PostgreSQL 15 is installed at
# debootstrap time because containers may not reach the mirror during `docker build`.
# Cached: the image is reused when present, the tarball when the image was removed.
#   LAB_DOCKER_CACHE  cache dir (default /var/cache/lab-docker)
#   LAB_BASE_IMAGE    image tag (default lab-debian:bookworm)
#   LAB_DEBIAN_MIRROR mirror URL (default: the first deb.debian.org-style URI in apt's sources)
set -euo pipefail

cache="${LAB_DOCKER_CACHE:-/var/cache/lab-docker}"
image="${LAB_BASE_IMAGE:-lab-debian:bookworm}"
tarball="$cache/debian-bookworm.tar"
packages="ca-certificates,postgresql-15,tini"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image present"
  exit 0
fi
mkdir -p "$cache"

if [ ! -s "$tarball" ]; then
  mirror="${LAB_DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    # deb822 sources (URIs:) first, then one-line sources (deb URL suite ...); skip security suites.
    mirror="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)"
  fi
  if [ -z "$mirror" ]; then
    mirror="$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep debian | grep -v security | awk '{print $2}' | head -n1 || true)"
  fi
  mirror="${mirror:-http://deb.debian.org/debian}"
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap; }

  rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  echo "debootstrap bookworm from $mirror into $rootfs"
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror"
  # The package's default cluster and the apt caches are dead weight in an image.
  rm -rf "$rootfs"/var/lib/postgresql/15 "$rootfs"/etc/postgresql/15 \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi

echo "docker import $tarball as $image"
docker import --change 'CMD ["/bin/bash"]' "$tarball" "$image"
