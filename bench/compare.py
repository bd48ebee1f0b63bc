"""convpool against its peers, in one run: medians of repeated calls and ratios.

Install the peers with ``pip install ".[bench]"`` (OpenCV, SciPy, scikit-image;
PyTorch is used when installed), then::

    python bench/compare.py                 # the full table (a few minutes)
    python bench/compare.py --quick         # 512 x 512 only, fewer repeats: a smoke run
    python bench/compare.py --out bench.md  # also write the markdown to a file

Each run also writes ``bench/results/compare.json`` (the format in ``bench/_measure.py``),
from which the documentation draws its tables and plots (``--no-json`` leaves it alone).

Every timing is the median of ``--repeat`` runs (each run long enough for the clock), all
peers on one thread: ``cv2.setNumThreads(1)``, ``torch.set_num_threads(1)``. Times are
wall-clock; on a machine busy with other work, ``--clock cpu`` times single-threaded calls
by the process's CPU time instead, which other processes disturb less (the workers=2 and
two-thread cases always use wall-clock time, since they measure parallelism). A cell
reads ``time (ratio)``, the ratio being the peer's time over convpool's single-threaded
time in the same row: above 1, convpool is faster.
This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

import convpool
from convpool import reference

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _measure

try:
    import cv2
except ImportError:  # pragma: no cover - the bench extra installs it
    cv2 = None
try:
    import scipy.ndimage as ndi
except ImportError:  # pragma: no cover
    ndi = None
try:
    import skimage.measure
except ImportError:  # pragma: no cover
    skimage = None
try:
    import torch
except ImportError:
    torch = None

CODELAB = [  # the codelab's three filters: one timed call applies all three
    np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
]
LOG5 = np.array(  # 5x5 Laplacian of Gaussian ("Mexican hat"), integer
    [[0, 0, -1, 0, 0], [0, -1, -2, -1, 0], [-1, -2, 16, -2, -1], [0, -1, -2, -1, 0], [0, 0, -1, 0, 0]]
)
FLOAT7 = np.random.default_rng(7).standard_normal((7, 7))
KERNELS = {
    "3x3 integer (codelab's three)": CODELAB,
    "5x5 integer (LoG)": [LOG5],
    "7x7 float64 (random)": [FLOAT7],
}


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def timeit(fn: Callable[[], object], repeat: int, budget: float = 0.02, wall: bool = False) -> float:
    """Median seconds per call over ``repeat`` runs of enough calls to last ``budget``."""
    now = time.perf_counter if wall else clock
    fn()  # warm up: first-touch pages, lazy imports, thread start
    t = time.perf_counter()
    fn()
    once = time.perf_counter() - t
    number = max(1, int(budget / max(once, 1e-9)))
    runs = []
    for _ in range(repeat):
        t = now()
        for _ in range(number):
            fn()
        runs.append((now() - t) / number)
    return statistics.median(runs)


# ------------------------------------------------------------------ the contenders


def numpy_slices(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The best plain-NumPy correlation: a sum of shifted slices (zero taps skipped)."""
    kh, kw = kernel.shape
    h, w = image.shape
    integer = kernel.dtype.kind in "iu"
    acc = np.zeros((h - kh + 1, w - kw + 1), np.int32 if integer else np.float64)
    for i in range(kh):
        for j in range(kw):
            if kernel[i, j]:
                acc += kernel[i, j] * image[i : i + h - kh + 1, j : j + w - kw + 1]
    return np.clip(acc, 0, 255).astype(np.uint8)


def conv_contenders(image: np.ndarray, kernels: list[np.ndarray]) -> dict[str, Callable[[], object]]:
    out: dict[str, Callable[[], object]] = {
        "convpool": lambda: [convpool.convolve(image, k) for k in kernels],
        "convpool workers=2": lambda: [convpool.convolve(image, k, workers=2) for k in kernels],
    }
    if cv2 is not None:
        k32 = [k.astype(np.float32) for k in kernels]
        out["cv2.filter2D"] = lambda: [cv2.filter2D(image, -1, k) for k in k32]
    if ndi is not None:

        def scipy_correlate() -> object:
            res = []
            for k in kernels:
                acc = ndi.correlate(image, k, output=np.int32 if k.dtype.kind in "iu" else np.float64)
                res.append(np.clip(acc, 0, 255).astype(np.uint8))
            return res

        out["scipy.ndimage"] = scipy_correlate
    out["NumPy slices"] = lambda: [numpy_slices(image, k) for k in kernels]
    if torch is not None:
        tk = [torch.from_numpy(k.astype(np.float32))[None, None] for k in kernels]

        def torch_conv() -> object:
            x = torch.from_numpy(image)[None, None].float()
            return [torch.nn.functional.conv2d(x, k).clamp_(0, 255).to(torch.uint8) for k in tk]

        out["torch conv2d"] = torch_conv
    return out


