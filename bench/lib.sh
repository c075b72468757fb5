# Shared by the bench scripts: `best CMD...` prints the best wall time of $RUNS runs of CMD, in
# seconds (failures count: a scan that exits 1 or 2 still did its work).
best() {
  local best=999999 start end t
  for _ in $(seq "$RUNS"); do
    start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l); if (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  printf '%.3f' "$best"
}
