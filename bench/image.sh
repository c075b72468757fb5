#!/usr/bin/env bash
# Benchmark `palisade image` on the fixture images of ../shared/fixtures/make-images.sh.
#
#   bench/image.sh          (expects target/release/palisade; $PALISADE overrides)
#
# Compares cataloguing the app image (OCI layout, gzip layers) with the practical limit, the
# time `gzip -dc` needs to decompress the same layers (issue 5 target: ≤ 1.5×), and reports the
# docker-archive (uncompressed layers) time. Best of $RUNS (default 3) wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
PALISADE=${PALISADE:-$PWD/target/release/palisade}
RUNS=${RUNS:-3}
IMAGES=${SCRATCH:-/tmp/palisade-scratch}/images
[[ -x $PALISADE ]] || { echo "build first: cargo build --release" >&2; exit 2; }
[[ -f $IMAGES/oci/index.json ]] || { echo "build the fixtures first: ../shared/fixtures/make-images.sh" >&2; exit 2; }

best() { # best wall time of RUNS runs of "$@", in seconds
  local best=999999 start end t
  for _ in $(seq "$RUNS"); do
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l); if (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  printf '%.3f' "$best"
}

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