def pool_contenders(image: np.ndarray) -> dict[str, Callable[[], object]]:
    pooled = np.empty((image.shape[0] // 2, image.shape[1] // 2), image.dtype)
    copy = np.empty_like(image)
    out: dict[str, Callable[[], object]] = {
        "convpool": lambda: convpool.max_pool(image),
        "convpool workers=2": lambda: convpool.max_pool(image, workers=2),
        "convpool out=": lambda: convpool.max_pool(image, out=pooled),
        "NumPy expression": lambda: np.maximum(
            np.maximum(image[0::2, 0::2], image[1::2, 0::2]), np.maximum(image[0::2, 1::2], image[1::2, 1::2])
        ),
        "np.copyto (floor)": lambda: np.copyto(copy, image),
        # Reads the image once and writes nothing: the floor under any pooling.
        "image.max() (read once)": lambda: image.max(),
    }
    if skimage is not None:
        out["skimage block_reduce"] = lambda: skimage.measure.block_reduce(image, (2, 2), np.max)
    if torch is not None:
        x = torch.from_numpy(image)[None, None]
        try:
            torch.nn.functional.max_pool2d(x, 2)
        except RuntimeError:  # no uint8 max pooling in this build: pool float32
            x = x.float()
        out["torch max_pool2d"] = lambda: torch.nn.functional.max_pool2d(x, 2)
    return out


# ------------------------------------------------------------------ special cases


def two_threads(image: np.ndarray, repeat: int, out: bool) -> tuple[float, float]:
    """Seconds for one 3x3 call on one thread, and for two calls on two Python threads.

    With ``out=True`` each thread writes into its own preallocated array; otherwise
    every call allocates its result, and the two threads' page faults on their fresh
    16 MB arrays then contend in the operating system (see the README).
    """
    other = image.copy()
    k = CODELAB[0]
    mine = {"out": np.empty_like(image)} if out else {}
    theirs = {"out": np.empty_like(image)} if out else {}
    one = timeit(lambda: convpool.convolve(image, k, **mine), repeat, wall=True)

    def pair() -> None:
        t = threading.Thread(target=lambda: convpool.convolve(other, k, **theirs))
        t.start()
        convpool.convolve(image, k, **mine)
        t.join()

    return one, timeit(pair, repeat, wall=True)


def two_threads_allocating(image: np.ndarray, repeat: int) -> tuple[float, float]:
    """No convpool: allocate and fill an array like ``image``, on one thread and on two at
    once. What the operating system's page faults cost the two-thread case above."""

    def fill() -> None:
        np.empty_like(image).fill(1)

    def pair() -> None:
        t = threading.Thread(target=fill)
        t.start()
        fill()
        t.join()

    return timeit(fill, repeat, wall=True), timeit(pair, repeat, wall=True)


def peak_memory_probe(side: int) -> None:
    """Run in a child process: print the peak memory growth of one convolve call.

    Linux: reset the process's peak resident size (``/proc/self/clear_refs``), call,
    then read the peak (``VmHWM``). That sees every allocation, NumPy's and the kernels'
    C ``malloc`` alike, which ``tracemalloc`` would miss.
    """
    image = np.random.default_rng(1).integers(0, 256, (side, side), dtype=np.uint8)
    convpool.convolve(image[:64, :64], CODELAB[0])  # lazy imports and caches first

    def status(field: str) -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(field)

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS:")
    result = convpool.convolve(image, CODELAB[0])
    growth = status("VmHWM:") - before
    print(growth, result.nbytes)


def peak_memory(side: int) -> tuple[int, int] | None:
    if not sys.platform.startswith("linux"):
        return None
    proc = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(side)], capture_output=True, text=True, check=True
    )
    growth, nbytes = map(int, proc.stdout.split())
    return growth, nbytes


