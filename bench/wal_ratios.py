#!/usr/bin/env python3
"""Computes the wal_append targets as ratios from one run's JSON lines.

Input: JSON lines from bench/fio_anchors.sh and `eddy-bench --json wal_append`
(any order, any number of repeats: repeated cells are reduced to their median
ops/s). Output: one line per target with met / NOT MET; --markdown prints a
table for docs/benchmarks.md. Exit status 0 when every target is met, 1 if
any is not, 2 when a needed measurement is missing.

  bench/wal_ratios.py results/*.jsonl [--markdown]

The targets (issue text):
  T1 sync batch, 1 writer >= 0.9x fio 4 KiB + fdatasync into pre-written
     space (checked for records <= 4 KiB: 128 B and 1 KiB)
  T2 sync batch, 2 writers >= 1.8x the better of RocksDB/LevelDB at sync=true
  T3 sync batch, 8 writers >= 3x the better peer at sync=true
     (T2 and T3 checked at each record size)
  T4 16 KiB records, sync none >= 0.8x fio O_DIRECT 1 MiB qd 8 bandwidth
     (Eddy's best thread count; every count is listed)
  T5 128 B records, sync none, 1 thread >= 3x the better peer's Put at sync=false
"""
import argparse
import json
import statistics
import sys
from collections import defaultdict


