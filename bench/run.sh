#!/usr/bin/env bash
# Benchmark `palisade scan` on generated manifest corpora.
#
#   bench/run.sh [small|medium|large|all]      (default: small)
#
# Does not build anything: expects target/release/palisade (override with
# $PALISADE). Corpora are generated on first use into bench/out/<size>
# (small = 2k docs ~10 MB, medium = 20k ~100 MB, large = 200k ~1 GB).
# Each size is scanned $RUNS times (default 3); the table reports the minimum
# wall time and the maximum peak RSS over the runs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PALISADE=${PALISADE:-$ROOT/target/release/palisade}
RUNS=${RUNS:-3}
OUT=$ROOT/bench/out
TIME=/usr/bin/time

usage() { echo "usage: $0 [small|medium|large|all]" >&2; exit 2; }

case "${1:-small}" in
  small | medium | large) SIZES=("${1:-small}") ;;
  all) SIZES=(small medium large) ;;
  -h | --help) usage ;;
  *) usage ;;
esac

docs_for() {
  case $1 in
    small) echo 2000 ;;
    medium) echo 20000 ;;
    large) echo 200000 ;;
  esac
}

if [[ ! -x $PALISADE ]]; then
  echo "error: $PALISADE not found; run 'cargo build --release' first or set PALISADE=" >&2
  exit 2
fi

if [[ ! -x $TIME ]]; then
  echo "note: $TIME missing, installing the Debian package 'time'" >&2
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
  else
    sudo apt-get install -y time >/dev/null
  fi
fi

info() { # info <corpus dir> <key>
  sed -n "s/^$2=//p" "$1/CORPUS-INFO.txt"
}

LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT
FAILED=0
ROWS=()

for size in "${SIZES[@]}"; do
  dir=$OUT/$size
  want=$(docs_for "$size")
  if [[ ! -f $dir/CORPUS-INFO.txt || $(info "$dir" docs) != "$want" ]]; then
    echo "generating $size corpus ($want docs) in $dir ..." >&2
    python3 "$ROOT/bench/gen-corpus.py" --docs "$want" --out "$dir" --force >&2
  fi
  docs=$(info "$dir" docs)
  bytes=$(info "$dir" bytes)

  best_wall= max_rss=0 status=ok
  for ((i = 1; i <= RUNS; i++)); do
    tfile=$LOGDIR/$size.$i.time
    errfile=$LOGDIR/$size.$i.stderr
    set +e
    "$TIME" -f '%e s %M KB' -o "$tfile" \
      "$PALISADE" scan --format json --output /dev/null --no-progress "$dir" 2>"$errfile"
    rc=$?
    set -e
    case $rc in
      0 | 1) ;; # clean / findings at or above --fail-on
      2)
        echo "warning: $size run $i: palisade exited 2 (errors reported); first lines of stderr:" >&2
        head -n 5 "$errfile" | sed 's/^/    /' >&2
        ;;
      *)
        echo "error: $size run $i: palisade exited $rc; stderr tail:" >&2
        tail -n 20 "$errfile" | sed 's/^/    /' >&2
        status=failed
        FAILED=1
        break
        ;;
    esac
    # GNU time writes "Command exited with non-zero status N" first when rc != 0.
    read -r wall _ rss _ < <(tail -n 1 "$tfile")
    echo "  $size run $i: ${wall}s, ${rss} KB peak RSS (exit $rc)" >&2
    if [[ -z $best_wall ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
      best_wall=$wall
    fi
    if ((rss > max_rss)); then max_rss=$rss; fi
  done

  if [[ $status == ok ]]; then
    ROWS+=("$(awk -v s="$size" -v d="$docs" -v b="$bytes" -v w="$best_wall" -v r="$max_rss" \
      'BEGIN { printf "| %s | %d | %.1f | %.2f | %.1f |", s, d, b / 1048576, w, r / 1024 }')")
  else
    ROWS+=("$(awk -v s="$size" -v d="$docs" -v b="$bytes" \
      'BEGIN { printf "| %s | %d | %.1f | FAILED | FAILED |", s, d, b / 1048576 }')")
  fi
done

echo
echo "palisade: $("$PALISADE" --version 2>/dev/null || echo "$PALISADE"), $(nproc) CPUs, best of $RUNS runs"
echo
echo "| corpus | docs | MiB | wall s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
exit $FAILED
