#!/usr/bin/env bash
# Benchmark `palisade image` on the fixture images of ../shared/fixtures/make-images.sh.
#
#   bench/image.sh          (expects target/release/palisade; $PALISADE overrides)
#
# 1. Cataloguing the app image (OCI layout, gzip layers) against the practical limit, the time
#    `gzip -dc` needs to decompress the same layers (issue 5 target: ≤ 1.5×), and the
#    docker-archive (uncompressed layers) and registry (docker-registry on loopback) times.
# 2. A CycloneDX SBOM of the Debian base rootfs: palisade vs `trivy rootfs` and `syft` (issue 5
#    target: ≥ 10× faster than both), when ../shared/bench/setup-peers.sh installed them.
# 3. Secret scanning of the manifest corpus (../shared/corpus/k8s): palisade's secret rules vs
#    `trivy fs --scanners secret` (issue 5 target: ≤ 0.1 s).
# Best of $RUNS (default 3) wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
PALISADE=${PALISADE:-$PWD/target/release/palisade}
RUNS=${RUNS:-3}
IMAGES=${SCRATCH:-/tmp/palisade-scratch}/images
[[ -x $PALISADE ]] || { echo "build first: cargo build --release" >&2; exit 2; }
[[ -f $IMAGES/oci/index.json ]] || { echo "build the fixtures first: ../shared/fixtures/make-images.sh" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source bench/lib.sh

manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "debian-app") | .digest' "$IMAGES/oci/index.json")
layers=$(jq -r '.layers[].digest' "$IMAGES/oci/blobs/sha256/${manifest#sha256:}" | sed "s|sha256:|$IMAGES/oci/blobs/sha256/|")
compressed=$(du -cb $layers | tail -1 | cut -f1)
gunzip_all() { for l in $layers; do gzip -dc "$l"; done | cat >/dev/null; }

gz=$(best gunzip_all)
oci=$(best "$PALISADE" image "$IMAGES/oci:debian-app" -f json -o /dev/null)
archive=$(best "$PALISADE" image "$IMAGES/docker-archive/debian-app.tar" -f json -o /dev/null)
echo "| input | MiB | wall s | vs gzip -dc |"
echo "|---|---:|---:|---:|"
printf '| gzip -dc of the layers | %.1f | %s | 1.00 |\n' "$(echo "$compressed/1048576" | bc -l)" "$gz"
printf '| palisade image (OCI layout) | %.1f | %s | %.2f |\n' "$(echo "$compressed/1048576" | bc -l)" "$oci" "$(echo "$oci/$gz" | bc -l)"
printf '| palisade image (docker archive) | %.1f | %s | |\n' "$(echo "$(stat -c %s "$IMAGES/docker-archive/debian-app.tar")/1048576" | bc -l)" "$archive"

# The registry: a docker-registry over the fixtures' storage on a free loopback port.
if command -v docker-registry >/dev/null && [[ -d $IMAGES/registry/data ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  config=$(mktemp); printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$IMAGES/registry/data" "$port" >"$config"
  docker-registry serve "$config" >/dev/null 2>&1 & registry_pid=$!
  for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  pulled=$(best "$PALISADE" image "127.0.0.1:$port/fixtures/debian-app:latest" -q -f json -o /dev/null)
  kill "$registry_pid"; rm -f "$config"
  printf '| palisade image (registry on loopback, gzip layers) | %.1f | %s | %.2f |\n' "$(echo "$compressed/1048576" | bc -l)" "$pulled" "$(echo "$pulled/$gz" | bc -l)"
fi

PEERS=${SCRATCH:-/tmp/palisade-scratch}/peers-venv/bin
ROOTFS=$IMAGES/rootfs/debian-base/rootfs
export SYFT_CHECK_FOR_APP_UPDATE=false TRIVY_DISABLE_VEX_NOTICE=1
echo
echo "| SBOM of the Debian base rootfs (CycloneDX) | packages | wall s | palisade is |"
echo "|---|---:|---:|---:|"
own=$(best "$PALISADE" image --rootfs "$ROOTFS" -f cyclonedx -o /dev/null)
own_n=$("$PALISADE" image --rootfs "$ROOTFS" -f cyclonedx | jq '[.components[] | select(.type == "library")] | length')
printf '| palisade image --rootfs | %s | %s | |\n' "$own_n" "$own"
if [[ -x $PEERS/trivy ]]; then
  # With --format cyclonedx Trivy only catalogs (no vulnerability database needed).
  trivy_t=$(best "$PEERS/trivy" rootfs --quiet --format cyclonedx --output /dev/null "$ROOTFS")
  trivy_n=$("$PEERS/trivy" rootfs --quiet --format cyclonedx "$ROOTFS" 2>/dev/null | jq '[.components[] | select(.type == "library")] | length')
  printf '| trivy %s rootfs --format cyclonedx | %s | %s | %.0f× faster |\n' "$("$PEERS/trivy" --version | awk 'NR==1{print $2}')" "$trivy_n" "$trivy_t" "$(echo "$trivy_t/$own" | bc -l)"
fi
if [[ -x $PEERS/syft ]]; then
  syft_t=$(best "$PEERS/syft" scan -q "dir:$ROOTFS" -o cyclonedx-json=/dev/null)
  syft_n=$("$PEERS/syft" scan -q "dir:$ROOTFS" -o cyclonedx-json 2>/dev/null | jq '[.components[] | select(.type == "library")] | length')
  printf '| syft %s dir: -o cyclonedx-json | %s | %s | %.0f× faster |\n' "$("$PEERS/syft" version | awk '/^Version/{print $2}')" "$syft_n" "$syft_t" "$(echo "$syft_t/$own" | bc -l)"
fi

CORPUS=../shared/corpus/k8s
if [[ -d $CORPUS ]]; then
  echo
  echo "| secret scan of $(find "$CORPUS" -type f | wc -l) corpus manifests | wall s |"
  echo "|---|---:|"
  secrets=secretInEnv,secretInConfigMap,secretManifest,secretEnvVar
  printf '| palisade scan --checks %s | %s |\n' "$secrets" "$(best "$PALISADE" scan "$CORPUS" --checks "$secrets" --no-progress -f json -o /dev/null)"
  if [[ -x $PEERS/trivy ]]; then
    printf '| trivy fs --scanners secret | %s |\n' "$(best "$PEERS/trivy" fs --quiet --offline-scan --scanners secret --format json --output /dev/null "$CORPUS")"
  fi
fi
