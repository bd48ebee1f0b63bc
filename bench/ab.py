"""Two installed versions of convpool timed against each other, case by case, alternating.

Each version lives in its own virtual environment; this script starts one child process
per measurement, alternating the versions case by case and round by round, so that a
busy machine slows both alike. It prints each case's median time per version and the
ratio B / A (below 1: B is faster)::

    python bench/ab.py /tmp/old/bin/python /tmp/new/bin/python --rounds 5

The cases are those of bench/compare.py (the codelab's filters, 5x5 and 7x7 kernels,
pooling, two threads, the call overhead on a 32 x 32 image), plus float and 16-bit
images, border modes, min and average pooling. This is a benchmark, not a test: it
asserts nothing.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time

CODELAB = (
    "[np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),"
    " np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])]"
)
LOG5 = "[np.array([[0, 0, -1, 0, 0], [0, -1, -2, -1, 0], [-1, -2, 16, -2, -1], [0, -1, -2, -1, 0], [0, 0, -1, 0, 0]])]"
FLOAT7 = "[np.random.default_rng(7).standard_normal((7, 7))]"

# name -> (image size, setup, statement). The setup starts from `base`, uint8 noise of
# that size, and leaves `image` (and anything the statement uses).
CASES = {
    "3x3 codelab 4096": (4096, "image = base; ks = " + CODELAB, "[convpool.convolve(image, k) for k in ks]"),
    "5x5 LoG 4096": (4096, "image = base; ks = " + LOG5, "[convpool.convolve(image, k) for k in ks]"),
    "7x7 float64 4096": (4096, "image = base; ks = " + FLOAT7, "[convpool.convolve(image, k) for k in ks]"),
    "3x3 codelab 512": (512, "image = base; ks = " + CODELAB, "[convpool.convolve(image, k) for k in ks]"),
    "3x3 codelab 32 (call)": (32, "image = base; ks = " + CODELAB, "[convpool.convolve(image, k) for k in ks]"),
    "3x3 workers=2 4096": (4096, "image = base; ks = " + CODELAB,
                           "[convpool.convolve(image, k, workers=2) for k in ks]"),
    "3x3 float32 image 2048": (2048, "image = base.astype(np.float32); ks = " + CODELAB,
                               "[convpool.convolve(image, k, dtype=np.float32) for k in ks]"),
    "3x3 uint16 to float32 2048": (2048, "image = base.astype(np.uint16) * 200; ks = " + CODELAB,
                                   "[convpool.convolve(image, k, dtype=np.float32) for k in ks]"),
    "3x3 uint8 to float64 2048": (2048, "image = base; ks = " + CODELAB,
                                  "[convpool.convolve(image, k, dtype=np.float64) for k in ks]"),
    "5x5 reflect 2048": (2048, "image = base; ks = " + LOG5,
                         "[convpool.convolve(image, k, mode='reflect') for k in ks]"),
    "9x9 int 2048": (2048, "image = base; ks = [np.random.default_rng(9).integers(-3, 4, (9, 9))]",
                     "[convpool.convolve(image, k) for k in ks]"),
    "2x2 max_pool 4096": (4096, "image = base", "convpool.max_pool(image)"),
    "2x2 max_pool out= 4096": (4096, "image = base; o = np.empty((2048, 2048), np.uint8)",
                               "convpool.max_pool(image, out=o)"),
    "3x3 max_pool 2048": (2048, "image = base", "convpool.max_pool(image, 3)"),
    "2x2 max_pool float32 2048": (2048, "image = base.astype(np.float32)", "convpool.max_pool(image)"),
    "2x2 min_pool 2048": (2048, "image = base", "convpool.min_pool(image)"),
    "2x2 avg_pool 2048": (2048, "image = base", "convpool.avg_pool(image)"),
    "2x2 max_pool 32 (call)": (32, "image = base", "convpool.max_pool(image)"),
}


def worker(name: str, repeat: int) -> float:
    """Median seconds per call of one case, in this interpreter's convpool."""
    import numpy as np

    import convpool

    n, setup, stmt = CASES[name]
    env = {"np": np, "convpool": convpool, "base": np.random.default_rng(1).integers(0, 256, (n, n), dtype=np.uint8)}
    exec(setup, env)
    fn = eval(f"lambda: {stmt}", env)
    fn()
    t = time.perf_counter()
    fn()
    once = time.perf_counter() - t
    number = max(1, int(0.05 / max(once, 1e-9)))
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t) / number)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="*", metavar="PYTHON", help="the interpreters of version A and B")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per measurement")
    parser.add_argument("--only", help="run the cases whose name contains this text")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(worker(args.worker, args.repeat))
        return 0
    if len(args.pythons) != 2:
        parser.error("give two interpreters")
    names = [n for n in CASES if not args.only or args.only in n]
    times: dict[str, list[list[float]]] = {n: [[], []] for n in names}
    start = time.time()
    for r in range(args.rounds):
        for name in names:
            order = (0, 1) if (r + names.index(name)) % 2 == 0 else (1, 0)
            for v in order:
                out = subprocess.run([args.pythons[v], __file__, "--worker", name, "--repeat", str(args.repeat)],
                                     capture_output=True, text=True, check=True, cwd="/")
                times[name][v].append(float(out.stdout))
    print(f"{platform.machine()} {platform.processor() or ''}, {args.rounds} rounds, {time.time() - start:.0f} s")
    print(f"{'case':32} {'A (ms)':>10} {'B (ms)':>10} {'B / A':>7}")
    for name in names:
        a, b = (statistics.median(t) * 1e3 for t in times[name])
        ratios = [y / x for x, y in zip(*times[name], strict=True)]
        print(f"{name:32} {a:10.4f} {b:10.4f} {statistics.median(ratios):7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
