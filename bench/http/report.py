#!/usr/bin/env python3
"""Tables, ratios, targets and the plot for bench/http/run.sh.

    report.py results.csv [--machine machine.txt] [--markdown out.md] [--plot out.png]

Targets (issue 5), per connection count, from cells of the same run:
  PutItem  Eddy (sync none, stream off) >= 10x dynalite's requests/s
  GetItem  Eddy >= 10x dynalite's requests/s
  PutItem  Eddy stream on (NEW_AND_OLD_IMAGES) >= 0.9x stream off
Exit status 0 only if every target is met at every connection count.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

SERIES = [  # key, label
    (("eddy", "put", "none", "off"), "Eddy PutItem (sync none)"),
    (("eddy", "put", "none", "on"), "Eddy PutItem, stream on (sync none)"),
    (("eddy", "put", "batch", "off"), "Eddy PutItem (sync batch)"),
    (("eddy", "get", "none", "off"), "Eddy GetItem"),
    (("eddy", "getrecords", "none", "on"), "Eddy GetRecords (Limit 100)"),
    (("dynalite", "put", "memory", "off"), "dynalite PutItem"),
    (("dynalite", "get", "memory", "off"), "dynalite GetItem"),
    (("ceiling", "get", "static", "off"), "ceiling: nginx, fixed GetItem answer"),
]
# What the machine allows: the ceiling over dynalite is the largest ratio any
# server could show against it in the same run (not a target).
BOUNDS = [
    ("ceiling / dynalite PutItem", ("ceiling", "get", "static", "off"), ("dynalite", "put", "memory", "off")),
    ("ceiling / dynalite GetItem", ("ceiling", "get", "static", "off"), ("dynalite", "get", "memory", "off")),
    ("Eddy GetItem / ceiling", ("eddy", "get", "none", "off"), ("ceiling", "get", "static", "off")),
]
TARGETS = [  # name, numerator, denominator, minimum
    ("PutItem Eddy / dynalite", ("eddy", "put", "none", "off"), ("dynalite", "put", "memory", "off"), 10.0),
    ("GetItem Eddy / dynalite", ("eddy", "get", "none", "off"), ("dynalite", "get", "memory", "off"), 10.0),
    ("PutItem stream on / off (Eddy)", ("eddy", "put", "none", "on"), ("eddy", "put", "none", "off"), 0.9),
]


def fmt_rps(x):
    return f"{x / 1000:.1f}k" if x >= 1000 else f"{x:.0f}"


def fmt_us(x):
    return f"{x / 1000:.2f} ms" if x >= 1000 else f"{x:.0f} µs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--machine")
    ap.add_argument("--markdown")
    ap.add_argument("--plot")
    a = ap.parse_args()

    rows = list(csv.DictReader(open(a.csv)))
    cells = {}
    for r in rows:
        key = (r["server"], r["op"], r["sync"], r["stream"])
        cells[(key, int(r["connections"]))] = r
    conns = sorted({int(r["connections"]) for r in rows})
    out = []

    if a.machine and os.path.exists(a.machine):
        out += ["```", open(a.machine).read().rstrip(), "```", ""]

    out.append("Requests/s, p50 / p99 latency (wrk), per connection count:")
    out.append("")
    out.append("| series | " + " | ".join(f"{c} conn" for c in conns) + " |")
    out.append("|---|" + "---|" * len(conns))
    bad_cells = []
    for key, label in SERIES:
        if not any((key, c) in cells for c in conns):
            continue
        tds = []
        for c in conns:
            r = cells.get((key, c))
            if r is None:
                tds.append("–")
                continue
            tds.append(f"{fmt_rps(float(r['rps']))}<br>{fmt_us(float(r['p50_us']))} / {fmt_us(float(r['p99_us']))}")
            if int(r["non200"]) or int(r["socket_errors"]):
                bad_cells.append(f"{label} at {c}: {r['non200']} non-200, {r['socket_errors']} socket errors")
        out.append(f"| {label} | " + " | ".join(tds) + " |")
    out.append("")

    all_met = True
    out.append("| target | " + " | ".join(f"{c} conn" for c in conns) + " | minimum | |")
    out.append("|---|" + "---|" * len(conns) + "---|---|")
    for name, num, den, minimum in TARGETS:
        ratios = []
        for c in conns:
            n, d = cells.get((num, c)), cells.get((den, c))
            ratios.append(float(n["rps"]) / float(d["rps"]) if n and d and float(d["rps"]) > 0 else None)
        got = [x for x in ratios if x is not None]
        met = bool(got) and min(got) >= minimum
        all_met &= met
        low = f"{min(got):.2f}×" if got else "–"
        out.append(f"| {name} ≥ {minimum:g}× | " +
                   " | ".join(f"{x:.2f}×" if x is not None else "–" for x in ratios) +
                   f" | {low} | {'met' if met else '**NOT met**'} |")
    out.append("")
    if any((BOUNDS[0][1], c) in cells for c in conns):
        out.append("What this machine allows (the ceiling is not a target, it bounds the ratios):")
        out.append("")
        out.append("| ratio | " + " | ".join(f"{c} conn" for c in conns) + " |")
        out.append("|---|" + "---|" * len(conns))
        for name, num, den in BOUNDS:
            tds = []
            for c in conns:
                n, d = cells.get((num, c)), cells.get((den, c))
                ok = n and d and float(d["rps"]) > 0
                tds.append(f"{float(n['rps']) / float(d['rps']):.2f}×" if ok else "–")
            out.append(f"| {name} | " + " | ".join(tds) + " |")
        out.append("")
    loads = [float(r["load1"]) for r in rows]
    out.append(f"1-minute load average at the start of the cells: {min(loads):.2f} to {max(loads):.2f}"
               f" ({os.cpu_count()} cpus).")
    if bad_cells:
        out.append("")
        out.append("Errors: " + "; ".join(bad_cells) + ".")
    text = "\n".join(out) + "\n"
    print(text)
    if a.markdown:
        open(a.markdown, "w").write(text)

    if a.plot:
        plot(cells, conns, a.plot, loads)
    return 0 if all_met else 1


def plot(cells, conns, png, loads):
    if not shutil.which("gnuplot"):
        print("report.py: gnuplot is missing, no plot", file=sys.stderr)
        return
    styles = {
        "eddy": "lw 2 pt 7", "dynalite": "lw 2 dt 2 pt 6", "ceiling": "lw 1 dt 3 pt 1",
    }
    colors = ["#1f77b4", "#17becf", "#9467bd", "#2ca02c", "#ff7f0e", "#1f77b4", "#2ca02c", "#7f7f7f"]
    tmp = tempfile.mkdtemp()
    plots = []
    for i, (key, label) in enumerate(SERIES):
        pts = [(c, float(cells[(key, c)]["rps"])) for c in conns if (key, c) in cells]
        if not pts:
            continue
        path = os.path.join(tmp, f"s{i}.dat")
        with open(path, "w") as f:
            for c, v in pts:
                f.write(f"{c} {v}\n")
        plots.append(f"'{path}' using 1:2 with linespoints {styles[key[0]]} lc rgb '{colors[i]}' title '{label}'")
    script = f"""
set terminal pngcairo size 800,600 font 'DejaVu Sans,10'
set output '{png}'
set title "HTTP requests/s vs connections (wrk, keep-alive; same machine, same run)\\n{os.cpu_count()} vCPUs shared with the client; 1-min load {min(loads):.1f} to {max(loads):.1f}" 
set xlabel 'connections'
set ylabel 'requests/s'
set logscale x 2
set logscale y 10
set xrange [{min(conns) / 1.3}:{max(conns) * 1.3}]
set xtics ({', '.join(str(c) for c in conns)})
set grid ytics mytics xtics
set key below maxrows 4
plot {', '.join(plots)}
"""
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
