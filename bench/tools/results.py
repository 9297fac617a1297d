#!/usr/bin/env python3
"""Turns a JMH JSON result file of bench/run.sh (the whole-model suite, and in full mode the per-layer benches) into
bench/RESULTS.md (markdown on stdout).

usage: results.py results.json meta.env
       results.py --e2e e2e.json meta.env   (bench/RESULTS-e2e.md from the end-to-end section)

Every Hush/peer figure is a throughput ratio (Hush calls per second / peer calls per second, > 1 = Hush faster) of two
benchmarks measured in the same run; GFLOP/s are the benchmarks' `gflop` counters (Hush's FLOP count, credited to
the peers too) and % of peak divides them by FmaPeakBench (peak1 for 1 thread, peak2 for 2) from the same run.
Per-layer results (ConvBench, DenseBench, PoolBench, BatchNormBench; params impl, shape/batch, threads) get their own
table, SIMD next to the scalar reference of the same case, direction and thread count; absent in quick mode.
"""
import json
import os
import sys

CASES = [  # (label, hush benchmark, case param, peer ORT benchmark, peer PyTorch benchmark)
    ("seed inference, batch 1", "ModelBench.infer", "seed-b1", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("seed inference, batch 128", "ModelBench.infer", "seed-b128", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    # int8 kernels in Hush; the peers' figures are their float32 runs of the same network (case without "-int8")
    ("seed inference, batch 1, Hush int8 weights", "ModelBench.infer", "seed-b1-int8", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("seed inference, batch 128, Hush int8 weights", "ModelBench.infer", "seed-b128-int8", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("seed training step, batch 128 (Adam, MSE)", "SeedTrainBench.step", None, None, "PeerTorchTrainBench.step"),
    ("DnCNN 256x256 inference (17 layers, 64 ch, BN folded)", "ModelBench.infer", "dncnn-256", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("DnCNN 512x512 inference (17 layers, 64 ch, BN folded)", "ModelBench.infer", "dncnn-512", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    ("RGB DnCNN 481x321 inference (20 layers, 64 ch, 3 in/out, BN folded)", "ModelBench.infer", "cdncnn20-481x321", "PeerOrtBench.infer", "PeerTorchBench.infer"),
    # Hush's shipped colour model against the peers running CDnCNN-B's shape on the same 512x512 RGB input
    ("color-blind 512x512 RGB vs CDnCNN-B's shape (peers)", "ModelBench.infer", "color-blind-512", "PeerOrtBench.infer", "PeerTorchBench.infer"),
]
# The peers' case for a Hush case when it is not the same network: int8 rows compare with the peers' float32 runs,
# the colour model with CDnCNN-B's shape at its size.
PEER_NET = {"color-blind-512": "cdncnn20-512"}


def peer_net_of(net):
    return PEER_NET.get(net, net.replace("-int8", "")) if net else net
# (case param or hush benchmark, peer, minimum ratio): the project's speed targets
TARGETS = [
    ("seed-b128", "ORT", 1.0),
    ("seed-b1", "ORT", 1.0),
    ("dncnn-256", "ORT", 1.0),
    ("cdncnn20-481x321", "ORT", 1.0),
    ("SeedTrainBench.step", "PyTorch", 2.0),
    ("seed-b1-int8", "ORT", 2.0),  # Hush with int8 weights against ORT float32, batch 1
    ("color-blind-512", "ORT", 1.0),  # the colour model at least as fast as ORT runs CDnCNN-B's shape
]


LAYER_BENCHES = ("ConvBench", "DenseBench", "PoolBench", "BatchNormBench")
# (bench class, shape or batch param) -> (layer case, shape); listed in the seed network's order, then the big cases
LAYER_CASES = [
    ("ConvBench", "c1", "seed conv 1: Conv2D 3x3 1->32, ReLU", "[32,28,28,1] -> [32,28,28,32]"),
    ("PoolBench", "seed", "seed MaxPool 1: 2x2/2 SAME", "[32,28,28,32] -> [32,14,14,32]"),
    ("ConvBench", "c2", "seed conv 2: Conv2D 3x3 32->64, ReLU", "[32,14,14,32] -> [32,14,14,64]"),
    ("PoolBench", "seed2", "seed MaxPool 2: 2x2/2 SAME", "[32,14,14,64] -> [32,7,7,64]"),
    ("DenseBench", "1", "seed Dense 3136->3136, batch 1", "[1,3136] -> [1,3136]"),
    ("DenseBench", "128", "seed Dense 3136->3136, batch 128", "[128,3136] -> [128,3136]"),
    ("ConvBench", "t1", "seed convT 1: Conv2DTranspose 3x3 s2 64->64, ReLU", "[32,7,7,64] -> [32,14,14,64]"),
    ("ConvBench", "t2", "seed convT 2: Conv2DTranspose 3x3 s2 64->32, ReLU", "[32,14,14,64] -> [32,28,28,32]"),
    ("ConvBench", "c3", "seed conv 3: Conv2D 3x3 32->1, sigmoid", "[32,28,28,32] -> [32,28,28,1]"),
    ("ConvBench", "big", "Conv2D 3x3 64->64, 64x64", "[8,64,64,64] -> [8,64,64,64]"),
    ("ConvBench", "dn256", "Conv2D 3x3 64->64, 256x256 (DnCNN layer)", "[1,256,256,64] -> [1,256,256,64]"),
    ("PoolBench", "big", "MaxPool 2x2/2 SAME, 64x64", "[8,64,64,64] -> [8,32,32,64]"),
    ("BatchNormBench", "seed", "BatchNorm2D (training batch statistics)", "[32,28,28,32]"),
    ("BatchNormBench", "big", "BatchNorm2D (training batch statistics)", "[8,64,64,64]"),
]
DIRECTIONS = {"forward": "forward", "trainForward": "forward", "backward": "backward", "trainBackward": "backward",
              "infer": "inference", "inferForward": "inference"}
DIRECTION_ORDER = ["forward", "backward", "inference"]
TO_MS = {"ms/op": 1.0, "us/op": 1e-3, "ns/op": 1e-6, "s/op": 1e3}
PER_S = {"ops/s": 1.0, "ops/ms": 1e3, "ops/us": 1e6, "ops/ns": 1e9}


def call_ms(score, unit):
    """Milliseconds per call from a JMH score (throughput or average time)."""
    if not score:
        return None
    if unit in TO_MS:
        return score * TO_MS[unit]
    if unit in PER_S:
        return 1000.0 / (score * PER_S[unit])
    return None


def load(path):
    """(runs, whole-model results keyed (benchmark, net, threads), per-layer results, every result for the raw table)."""
    with open(path) as f:
        runs = json.load(f)
    res, layers, raw = {}, [], []
    for r in runs:
        cls, method = r["benchmark"].split(".")[-2:]
        name = cls + "." + method
        p = r.get("params", {})
        threads = int(p.get("threads", r.get("threads", 1)))
        sec = r.get("secondaryMetrics", {})
        gflop = sec.get("gflop", {}).get("score")
        if gflop is None and "flops" in sec:  # older DenseBench results count flops, not GFLOP
            gflop = sec["flops"]["score"] * 1e-9
        e = {
            "score": r["primaryMetric"]["score"],
            "error": r["primaryMetric"].get("scoreError"),
            "unit": r["primaryMetric"]["scoreUnit"],
            "gflop": gflop,
            "alloc": sec.get("gc.alloc.rate.norm", {}).get("score"),
            "name": name,
            "params": ", ".join(f"{k}={v}" for k, v in sorted(p.items()) if k != "threads"),
            "threads": threads,
            "raw": r,
        }
        e["ms"] = call_ms(e["score"], e["unit"])
        raw.append(e)
        if cls in LAYER_BENCHES:
            e.update(cls=cls, case=str(p.get("shape", p.get("batch"))), impl=p.get("impl", "simd"),
                     direction=DIRECTIONS.get(method, method))
            layers.append(e)
        else:
            res[(name, p.get("net"), threads)] = e
    return runs, res, layers, raw


def meta(path):
    m = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                m[k] = v
    return m


def run_table(m, jdk, *rows):
    """The table of the run's circumstances from meta.env: date, machine, vector width, JDK, then `rows`, then the
    load average at start and end."""
    return ["| | |",
            "|---|---|",
            f"| date | {m.get('date', '?')} |",
            f"| machine | {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('mem', '?')}, {m.get('os', '?')} |",
            f"| vector width | {m.get('vector', '?')} |",
            f"| JDK | {jdk} |",
            *rows,
            f"| load average (1/5/15 min) | start {m.get('load_start', '?')}, end {m.get('load_end', '?')} |"]


def ms(r):
    return "—" if r is None or r.get("ms") is None else f"{r['ms']:.3g}"


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
    runs, res, layers, raw = load(sys.argv[1])
    m = meta(sys.argv[2])
    thread_counts = sorted({k[2] for k in res if not k[0].startswith("FmaPeak")} | {e["threads"] for e in layers})
    peak = {1: res.get(("FmaPeakBench.peak1", None, 1)), 2: res.get(("FmaPeakBench.peak2", None, 2))}
    jvm = runs[0].get("vmName", "") + " " + runs[0].get("vmVersion", "") if runs else ""
    o = []
    o.append("# Hush benchmarks side by side with native peers")
    o.append("")
    o.append(f"Written by `bench/run.sh {m.get('mode', '?')}` (JMH, `-prof gc`), post-processed by `bench/tools/results.py`. "
             "See bench/README.md for what each benchmark does.")
    o.append("")
    o += run_table(m, f"{m.get('java', '?')} ({jvm.strip()})",
                   f"| threads | {', '.join(map(str, thread_counts))} (Hush pool = ORT intra-op threads = PyTorch intra-op threads) |")
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
    if m.get("c_fma_peak1"):
        o.append("")
        o.append(f"The same loop in C (`bench/tools/fma_peak.c`, `cc -O2 -march=native`, best of 5), 1 thread: "
                 f"{m['c_fma_peak1']} GFLOP/s. FmaPeakBench is the mean of its iterations, so on a shared machine it reads "
                 "below the C figure by the time other work held the core.")
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
            peer_net = peer_net_of(net)
            ort = res.get((ob, peer_net, t)) if ob else None
            pt = res.get((pb, peer_net, t)) if pb else None
            pk = peak.get(t)
            pct = None if (pk is None or h["gflop"] is None) else 100.0 * h["gflop"] / pk["score"]
            o.append(f"| {label} | {t} | {ms(h)} | {num(h['gflop'])} | {num(pct, '{:.1f}%')} | {alloc(h)} "
                     f"| {ms(ort)} | {num(ort['gflop'] if ort else None)} | **{num(ratio(h, ort), '{:.2f}x')}** "
                     f"| {ms(pt)} | {num(pt['gflop'] if pt else None)} | **{num(ratio(h, pt), '{:.2f}x')}** |")
    o.append("")
    o.append("## Targets (1 and 2 threads)")
    o.append("")
    o.append("| target | threads | measured | status |")
    o.append("|---|---|---|---|")
    for what, peer, need in TARGETS:
        for t in (1, 2):
            if what.startswith("SeedTrain"):
                h = res.get((what, None, t))
                p = res.get(("PeerTorchTrainBench.step", None, t))
                label = "seed training step, batch 128"
            else:
                h = res.get(("ModelBench.infer", what, t))
                p = res.get(("PeerOrtBench.infer", peer_net_of(what), t))
                label = {"seed-b128": "seed inference, batch 128", "seed-b1": "seed inference, batch 1",
                         "dncnn-256": "DnCNN 256x256 inference",
                         "cdncnn20-481x321": "RGB DnCNN-20 481x321 inference",
                         "seed-b1-int8": "seed inference, batch 1, Hush int8 weights vs ORT float32",
                         "color-blind-512": "color-blind 512x512 RGB vs ORT's CDnCNN-B shape"}[what]
            r = ratio(h, p)
            status = "not measured" if r is None else ("met" if r >= need else "NOT met")
            o.append(f"| {label} >= {need:.1f}x {peer} | {t} | {num(r, '{:.2f}x')} | {status} |")
    o.append("")
    if layers:
        layer_table(o, layers, peak)
    o.append("## Raw JMH results")
    o.append("")
    o.append("| benchmark | params | threads | score ± error | GFLOP/s | alloc/call |")
    o.append("|---|---|---|---|---|---|")
    for r in sorted(raw, key=lambda r: (r["name"], r["params"], r["threads"])):
        err = r["error"]
        err = f" ± {err:.3g}" if isinstance(err, (int, float)) and err == err else ""  # JMH writes "NaN" for 1 sample
        o.append(f"| {r['name']} | {r['params']} | {r['threads']} | {r['score']:.4g}{err} {r['unit']} | {num(r['gflop'])} "
                 f"| {alloc(r)} |")
    o.append("")
    print("\n".join(o))


def layer_table(o, layers, peak):
    """Per-layer table: one row per (case, direction, threads), SIMD beside the scalar reference."""
    by = {(e["cls"], e["case"], e["direction"], e["threads"], e["impl"]): e for e in layers}
    order = {(cls, case): i for i, (cls, case, _, _) in enumerate(LAYER_CASES)}
    info = {(cls, case): (label, shape) for cls, case, label, shape in LAYER_CASES}
    keys = sorted({k[:4] for k in by},
                  key=lambda k: (order.get(k[:2], len(order)), k[0], k[1],
                                 DIRECTION_ORDER.index(k[2]) if k[2] in DIRECTION_ORDER else 9, k[3]))
    o.append("## Per layer: SIMD vs scalar")
    o.append("")
    o.append("Every layer of the seed network at its real shapes (batch 32 for the conv and pool layers), the 3x3 "
             "64->64 convolution at 64x64 (batch 8) and 256x256 (batch 1), MaxPool and BatchNorm (training mode). "
             "Time per call; GFLOP/s counts multiply-add = 2 (conv forward 2·MACs, backward 4·MACs: input and kernel "
             "gradients, 2·MACs for the first conv, which has no input gradient; bias and activation not counted) and is "
             "given for the compute-bound layers only (MaxPool and BatchNorm are memory-bound). % of peak divides by "
             "FmaPeakBench at the same thread count. Scalar = the plain reference kernels (ConvScalar, GemmScalar, "
             "PoolKernels/BatchNormKernels scalar twins), run on 1 thread only; Dense backward has no "
             "scalar variant. Speed-up = scalar time / SIMD time at the same thread count.")
    o.append("")
    o.append("| layer case | shape (in -> out) | direction | threads | SIMD ms | SIMD GFLOP/s | % of peak | SIMD alloc/call "
             "| scalar ms | **SIMD/scalar** |")
    o.append("|---|---|---|---|---|---|---|---|---|---|")
    for k in keys:
        cls, case, direction, t = k
        label, shape = info.get((cls, case), (f"{cls} {case}", ""))
        s, sc = by.get(k + ("simd",)), by.get(k + ("scalar",))
        pk = peak.get(t)
        pct = None if (s is None or pk is None or s["gflop"] is None) else 100.0 * s["gflop"] / pk["score"]
        speed = None if (s is None or sc is None or not s["ms"] or sc["ms"] is None) else sc["ms"] / s["ms"]
        o.append(f"| {label} | {shape} | {direction} | {t} | {ms(s)} | {num(s['gflop'] if s else None)} "
                 f"| {num(pct, '{:.1f}%')} | {alloc(s)} | {ms(sc)} | **{num(speed, '{:.1f}x')}** |")
    o.append("")


def e2e_main(path, meta_path):
    """bench/RESULTS-e2e.md from the whole-process timings of tools/wholeproc.py (one JSON object per case)."""
    m = meta(meta_path)
    cases = [json.loads(line) for line in open(path) if line.strip()]
    o = ["# End to end: `hush denoise` vs a one-shot ONNX Runtime program", ""]
    o.append(f"Written by `bench/run.sh {m.get('mode', '?')}` (whole processes timed by `bench/tools/wholeproc.py`, "
             "A and B in turn), post-processed by `bench/tools/results.py --e2e`. See bench/README.md, \"End to end\".")
    o.append("")
    o += run_table(m, m.get("java", "?"))
    o.append("| A | `./hush denoise IN -o OUT --model M.onnx --threads 2` (the launcher, JVM start-up, model import, "
             "warm-up, PNG read and write included) |")
    o.append("| B | `java ... io.hush.bench.PeerOrtDenoise --threads 2 M.onnx OUT IN`: ONNX Runtime 1.23.2 Java API, one "
             "session (2 intra-op threads, all optimisations), ImageIO read, one run per image, PNG write |")
    o.append("")
    o.append("Wall and CPU seconds per whole process: median (min - max) over the runs; **Hush/ORT** = ORT's wall time / "
             "Hush's, taken run by run (> 1: Hush faster), median (min - max).")
    o.append("")
    o.append("| case | runs | Hush wall s | ORT wall s | **Hush/ORT** | Hush CPU s | ORT CPU s | Hush peak MiB | ORT peak MiB |")
    o.append("|---|---|---|---|---|---|---|---|---|")

    def f(t, fmt="{:.2f}"):
        lo, med, hi = t
        return f"{fmt.format(med)} ({fmt.format(lo)} - {fmt.format(hi)})"
    for c in cases:
        o.append(f"| {c['name']} | {c['runs']} | {f(c['A_wall'])} | {f(c['B_wall'])} | **{f(c['B_over_A_wall'])}** | "
                 f"{f(c['A_cpu'])} | {f(c['B_cpu'])} | {f(c['A_peak_mib'], '{:.0f}')} | {f(c['B_peak_mib'], '{:.0f}')} |")
    o.append("")
    o.append("Commands:")
    o.append("")
    import re

    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")) + os.sep

    def short(cmd):
        """The command as a reader runs it from the repository root: the peer's class path (benchmarks.jar and the
        local Maven repository's jars) in one word, the JDK's java as `java`, this checkout's paths relative."""
        words = []
        for w in re.sub(r"-cp \S+", "-cp BENCH_CLASSPATH", cmd).split(" "):
            if w.endswith(os.sep + "bin" + os.sep + "java"):
                w = "java"
            elif w == root + "hush":
                w = "./hush"
            words.append(w.replace(root, ""))
        return " ".join(words)
    for c in cases:
        o.append(f"- {c['name']}: A `{short(c['a'])}`; B `{short(c['b'])}`")
    o.append("")
    o.append("BENCH_CLASSPATH = bench/target/run-MODE/benchmarks.jar and the peers' jars from the local Maven repository "
             "(bench/target/run-MODE/peers.classpath).")
    print("\n".join(o))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--e2e":
        e2e_main(sys.argv[2], sys.argv[3])
    else:
        main()