# ------------------------------------------------------------------ report


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def table(rows: list[tuple[str, dict[str, float]]], base: str = "convpool") -> list[str]:
    cols: list[str] = []
    for _, times in rows:
        cols += [c for c in times if c not in cols]
    lines = ["| case | " + " | ".join(cols) + " |", "| --- |" + " --- |" * len(cols)]
    for name, times in rows:
        cells = []
        for c in cols:
            if c not in times:
                cells.append("")
            elif c == base:
                cells.append(f"**{fmt(times[c])}**")
            else:
                cells.append(f"{fmt(times[c])} ({times[c] / times[base]:.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    peers = (("OpenCV", cv2), ("SciPy", ndi and sys.modules["scipy"]), ("scikit-image", skimage), ("PyTorch", torch))
    for name, mod in peers:
        if mod is not None:
            versions.append(f"{name} {mod.__version__}")
    return (
        f"{model}, {os.cpu_count()} logical CPUs, {platform.system()}; "
        + ", ".join(versions)
        + f"; convpool {convpool.__version__} ({convpool.kernel_variant} kernels)"
    )


KERNEL_WIDTH = {"3x3": 3, "5x5": 5, "7x7": 7}
TARGETS = {"3x3": 0.4, "5x5": 0.5, "7x7": 1.0}  # convpool / cv2.filter2D, at 4096 x 4096
CALL_TARGET = 1.5  # convpool / cv2.filter2D for one call on a 32 x 32 image


def json_rows(
    results: dict[tuple[str, int], dict[str, float]], overhead: dict[str, float],
    overhead_ratios: dict[str, float], big: int,
) -> list[dict[str, object]]:
    """The table's cells as rows of ``bench/results/compare.json``.

    Ratios are convpool / peer (below 1: convpool faster), from the medians above, not
    paired, but for the call overhead (a paired median: a few microseconds drift more
    between runs than between neighbouring calls); each row's ``peer`` is the one its
    target names: cv2.filter2D for convolution, np.copyto for pooling (no target: the
    one set is for ``convpool out=``).
    """
    rows: list[dict[str, object]] = []

    def row(group: str, case: str, size: int, kernel: int, peer: str, target: float | None,
            times: dict[str, float], paired: dict[str, float] | None = None) -> None:
        if peer not in times:
            return
        ours = times["convpool"]
        ratios = paired or {name: ours / t for name, t in times.items() if name != "convpool"}
        rows.append({
            "group": group, "case": case, "family": case, "size": size, "kernel": kernel, "dtype": "uint8",
            "peer": peer, "target": target, "ratio": ratios[peer], "ratios": ratios, "times": dict(times),
        })

    for (kname, n), times in results.items():
        if kname == "pool":
            row("pool", "2x2 max pooling", n, 2, "np.copyto (floor)", None, times)
        else:
            width = kname.split(" ")[0]
            target = TARGETS[width] if n == 4096 else None
            row("conv", kname, n, KERNEL_WIDTH[width], "cv2.filter2D", target, times)
    row("conv", "call overhead, 3x3", 32, 3, "cv2.filter2D", CALL_TARGET, overhead, overhead_ratios)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="512 x 512 only, 3 repeats, no 8192 x 8192 memory run")
    parser.add_argument("--sizes", type=int, nargs="+", help="image sides (default 512 2048 4096)")
    parser.add_argument("--repeat", type=int, help="runs per median (default 7, --quick 3)")
    parser.add_argument(
        "--clock", choices=CLOCKS, default="wall", help="wall (default) or cpu time for single-threaded calls"
    )
    parser.add_argument("--out", help="also write the markdown report to this file")
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/compare.json")
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        peak_memory_probe(args.memory_probe)
        return 0
    global clock
    clock = CLOCKS[args.clock]
    sizes = args.sizes or ([512] if args.quick else [512, 2048, 4096])
    repeat = args.repeat or (3 if args.quick else 7)
    if cv2 is not None:
        cv2.setNumThreads(1)
    if torch is not None:
        torch.set_num_threads(1)

    rng = np.random.default_rng(0)
    images = {n: rng.integers(0, 256, (n, n), dtype=np.uint8) for n in sizes}
    conv_rows: list[tuple[str, dict[str, float]]] = []
    results: dict[tuple[str, int], dict[str, float]] = {}
    for kname, kernels in KERNELS.items():
        for n in sizes:
            image = images[n]
            times = {
                name: timeit(fn, repeat, wall="workers" in name) for name, fn in conv_contenders(image, kernels).items()
            }
            if n == 512 and kname.startswith("3x3"):
                # The codelab's own loop (kernel transposed, as it applies it); one run.
                t = time.perf_counter()
                for k in kernels:
                    reference.codelab_convolution(image, k.T)
                times["codelab loop"] = time.perf_counter() - t
            conv_rows.append((f"{kname}, {n}²", times))
            results[kname, n] = times
            print(f"  {kname}, {n}²: convpool {fmt(times['convpool'])}", file=sys.stderr)
    pool_rows = []
    for n in sizes:
        times = {name: timeit(fn, repeat, wall="workers" in name) for name, fn in pool_contenders(images[n]).items()}
        pool_rows.append((f"2x2 max pooling, {n}²", times))
        results["pool", n] = times

    small = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    k = CODELAB[0]
    overhead, overhead_ratios = {"convpool": timeit(lambda: convpool.convolve(small, k), repeat, budget=0.05)}, {}
    if cv2 is not None:
        k32 = k.astype(np.float32)
        # Paired rounds, each call timed next to the other's (see _measure.paired).
        overhead, overhead_ratios = _measure.paired(lambda: convpool.convolve(small, k),
                                                    {"cv2.filter2D": lambda: cv2.filter2D(small, -1, k32)}, rounds=31)
    big = max(sizes)
    threads = {out: two_threads(images[big], repeat, out) for out in (False, True)}
    fills = two_threads_allocating(images[big], repeat)
    memory = None if args.quick else peak_memory(8192)

    report = [f"Measured on: {machine()}; {args.clock} clock, medians of {repeat} runs.", ""]
    report += ["Convolution to uint8 (the codelab's clamp), single thread unless said:", ""]
    report += table(conv_rows) + [""]
    report += ["Max pooling, uint8:", ""] + table(pool_rows) + [""]
    report += ["Call overhead, 32 x 32 uint8, 3x3:", ""] + table([("32²", overhead)]) + [""]

    # The targets, from the numbers above.
    targets = []

    def target(case: str, value: float, goal: str, met: bool) -> None:
        targets.append(f"| {case} | {value:.2f} | {goal} | {'yes' if met else 'no'} |")

    r3 = results[next(iter(KERNELS)), big]
    if "cv2.filter2D" in r3:
        for kname, goal in zip(KERNELS, (0.4, 0.5, 1.0), strict=True):
            t = results[kname, big]
            ratio = t["convpool"] / t["cv2.filter2D"]
            target(f"{kname.split(' (')[0]}, {big}²: convpool / cv2", ratio, f"<= {goal}", ratio <= goal)
    p = results["pool", big]
    ratio = p["convpool out="] / p["np.copyto (floor)"]
    target(f"2x2 max pool, {big}²: convpool (out=) / np.copyto", ratio, "<= 0.6", ratio <= 0.6)
    ratio = p["NumPy expression"] / p["convpool"]
    target(f"2x2 max pool, {big}²: NumPy expression / convpool", ratio, ">= 8", ratio >= 8)
    # Both wall-clock here, whatever --clock says.
    ratio = timeit(lambda: convpool.convolve(images[big], CODELAB[0]), repeat, wall=True) / timeit(
        lambda: convpool.convolve(images[big], CODELAB[0], workers=2), repeat, wall=True
    )
    target(f"3x3, {big}²: workers=1 / workers=2", ratio, ">= 1.7", ratio >= 1.7)
    for out, (one, two) in threads.items():
        ratio = 2 * one / two
        how = "into preallocated `out=`" if out else "each call allocating its result"
        target(f"3x3, {big}²: throughput of two Python threads / one, {how}", ratio, ">= 1.6", ratio >= 1.6)
    if "cv2.filter2D" in overhead_ratios:
        ratio = overhead_ratios["cv2.filter2D"]
        target("32², 3x3: convpool call / cv2 call (paired)", ratio, f"<= {CALL_TARGET}", ratio <= CALL_TARGET)
    if memory is not None:
        growth, nbytes = memory
        target("8192², 3x3: peak memory growth / output size", growth / nbytes, "<= 1.1", growth <= 1.1 * nbytes)
    report += ["Targets:", ""]
    if big != 4096:
        report += [f"(The targets are set at 4096 x 4096; at {big}² these ratios are for orientation only.)", ""]
    report += ["| case | measured | target | met |", "| --- | --- | --- | --- |"] + targets
    one, two = fills
    report += [
        "",
        f"Without convpool: `np.empty_like(image).fill(1)` at {big}² takes {fmt(one)} on one thread; "
        f"two threads each doing it at once take {fmt(two)}, {2 * one / two:.2f} x the throughput of one.",
    ]
    text = "\n".join(report) + "\n"
    print(text)
    if not args.no_json:
        path = _measure.write("compare", json_rows(results, overhead, overhead_ratios, big))
        print(f"wrote {path}", file=sys.stderr)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
