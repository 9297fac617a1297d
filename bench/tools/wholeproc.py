#!/usr/bin/env python3
"""Times two commands as whole processes (process start to exit, JVM start-up included), A and B in turn.

usage: wholeproc.py --name NAME --runs N --warmup W --json OUT.json -- A_COMMAND... --vs B_COMMAND...

Runs W untimed warm-up rounds (A then B: disk caches, the launcher's first-run work), then N rounds of A then B.
Per run: wall seconds (monotonic clock around the child), user and system CPU seconds and peak resident memory (the
kernel's accounting of the reaped child, os.wait4). Prints min / median / max of each, and the paired ratio of
B's wall time to A's (> 1 = A faster), taken round by round so that a machine whose speed drifts during the call
still gives a fair ratio; appends one JSON object per call to OUT.json. Public tools only: Python's standard library.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
        raise SystemExit(f"command failed (exit {p.returncode}): {' '.join(cmd)}")
    return {"wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime, "cpu": ru.ru_utime + ru.ru_stime,
            "peak_mib": ru.ru_maxrss / 1024}


def spread(xs):
    return min(xs), statistics.median(xs), max(xs)


def main():
    argv = sys.argv[1:]
    if "--" not in argv or "--vs" not in argv:
        raise SystemExit(__doc__)
    opts, rest = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    a, b = rest[:rest.index("--vs")], rest[rest.index("--vs") + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--json", required=True)
    o = ap.parse_args(opts)
    for _ in range(o.warmup):
        run(a)
        run(b)
    ra, rb = [], []
    for i in range(o.runs):
        ra.append(run(a))
        rb.append(run(b))
        print(f"  {o.name} run {i + 1}/{o.runs}: A {ra[-1]['wall']:.2f} s, B {rb[-1]['wall']:.2f} s", file=sys.stderr)
    ratios = [y["wall"] / x["wall"] for x, y in zip(ra, rb)]
    cpu_ratios = [y["cpu"] / x["cpu"] for x, y in zip(ra, rb)]
    res = {"name": o.name, "runs": o.runs, "a": " ".join(a), "b": " ".join(b),
           "load_start": open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else None}
    for key, rs in (("A", ra), ("B", rb)):
        for m in ("wall", "cpu", "peak_mib"):
            res[f"{key}_{m}"] = spread([r[m] for r in rs])
    res["B_over_A_wall"] = spread(ratios)
    res["B_over_A_cpu"] = spread(cpu_ratios)
    with open(o.json, "a") as f:
        f.write(json.dumps(res) + "\n")
    for k in ("A_wall", "B_wall", "A_cpu", "B_cpu", "A_peak_mib", "B_peak_mib", "B_over_A_wall", "B_over_A_cpu"):
        lo, med, hi = res[k]
        print(f"{o.name:28s} {k:14s} min {lo:8.3f}  median {med:8.3f}  max {hi:8.3f}")


if __name__ == "__main__":
    main()
