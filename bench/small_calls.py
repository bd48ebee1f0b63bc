"""The cost of one call on a small image: what a CNN on 28 x 28 images pays per filter.

Three cases, one thread, each a median of paired ratios (bench/_measure.py) against the
peer that does the same work on the same image:

- ``convpool.convolve`` of a 32 x 32 uint8 image with the codelab's first 3x3 integer
  kernel (bench/compare.py's "call overhead" row) against ``cv2.filter2D(image, -1, k)``;
- the same with a random 3x3 float kernel on a 28 x 28 float32 image, float32 out;
- ``convpool.max_pool`` of a 26 x 26 float32 image (a 28 x 28 image after a "valid" 3x3)
  against the NumPy expression that reshapes and takes the maximum.

Microseconds per call and the ratios are printed with the machine line::

    python bench/small_calls.py [--rounds 21]

This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure

_measure.single_thread()

import convpool  # noqa: E402

try:
    import cv2
except ImportError:  # the ratios against OpenCV are then left out
    cv2 = None

CODELAB = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # bench/compare.py's first kernel


def cases() -> list[tuple[str, object, dict[str, object]]]:
    rng = np.random.default_rng(32)
    small = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    mnist = rng.random((28, 28)).astype(np.float32)
    fk = rng.standard_normal((3, 3))
    pooled = rng.random((26, 26)).astype(np.float32)
    out = []
    peers: dict[str, object] = {}
    if cv2 is not None:
        k32 = CODELAB.astype(np.float32)
        peers = {"cv2.filter2D": lambda: cv2.filter2D(small, -1, k32)}
    out.append(("convolve 32x32 uint8, 3x3 integer", lambda: convpool.convolve(small, CODELAB), peers))
    peers = {}
    if cv2 is not None:
        f32 = fk.astype(np.float32)
        peers = {"cv2.filter2D": lambda: cv2.filter2D(mnist, -1, f32)}
    out.append(("convolve 28x28 float32, 3x3 float", lambda: convpool.convolve(mnist, fk, dtype=np.float32), peers))
    peers = {"NumPy reshape max": lambda: pooled.reshape(13, 2, 13, 2).max(axis=(1, 3))}
    out.append(("max_pool 26x26 float32, 2x2", lambda: convpool.max_pool(pooled), peers))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="paired rounds per case (default 21)")
    args = parser.parse_args()
    print("Measured on:", _measure.machine())
    print(f"{'case':38} {'convpool (us)':>14} {'peer':>20} {'peer (us)':>10} {'ratio':>7}")
    for name, fn, peers in cases():
        if not peers:
            peers = {"(none)": lambda: None}
        times, ratios = _measure.paired(fn, peers, rounds=args.rounds)  # type: ignore[arg-type]
        for peer, ratio in ratios.items():
            print(f"{name:38} {times['convpool'] * 1e6:14.2f} {peer:>20} {times[peer] * 1e6:10.2f} {ratio:7.3f}")


if __name__ == "__main__":
    main()
