"""What the bench scripts share: paired timing, the machine, and the results file.

A *paired ratio* times convpool and one peer back to back, many rounds, the order
alternating, and takes the median of the per-round ratios ``convpool / peer``: a slow
moment of a shared machine then slows both sides of a pair instead of one column of a
table. Below 1, convpool is faster.

Results go to ``bench/results/NAME.json`` (committed, so that the documentation draws its
tables and plots from measured figures without re-running the benchmarks)::

    {"name": ..., "date": "2026-12-02", "machine": {...},
     "rows": [{"group": "conv" | "pool", "case": "table row label",
               "family": "random integer, uint8" (rows of one family differ only in
                         "kernel": the series of a plot of time against kernel size),
               "size": 2048, "kernel": 5 (window or kernel width; null if none),
               "dtype": "uint8", "peer": "cv2.sepFilter2D" (the peer the target names),
               "target": 1.0 (null if none), "ratio": 0.83 (median convpool / peer),
               "ratios": {"peer name": ratio, ...}, "times": {"name": seconds, ...}}]}

``times`` holds medians of seconds per call for convpool (key ``"convpool"``) and every
peer; ``ratios`` the median paired ratio against each peer; a file combined from several runs
(``combine()``) also holds each row's ``runs``: the ratio of every run.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

import convpool

RESULTS = Path(__file__).resolve().parent / "results"


def single_thread() -> None:
    """Every peer on one thread (call before importing pyvips for VIPS_CONCURRENCY)."""
    os.environ.setdefault("VIPS_CONCURRENCY", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str | None:
    try:
        mod = __import__(module)
    except ImportError:
        return None
    return str(getattr(mod, "__version__", None) or getattr(mod, "version", lambda *a: "?")(0))


def machine() -> dict[str, object]:
    """The machine and the versions a result was measured with."""
    from convpool import _config

    return {
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "convpool": convpool.__version__,
        "convpool build": _config.current().build.name,
        "opencv": _version("cv2"),
        "pyvips": _version("pyvips"),
        "scipy": _version("scipy"),
    }


def per_call(fn: Callable[[], object], budget: float = 0.02) -> Callable[[], float]:
    """A timer for ``fn``: seconds per call, over enough calls to last about ``budget``."""
    fn()  # warm up: first-touch pages, lazy imports, thread start
    t = time.perf_counter()
    fn()
    number = max(1, int(budget / max(time.perf_counter() - t, 1e-9)))

    def run() -> float:
        t = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - t) / number

    return run


def paired(
    convpool_fn: Callable[[], object],
    peers: Mapping[str, Callable[[], object]],
    rounds: int = 11,
    budget: float = 0.02,
) -> tuple[dict[str, float], dict[str, float]]:
    """Median seconds per call of every contender and median paired ratios vs convpool.

    Returns ``(times, ratios)``: ``times["convpool"]`` and ``times[peer]`` in seconds,
    ``ratios[peer]`` the median over rounds of ``convpool / peer`` timed back to back.
    """
    ours = per_call(convpool_fn, budget)
    theirs = {name: per_call(fn, budget) for name, fn in peers.items()}
    samples: dict[str, list[float]] = {"convpool": []}
    pairs: dict[str, list[float]] = {name: [] for name in peers}
    for i in range(rounds):
        for name, timer in theirs.items():
            if i % 2:
                b, a = timer(), ours()
            else:
                a, b = ours(), timer()
            samples["convpool"].append(a)
            samples.setdefault(name, []).append(b)
            pairs[name].append(a / b)
    times = {name: statistics.median(v) for name, v in samples.items()}
    ratios = {name: statistics.median(v) for name, v in pairs.items()}
    return times, ratios


def write(name: str, rows: list[dict[str, object]]) -> Path:
    """Write ``bench/results/NAME.json`` (the format in this module's docstring)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    doc = {"name": name, "date": datetime.date.today().isoformat(), "machine": machine(), "rows": rows}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)
    return path


def markdown(rows: list[dict[str, object]]) -> str:
    """The rows as a markdown table: case, size, the target's peer, ratio, target, verdict
    (and each run's ratio, for a file combined from several runs)."""
    runs = any("runs" in r for r in rows)
    sized = any(r.get("kernel") is not None for r in rows)
    head = "| case |" + (" kernel |" if sized else "") + " size | peer | convpool / peer |"
    head += (" runs |" if runs else "") + " target | |"
    lines = [head, "|" + " --- |" * head.count(" |")]
    for r in rows:
        target = r.get("target")
        ratio = float(r["ratio"])  # type: ignore[arg-type]
        verdict = "" if target is None else ("met" if ratio <= float(target) else "missed")  # type: ignore[arg-type]
        kernel = f" {r.get('kernel') or ''} |" if sized else ""
        each = f" {', '.join(f'{x:.2f}' for x in r.get('runs', []))} |" if runs else ""  # type: ignore[attr-defined]
        lines.append(
            f"| {r['case']} |{kernel} {r['size']} | {r['peer']} | {ratio:.2f} |{each} "
            f"{'' if target is None else f'<= {target}'} | {verdict} |"
        )
    return "\n".join(lines)


def combine(name: str, runs: list[str]) -> Path:
    """``bench/results/NAME.json`` from several runs' files: each row's ratios and times
    the median over the runs, the runs' own ratios kept in ``"runs"``.

        python bench/_measure.py NAME RUN1 RUN2 RUN3   # the names of results files
    """
    docs = [json.loads((RESULTS / f"{run}.json").read_text()) for run in runs]
    rows = []
    for together in zip(*(d["rows"] for d in docs), strict=True):
        first = dict(together[0])
        first["runs"] = [r["ratio"] for r in together]
        first["ratio"] = statistics.median(first["runs"])
        for field in ("ratios", "times"):
            first[field] = {k: statistics.median(r[field][k] for r in together) for k in first[field]}
        rows.append(first)
    return write(name, rows)


if __name__ == "__main__":
    import sys

    if len(sys.argv) < 3 or sys.argv[1].startswith("-"):
        sys.exit("usage: python bench/_measure.py NAME RUN1 [RUN2 ...]  (results file names, no .json)")
    print(combine(sys.argv[1], sys.argv[2:]))
