"""convpool's convolution across the workload space, against the fastest peers.

Install the peers with ``pip install ".[bench]"`` (OpenCV, SciPy, pyvips with its
``pyvips-binary`` libvips), then::

    python bench/conv_space.py                 # every row, 2048 x 2048 and 4096 x 4096
    python bench/conv_space.py --quick         # 2048 x 2048 only, 3 rounds: a smoke run
    python bench/conv_space.py --only Gaussian --rounds 21

Every row is a case of the table below, timed on one thread (``cv2.setNumThreads(1)``,
``VIPS_CONCURRENCY=1``, ``pyvips.cache_set_max(0)`` so that libvips recomputes every
call) as the median of paired ratios convpool / peer (``_measure.paired``). The ``peer``
of a row is the one its target names; ``ratios`` holds every peer's. The peers:
``cv2.filter2D`` and ``cv2.sepFilter2D`` (float32 kernels, float64 ones on float64
images; OpenCV rounds where convpool truncates), pyvips ``conv`` and, for kernels whose
two factors are one vector, ``convsep`` (integer masks with ``scale=1`` and ``precision="integer"``, float masks
with ``precision="float"``; each call ends with ``write_to_memory()``, which makes libvips
compute), and ``scipy.ndimage.correlate`` (up to 9 x 9 kernels only: a 15 x 15 call
takes seconds). convpool runs its default mode, ``"keep"``.

The kernels (fixed seeds): random integers in -2..2; random floats from a standard
normal; the 5 x 5 binomial is ``outer([1 4 6 4 1], [1 4 6 4 1])``; the 7 x 7 and 15 x 15
integer Gaussians are sampled Gaussians with OpenCV's default sigma for the size
(``0.3 * ((n - 1) / 2 - 1) + 0.8``), scaled so that the end taps are 1 and rounded
(``[1 4 8 10 8 4 1]`` for 7); the 13 x 13 float Gaussian is ``outer(g, g)`` of the
normalised sampled Gaussian of that sigma; Sobel is ``[[-1 0 1] [-2 0 2] [-1 0 1]]``.

It prints the markdown table, writes ``bench/results/conv.json`` and draws the plots of
time against kernel size next to it (``bench/plots.py``). A benchmark, not a test: it
asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _measure

_measure.single_thread()  # before pyvips is imported: VIPS_CONCURRENCY

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import plots  # noqa: E402
import pyvips  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

import convpool  # noqa: E402

pyvips.cache_set_max(0)

SOBEL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
VIPS_FORMAT = {np.dtype(np.uint8): "uchar", np.dtype(np.uint16): "ushort", np.dtype(np.float32): "float",
               np.dtype(np.float64): "double"}
SCIPY_MAX_TAPS = 81


def sigma(n: int) -> float:
    """OpenCV's default Gaussian sigma for an n-tap kernel."""
    return 0.3 * ((n - 1) * 0.5 - 1) + 0.8


def sampled(n: int) -> np.ndarray:
    x = np.arange(n) - (n - 1) / 2
    return np.exp(-(x**2) / (2 * sigma(n) ** 2))


def integer_gaussian(n: int) -> np.ndarray:
    """Binomial for 5 taps; else the sampled Gaussian scaled to end taps of 1, rounded."""
    if n == 5:
        return np.array([1, 4, 6, 4, 1])
    g = sampled(n)
    return np.rint(g / g[0]).astype(np.int64)


def float_gaussian(n: int) -> np.ndarray:
    g = sampled(n)
    return g / g.sum()


class Case:
    """One row: the image, the kernel (with its factors when separable), the peers."""

    def __init__(self, case: str, family: str, n: int, image_dtype, out_dtype, kernel: np.ndarray,
                 peers: tuple[str, ...], target: float | None, factor: np.ndarray | None = None,
                 integer: bool = True) -> None:
        self.case, self.family, self.n = case, family, n
        self.image_dtype, self.out_dtype = np.dtype(image_dtype), np.dtype(out_dtype)
        self.kernel, self.factor, self.integer = kernel, factor, integer
        self.peers, self.target = peers, target

    def contenders(self, size: int) -> tuple[Callable[[], object], dict[str, Callable[[], object]]]:
        rng = np.random.default_rng(size)
        if self.image_dtype.kind == "f":
            image = (rng.random((size, size)) * 255).astype(self.image_dtype)
        else:
            image = rng.integers(0, np.iinfo(self.image_dtype).max, (size, size), endpoint=True,
                                 dtype=self.image_dtype)
        k = self.kernel
        # OpenCV's kernels in float32, but on float64 images in float64 (it sums in the
        # image's type there).
        kernel_type = np.float64 if self.image_dtype == np.float64 else np.float32
        k_cv = k.astype(kernel_type)
        ddepth = -1 if self.out_dtype == self.image_dtype else cv2.CV_32F
        out_dtype = self.out_dtype

        def ours():
            return convpool.convolve(image, k, dtype=out_dtype)

        vips_image = pyvips.Image.new_from_memory(image.data, size, size, 1, VIPS_FORMAT[self.image_dtype])
        precision = "integer" if self.integer else "float"
        mask = pyvips.Image.new_from_array(k.tolist(), scale=1)
        peers: dict[str, Callable[[], object]] = {
            "cv2.filter2D": lambda: cv2.filter2D(image, ddepth, k_cv),
            "pyvips conv": lambda: vips_image.conv(mask, precision=precision).write_to_memory(),
        }
        if self.factor is not None:
            f_cv = self.factor.astype(kernel_type)
            line = pyvips.Image.new_from_array([self.factor.tolist()], scale=1)
            peers["cv2.sepFilter2D"] = lambda: cv2.sepFilter2D(image, ddepth, f_cv, f_cv)
            peers["pyvips convsep"] = lambda: vips_image.convsep(line, precision=precision).write_to_memory()
        if k.size <= SCIPY_MAX_TAPS:
            peers["scipy.ndimage.correlate"] = lambda: ndi.correlate(image, k, output=out_dtype)
        return ours, peers

    def measure(self, size: int, rounds: int) -> dict[str, object]:
        ours, peers = self.contenders(size)
        times, ratios = _measure.paired(ours, peers, rounds=rounds)
        # The row's peer: the faster of those its target names.
        peer = min(self.peers, key=lambda p: times[p])
        return {
            "group": "conv", "case": self.case, "family": self.family, "size": size, "kernel": self.n,
            "dtype": f"{self.image_dtype.name} -> {self.out_dtype.name}", "peer": peer,
            "target": self.target, "ratio": ratios[peer], "ratios": ratios, "times": times,
        }