def load(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    rows.append(json.loads(line))
    return rows


def median_row(rows):
    rows = sorted(rows, key=lambda r: r["ops_per_s"])
    med = dict(rows[len(rows) // 2])
    med["ops_per_s"] = statistics.median(r["ops_per_s"] for r in rows)
    med["mb_per_s"] = statistics.median(r["mb_per_s"] for r in rows)
    med["repeats"] = len(rows)
    return med


def index(rows):
    fio = defaultdict(list)
    cells = defaultdict(list)
    for r in rows:
        if r.get("workload") == "fio_anchor":
            fio[r["pattern"]].append(r)
        elif r.get("workload") == "wal_append":
            cells[(r["engine"], r["record_bytes"], r["sync"], r["threads"])].append(r)
    return ({k: median_row(v) for k, v in fio.items()},
            {k: median_row(v) for k, v in cells.items()})


class Checker:
    def __init__(self, fio, cells):
        self.fio, self.cells = fio, cells
        self.results = []  # (target, cell, eddy, reference, ratio, goal, met)
        self.missing = []

    def cell(self, engine, size, sync, threads):
        row = self.cells.get((engine, size, sync, threads))
        if row is None:
            self.missing.append(f"{engine} {size} B sync={sync} threads={threads}")
        return row

    def best_peer(self, size, sync, threads):
        peers = [self.cells.get((p, size, sync, threads)) for p in ("rocksdb", "leveldb")]
        peers = [p for p in peers if p is not None]
        if not peers:
            self.missing.append(f"peers {size} B sync={sync} threads={threads}")
            return None
        return max(peers, key=lambda p: p["ops_per_s"])

    def add(self, target, cell, eddy, ref, ref_name, goal, unit="ops/s"):
        key = "ops_per_s" if unit == "ops/s" else "mb_per_s"
        ratio = eddy[key] / ref[key] if ref[key] > 0 else float("inf")
        self.results.append((target, cell, f"{eddy[key]:.0f} {unit}",
                             f"{ref[key]:.0f} {unit} ({ref_name})", ratio, goal, ratio >= goal))

    def run(self):
        sync_fio = self.fio.get("fdatasync_4k_prewritten")
        direct_fio = self.fio.get("direct_1m_qd8")
        if sync_fio is None:
            self.missing.append("fio fdatasync_4k_prewritten")
        if direct_fio is None:
            self.missing.append("fio direct_1m_qd8")

        for size in (128, 1024):
            eddy = self.cell("eddy", size, "batch", 1)
            if eddy and sync_fio:
                self.add("T1", f"{size} B, batch, 1 writer", eddy, sync_fio,
                         "fio 4k+fdatasync", 0.9)
        for target, threads, goal in (("T2", 2, 1.8), ("T3", 8, 3.0)):
            for size in (128, 1024, 16384):
                eddy = self.cell("eddy", size, "batch", threads)
                peer = self.best_peer(size, "batch", threads)
                if eddy and peer:
                    self.add(target, f"{size} B, batch, {threads} writers", eddy, peer,
                             f"{peer['engine']} sync=true", goal)
        if direct_fio:
            eddy16 = [r for (e, s, y, t), r in self.cells.items()
                      if e == "eddy" and s == 16384 and y == "none"]
            if not eddy16:
                self.missing.append("eddy 16384 B sync=none")
            for r in sorted(eddy16, key=lambda r: r["threads"]):
                self.add("T4" if r is max(eddy16, key=lambda r: r["mb_per_s"]) else "(T4)",
                         f"16 KiB, none, {r['threads']} thr", r, direct_fio,
                         "fio O_DIRECT 1M qd8", 0.8, unit="MB/s")
        eddy = self.cell("eddy", 128, "none", 1)
        peer = self.best_peer(128, "none", 1)
        if eddy and peer:
            self.add("T5", "128 B, none, 1 thread", eddy, peer,
                     f"{peer['engine']} sync=false", 3.0)


def print_results(fio, cells):
    print("| fio pattern | ops/s | MB/s | p50 µs | p99 µs | latency of |")
    print("|---|---|---|---|---|---|")
    for name, r in sorted(fio.items()):
        print(f"| {name} | {r['ops_per_s']:.0f} | {r['mb_per_s']:.0f} | {r['p50_us']:.0f} "
              f"| {r['p99_us']:.0f} | {r['latency_of']} |")
    print()
    print("| record | sync | threads | Eddy ops/s | RocksDB ops/s | LevelDB ops/s "
          "| Eddy / best peer | Eddy MB/s | Eddy p50 / p99 µs | RocksDB p50 / p99 µs "
          "| LevelDB p50 / p99 µs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    keys = sorted({(s, y, t) for (_, s, y, t) in cells},
                  key=lambda k: (k[0], k[1] != "none", k[2]))
    for size, sync, threads in keys:
        row = {e: cells.get((e, size, sync, threads)) for e in ("eddy", "rocksdb", "leveldb")}
        def ops(e):
            return f"{row[e]['ops_per_s']:.0f}" if row[e] else "–"
        def lat(e):
            return f"{row[e]['p50_us']:.1f} / {row[e]['p99_us']:.1f}" if row[e] else "–"
        peers = [row[e]["ops_per_s"] for e in ("rocksdb", "leveldb") if row[e]]
        ratio = (f"{row['eddy']['ops_per_s'] / max(peers):.2f}x"
                 if row["eddy"] and peers and max(peers) > 0 else "–")
        mbs = f"{row['eddy']['mb_per_s']:.1f}" if row["eddy"] else "–"
        print(f"| {size} | {sync} | {threads} | {ops('eddy')} | {ops('rocksdb')} | "
              f"{ops('leveldb')} | {ratio} | {mbs} | {lat('eddy')} | {lat('rocksdb')} | "
              f"{lat('leveldb')} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--markdown", action="store_true", help="ratios as a markdown table")
    parser.add_argument("--results", action="store_true",
                        help="print the fio figures and the wal_append matrix as markdown tables")
    args = parser.parse_args()

    fio, cells = index(load(args.files))
    if args.results:
        print_results(fio, cells)
        return 0
    checker = Checker(fio, cells)
    checker.run()

    if args.markdown:
        print("| target | cell | Eddy | reference | ratio | goal | verdict |")
        print("|---|---|---|---|---|---|---|")
        for t, cell, eddy, ref, ratio, goal, met in checker.results:
            verdict = "met" if met else "**not met**"
            if t.startswith("("):
                verdict = "(info)"
            print(f"| {t} | {cell} | {eddy} | {ref} | {ratio:.2f}x | >= {goal}x | {verdict} |")
    else:
        for t, cell, eddy, ref, ratio, goal, met in checker.results:
            verdict = "met" if met else "NOT MET"
            if t.startswith("("):
                verdict = "info"
            print(f"{t:5} {cell:28} {eddy:>16} vs {ref:42} {ratio:6.2f}x  goal >= {goal}x  "
                  f"{verdict}")
    for m in checker.missing:
        print(f"missing: {m}", file=sys.stderr)
    if checker.missing:
        return 2
    return 0 if all(met for t, *_, met in checker.results if not t.startswith("(")) else 1


if __name__ == "__main__":
    sys.exit(main())
