#!/usr/bin/env python3
"""Smoke test of one eddy-bench workload: tests/bench/smoke.py EDDY_BENCH WORKLOAD ENGINES [ARGS...]

Runs `EDDY_BENCH --quick --json [ARGS...] WORKLOAD` in a scratch directory and
checks what a user of the benchmark relies on, not how fast anything is: the
run exits 0; every line on stdout is one JSON result of WORKLOAD; each engine
of ENGINES (comma-separated: eddy, rocksdb, leveldb, ...) and no other has
rows; every rate a row reports is positive. A workload that stops working,
or a peer that silently drops out, fails here instead of in the next
measuring session. Speed is the benchmarks' business (docs/benchmarks.md).
"""
import json
import os
import subprocess
import sys
import tempfile

RATE_FIELDS = ("ops_per_s", "items_per_s")


def fail(workload, message):
    print(f"bench smoke [{workload}]: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    bench, workload, engines = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
    extra = sys.argv[4:]
    parent = os.environ.get("EDDY_TEST_TMPDIR")
    if parent:
        os.makedirs(parent, exist_ok=True)
    env = dict(os.environ)
    env.pop("EDDY_BENCH_ITEMS", None)  # --quick's own item counts
    with tempfile.TemporaryDirectory(prefix=f"bench-smoke-{workload}-", dir=parent) as scratch:
        cmd = [bench, "--quick", "--json", "--dir", os.path.join(scratch, "data"), *extra, workload]
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)  # ctest times it out
    if run.returncode != 0:
        fail(workload, f"{' '.join(cmd)} exited {run.returncode}\n{run.stderr[-4000:]}")

    rows = []
    for number, line in enumerate(run.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            fail(workload, f"stdout line {number} is not JSON ({e}): {line[:200]}")
    if not rows:
        fail(workload, "no result rows on stdout")

    seen = set()
    for row in rows:
        if row.get("workload") != workload:
            fail(workload, f"a row of another workload: {row}")
        engine = row.get("engine")
        if engine not in engines:
            fail(workload, f"a row of engine {engine!r}, expected only {sorted(engines)}")
        seen.add(engine)
        for field in RATE_FIELDS:
            if field in row and not (isinstance(row[field], (int, float)) and row[field] > 0):
                fail(workload, f"{field} is not a positive number: {row}")
        if not any(field in row for field in RATE_FIELDS):
            fail(workload, f"a row without a rate ({', '.join(RATE_FIELDS)}): {row}")
    missing = engines - seen
    if missing:
        fail(workload, f"no rows from {sorted(missing)}")
    print(f"bench smoke [{workload}]: {len(rows)} rows from {sorted(seen)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