def cases() -> list[Case]:
    rng = np.random.default_rng(13)
    out: list[Case] = []
    fastest = ("cv2.filter2D", "pyvips conv")
    for n in (3, 5, 7, 9, 11, 15):
        label = "3x3 .. 9x9 random integer kernel, uint8" if n <= 9 else f"{n}x{n} random integer kernel, uint8"
        out.append(Case(label, "random integer, uint8", n, np.uint8, np.uint8, rng.integers(-2, 3, (n, n)),
                        fastest if n <= 9 else ("pyvips conv",), 0.7 if n <= 9 else 0.8))
    sep = ("cv2.sepFilter2D",)
    for n in (5, 7, 15):
        g = integer_gaussian(n)
        label = ("5x5 binomial `[1 4 6 4 1]` outer product, uint8" if n == 5
                 else "7x7 / 15x15 integer Gaussian, uint8")
        out.append(Case(label, "integer Gaussian, uint8", n, np.uint8, np.uint8, np.outer(g, g), sep, 1.0, g))
    out.append(Case("9x9 box, uint8", "box, uint8", 9, np.uint8, np.uint8, np.ones((9, 9), np.int64), sep, 1.0,
                    np.ones(9, np.int64)))
    f2d = ("cv2.filter2D",)
    for n in (3, 7, 15):
        label = ("3x3 random float kernel, float32 image, float32 out" if n == 3
                 else "7x7 / 15x15 random float kernel, float32 image")
        out.append(Case(label, "random float, float32", n, np.float32, np.float32, rng.standard_normal((n, n)),
                        f2d, 1.0 if n == 3 else 1.3, integer=False))
    out.append(Case("3x3 Sobel, float32 image", "Sobel, float32", 3, np.float32, np.float32, SOBEL, f2d, 1.0,
                    integer=False))
    g = float_gaussian(13)
    out.append(Case("13x13 float Gaussian (rank 1), float32 image", "float Gaussian, float32", 13, np.float32,
                    np.float32, np.outer(g, g), sep, 1.0, g, integer=False))
    out.append(Case("7x7 random float kernel, uint8 image, uint8 out", "random float, uint8", 7, np.uint8,
                    np.uint8, rng.standard_normal((7, 7)), f2d, 1.0, integer=False))
    out.append(Case("3x3 Sobel, uint16 image, float32 out", "Sobel, uint16", 3, np.uint16, np.float32, SOBEL,
                    f2d, 0.7))
    # float64, scipy.ndimage's own type: no target, the rows show what float64 sums in
    # 8 lanes cost against OpenCV's in 4 (its filters dispatch up to AVX2) and SciPy's.
    out.append(Case("7x7 random float kernel, float64 image", "random float, float64", 7, np.float64, np.float64,
                    rng.standard_normal((7, 7)), f2d, None, integer=False))
    out.append(Case("13x13 float Gaussian (rank 1), float64 image", "float Gaussian, float64", 13, np.float64,
                    np.float64, np.outer(g, g), sep, None, g, integer=False))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2048 x 2048 only, 3 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds per row (default 11)")
    parser.add_argument("--only", default="", help="only the rows whose case contains this text")
    parser.add_argument("--name", default="conv", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    sizes = (2048,) if args.quick else (2048, 4096)
    rounds = args.rounds or (3 if args.quick else 11)
    rows = []
    for size in sizes:
        for case in cases():
            if args.only in case.case:
                row = case.measure(size, rounds)
                print(f"{row['case']} ({case.n}x{case.n}) {size}: {row['ratio']:.2f} x {row['peer']}",
                      file=sys.stderr, flush=True)
                rows.append(row)
    print(_measure.markdown(rows))
    path = _measure.write(args.name, rows)
    for p in [path, *plots.draw(path)]:
        print(p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
