#!/usr/bin/env bash
# Benchmark the vulnerability database (issue 6 targets).
#
#   bench/vulndb.sh          (expects target/release/palisade; $PALISADE overrides)
#
# 1. Import 100,000 advisories (target ≤ 30 s): the ~12,600 real advisories of
#    ../shared/data/osv copied 8 times under distinct ids (ids and aliases suffixed, names
#    kept), so the store holds ~100,800 advisories with the real data's shape.
# 2. Matching an image of 500 packages after cataloging, end to end (matching alone, for the
#    ≤ 50 ms target: `cargo bench -p palisade-vulndb --bench matching`), against a store of
#    the real advisories only: a root filesystem with the fixture app image's dpkg database and
#    Python packages named after real PyPI advisories at an affected version, timed with and
#    without --skip-vulnerabilities; the difference is matching plus building and rendering
#    the findings.
# Best of $RUNS (default 3) wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
PALISADE=${PALISADE:-$PWD/target/release/palisade}
RUNS=${RUNS:-3}
OSV=../shared/data/osv
IMAGES=${SCRATCH:-/tmp/palisade-scratch}/images
[[ -x $PALISADE ]] || { echo "build first: cargo build --release" >&2; exit 2; }
[[ -d $OSV ]] || { echo "no $OSV" >&2; exit 2; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT

# shellcheck source=bench/lib.sh
source bench/lib.sh

python3 - "$OSV" "$WORK/advisories" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
n = 0
for copy in range(8):
    target = os.path.join(out, str(copy)); os.makedirs(target)
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".json"): continue
            adv = json.load(open(os.path.join(root, f)))
            if copy:
                adv["id"] = f"{adv['id']}-copy{copy}"
                adv["aliases"] = [f"{a}-copy{copy}" for a in adv.get("aliases") or []]
            json.dump(adv, open(os.path.join(target, f"{adv['id']}.json"), "w")); n += 1
print(f"{n} advisories", file=sys.stderr)
PY
count=$(find "$WORK/advisories" -name '*.json' | wc -l)
import_once() { rm -f "$WORK/db.sqlite"; "$PALISADE" db --db "$WORK/db.sqlite" import "$WORK/advisories"; }
import_t=$(best import_once)
echo "| step | size | wall s | target |"
echo "|---|---:|---:|---|"
printf '| palisade db import | %s advisories | %s | ≤ 30 s |\n' "$count" "$import_t"

# A 500-package root filesystem.
ROOT=$WORK/rootfs
mkdir -p "$ROOT/var/lib/dpkg" "$ROOT/usr/lib" "$ROOT/usr/lib/python3/dist-packages"
cp "$IMAGES/rootfs/debian-app/rootfs/var/lib/dpkg/status" "$ROOT/var/lib/dpkg/status"
cp "$IMAGES/rootfs/debian-app/rootfs/usr/lib/os-release" "$ROOT/usr/lib/os-release"
debs=$(grep -c '^Package:' "$ROOT/var/lib/dpkg/status")
python3 - "$OSV/pypi" "$ROOT/usr/lib/python3/dist-packages" $((500 - debs)) <<'PY'
import json, os, sys
src, site, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = set()
for f in sorted(os.listdir(src)):
    adv = json.load(open(os.path.join(src, f)))
    for a in adv.get("affected") or []:
        name = (a.get("package") or {}).get("name")
        versions = a.get("versions") or []
        if name and versions and name not in seen:
            seen.add(name)
            d = os.path.join(site, f"{name}-{versions[0]}.dist-info"); os.makedirs(d, exist_ok=True)
            open(os.path.join(d, "METADATA"), "w").write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {versions[0]}\n")
    if len(seen) >= wanted: break
PY
"$PALISADE" db --db "$WORK/real.sqlite" import "$OSV" >/dev/null
packages=$("$PALISADE" image --rootfs "$ROOT" -f json --db "$WORK/real.sqlite" | jq '.packages | length')
vulns=$("$PALISADE" image --rootfs "$ROOT" -f json --db "$WORK/real.sqlite" | jq '[.findings[] | select(.rule == "vulnerability")] | length')
with=$(best "$PALISADE" image --rootfs "$ROOT" -f json -o /dev/null --db "$WORK/real.sqlite")
without=$(best "$PALISADE" image --rootfs "$ROOT" -f json -o /dev/null --db "$WORK/real.sqlite" --skip-vulnerabilities)
printf '| palisade image --rootfs (catalog only) | %s packages | %s | |\n' "$packages" "$without"
printf '| palisade image --rootfs (catalog + matching, %s vulnerabilities) | %s packages | %s | |\n' "$vulns" "$packages" "$with"
printf '| matching (difference) | %s packages | %.3f | ≤ 0.050 s |\n' "$packages" "$(echo "$with - $without" | bc -l)"

# The fixture app image's root filesystem (147 packages, deliberately vulnerable): the common case.
APP=$IMAGES/rootfs/debian-app/rootfs
if [[ -d $APP ]]; then
  app_vulns=$("$PALISADE" image --rootfs "$APP" -f json --db "$WORK/real.sqlite" | jq '[.findings[] | select(.rule == "vulnerability")] | length')
  app_with=$(best "$PALISADE" image --rootfs "$APP" -f json -o /dev/null --db "$WORK/real.sqlite")
  app_without=$(best "$PALISADE" image --rootfs "$APP" -f json -o /dev/null --skip-vulnerabilities)
  printf '| matching the app image rootfs (%s vulnerabilities) | 147 packages | %.3f | |\n' "$app_vulns" "$(echo "$app_with - $app_without" | bc -l)"
fi
