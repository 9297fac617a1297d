#!/usr/bin/env python3
"""Turns a JMH JSON result file of the whole-model suite (bench/run.sh) into bench/RESULTS.md (markdown on stdout).

usage: results.py results.json meta.env

Every Hush/peer figure is a throughput ratio (Hush calls per second / peer calls per second, > 1 = Hush faster) of two
benchmarks measured in the same run; GFLOP/s are the benchmarks' `gflop` counters (Hush's FLOP count, credited to
the peers too) and % of peak divides them by FmaPeakBench (peak1 for 1 thread, peak2 for 2) from the same run.
"""
import json
import sys

CASES = [  # (label, hush benchmark, case param, peer ORT benchmark, peer PyTorch benchmark)
    ("seed inference, batch 1", "ModelBench.infer", "seed-b1", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("seed inference, batch 128", "ModelBench.infer", "seed-b128", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("seed training step, batch 128 (Adam, MSE)", "SeedTrainBench.step", None, None, "PeerTorchTrainBench.step"),
    ("DnCNN 256x256 inference (17 layers, 64 ch, BN folded)", "ModelBench.infer", "dncnn-256", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("DnCNN 512x512 inference (17 layers, 64 ch, BN folded)", "ModelBench.infer", "dncnn-512", "PeerOrtBench.infer", "PeerTorchBench.infer"),
]
# (case param or hush benchmark, peer, minimum ratio) on two threads, from issue 6
TARGETS = [
    ("seed-b128", "ORT", 1.0),
    ("seed-b1", "ORT", 1.0),
    ("dncnn-256", "ORT", 0.8),
    ("SeedTrainBench.step", "PyTorch", 1.0),
]


def load(path):
    with open(path) as f:
        runs = json.load(f)
    res = {}
    for r in runs:
        name = ".".join(r["benchmark"].split(".")[-2:])
        p = r.get("params", {})
        key = (name, p.get("net"), int(p.get("threads", r.get("threads", 1))))
        sec = r.get("secondaryMetrics", {})
        res[key] = {
            "score": r["primaryMetric"]["score"],
            "error": r["primaryMetric"].get("scoreError"),
            "unit": r["primaryMetric"]["scoreUnit"],
            "gflop": sec.get("gflop", {}).get("score"),
            "alloc": sec.get("gc.alloc.rate.norm", {}).get("score"),
            "raw": r,
        }
    return runs, res


def meta(path):
    m = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                m[k] = v
    return m


def ms(r):
    return "—" if r is None or not r["score"] else f"{1000.0 / r['score']:.3g}"


def num(v, fmt="{:.3g}"):
    return "—" if v is None else fmt.format(v)


def ratio(h, p):
    if h is None or p is None or not p["score"]:
        return None
    return h["score"] / p["score"]


def alloc(r):
    if r is None or r["alloc"] is None:
        return "—"
    b = r["alloc"]
    if b < 1024:
        return f"{b:.0f} B"
    if b < 1 << 20:
        return f"{b / 1024:.1f} KiB"
    return f"{b / (1 << 20):.1f} MiB"


def main():
    runs, res = load(sys.argv[1])
    m = meta(sys.argv[2])
    thread_counts = sorted({k[2] for k in res if k[0] != "FmaPeakBench.peak1" and not k[0].startswith("FmaPeak")})
    peak = {1: res.get(("FmaPeakBench.peak1", None, 1)), 2: res.get(("FmaPeakBench.peak2", None, 2))}
    jvm = runs[0].get("vmName", "") + " " + runs[0].get("vmVersion", "") if runs else ""
    o = []
    o.append("# Hush benchmarks side by side with native peers")
    o.append("")
    o.append(f"Written by `bench/run.sh {m.get('mode', '?')}` (JMH, `-prof gc`), post-processed by `bench/tools/results.py`. "
             "See bench/README.md for what each benchmark does.")
    o.append("")
    o.append("| | |")
    o.append("|---|---|")
    o.append(f"| date | {m.get('date', '?')} |")
    o.append(f"| machine | {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('mem', '?')}, {m.get('os', '?')} |")
    o.append(f"| JDK | {m.get('java', '?')} ({jvm.strip()}) |")
    o.append(f"| threads | {', '.join(map(str, thread_counts))} (Hush pool = ORT intra-op threads = PyTorch intra-op threads) |")
    o.append(f"| load average (1/5/15 min) | start {m.get('load_start', '?')}, end {m.get('load_end', '?')} |")
    o.append(f"| peers | ONNX Runtime 1.23.2 (Java API, CPU EP) on the ONNX export of the same Hush model and weights; "
             f"PyTorch 2.7.1 (libtorch CPU) through DJL 0.34.0, same architecture, offline |")
    o.append("")
    o.append("**Noise caveat:** the benchmarks run one after another, each in its own JVM; on a machine shared with "
             "other work the load changes between them. Compare only figures from the same run (this file), as ratios, "
             "and read a ratio as ± the two benchmarks' errors combined (see the raw table).")
    o.append("")
    o.append("## Machine peak (Vector API FMA throughput, FmaPeakBench)")
    o.append("")
    o.append("| threads | GFLOP/s |")
    o.append("|---|---|")
    for t in (1, 2):
        if peak[t]:
            o.append(f"| {t} | {num(peak[t]['score'], '{:.1f}')} |")
    if peak[1] and peak[2] and peak[2]["score"] < 1.5 * peak[1]["score"]:
        o.append("")
        o.append(f"**Peak disturbed:** 2 threads gave {peak[2]['score'] / peak[1]['score']:.2f}x one thread (2 cores: ~2x "
                 "expected), so other work held the cores while it ran; % of peak below is then overstated, and a figure "
                 "over 100% only says the load changed between benchmarks.")
    o.append("")
    o.append("## Whole models")
    o.append("")
    o.append("Time = 1 / throughput. GFLOP/s: Hush's forward FLOP count (multiply-add = 2) per call, 3x that for a "
             "training step, credited to every engine alike. Ratio = Hush throughput / peer throughput (> 1: Hush is "
             "faster). Alloc = Java heap bytes allocated per call in steady state (`gc.alloc.rate.norm`); the peers' "
             "figures are their Java wrappers' only.")
    o.append("")
    o.append("| case | threads | Hush ms | Hush GFLOP/s | % of peak | Hush alloc/call | ORT ms | ORT GFLOP/s | **Hush/ORT** "
             "| PyTorch ms | PyTorch GFLOP/s | **Hush/PyTorch** |")
    o.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for t in thread_counts:
        for label, hb, net, ob, pb in CASES:
            h = res.get((hb, net, t))
            if h is None:
                continue
            ort = res.get((ob, net, t)) if ob else None
            pt = res.get((pb, net, t)) if pb else None
            pk = peak.get(t)
            pct = None if (pk is None or h["gflop"] is None) else 100.0 * h["gflop"] / pk["score"]
            o.append(f"| {label} | {t} | {ms(h)} | {num(h['gflop'])} | {num(pct, '{:.1f}%')} | {alloc(h)} "
                     f"| {ms(ort)} | {num(ort['gflop'] if ort else None)} | **{num(ratio(h, ort), '{:.2f}x')}** "
                     f"| {ms(pt)} | {num(pt['gflop'] if pt else None)} | **{num(ratio(h, pt), '{:.2f}x')}** |")
    o.append("")
    o.append("## Targets (two threads)")
    o.append("")
    o.append("| target | measured | status |")
    o.append("|---|---|---|")
    for what, peer, need in TARGETS:
        if what.startswith("SeedTrain"):
            h = res.get((what, None, 2))
            p = res.get(("PeerTorchTrainBench.step", None, 2))
            label = "seed training step, batch 128"
        else:
            h = res.get(("ModelBench.infer", what, 2))
            p = res.get(("PeerOrtBench.infer", what, 2))
            label = {"seed-b128": "seed inference, batch 128", "seed-b1": "seed inference, batch 1",
                     "dncnn-256": "DnCNN 256x256 inference"}[what]
        r = ratio(h, p)
        status = "not measured" if r is None else ("met" if r >= need else "NOT met")
        o.append(f"| {label} >= {need:.1f}x {peer} | {num(r, '{:.2f}x')} | {status} |")
    o.append("")
    o.append("## Raw JMH results")
    o.append("")
    o.append("| benchmark | net | threads | score ± error | GFLOP/s | alloc/call |")
    o.append("|---|---|---|---|---|---|")
    for (name, net, t), r in sorted(res.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        err = r["error"]
        err = f" ± {err:.3g}" if isinstance(err, (int, float)) and err == err else ""  # JMH writes "NaN" for 1 sample
        o.append(f"| {name} | {net or ''} | {t} | {r['score']:.4g}{err} {r['unit']} | {num(r['gflop'])} | {alloc(r)} |")
    o.append("")
    print("\n".join(o))


if __name__ == "__main__":
    main()
