"""Pooling against the peers that set its targets: every case of the pooling table.

Each row times one pooling call against the peer its target names (``np.copyto`` of the
image: memory speed; ``cv2.dilate``/``cv2.erode`` with a ones kernel;
``cv2.resize(..., interpolation=cv2.INTER_AREA)``), and against the other peers of the
case where they exist (the NumPy reshape-max expression for windows that tile the image,
torch's ``max_pool2d``/``avg_pool2d`` where torch is installed). One thread throughout;
the ratio is the median of paired ratios ``convpool / peer`` (bench/_measure.py)::

    python bench/pool_space.py              # 2048 x 2048 and 4096 x 4096
    python bench/pool_space.py --quick      # 2048 x 2048 only, few rounds
    python bench/pool_space.py --rounds 21

It prints the markdown table and writes ``bench/results/pool.json``. This is a
benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure

_measure.single_thread()

import cv2  # noqa: E402

import convpool  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

COPY, DILATE, ERODE, AREA = "np.copyto", "cv2.dilate", "cv2.erode", "cv2.resize(INTER_AREA)"


def image(side: int, dtype, odd: bool = False) -> np.ndarray:
    n = side - 1 if odd else side
    rng = np.random.default_rng(side)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal((n, n)).astype(dtype)
    return rng.integers(0, np.iinfo(dtype).max, (n, n), endpoint=True).astype(dtype)


def copy_of(a: np.ndarray) -> Callable[[], object]:
    dst = np.empty_like(a)
    return lambda: np.copyto(dst, a)


def reshape_max(a: np.ndarray, k: int, kind: str) -> Callable[[], object]:
    h, w = a.shape[0] // k * k, a.shape[1] // k * k
    tiles = a[:h, :w].reshape(h // k, k, w // k, k)
    reduce = tiles.max if kind == "max" else tiles.min
    return lambda: reduce(axis=(1, 3))


def torch_peer(a: np.ndarray, kind: str, k: int, stride: int, ceil: bool = False) -> Callable[[], object] | None:
    # torch pools no unsigned type but uint8, and averages only floats.
    if (torch is None or (kind != "max" and a.dtype.kind != "f") or (kind == "min" and a.dtype == np.uint8)
            or (a.dtype.kind == "u" and a.dtype != np.uint8)):
        return None
    t = torch.from_numpy(np.ascontiguousarray(a))[None, None]
    f = torch.nn.functional
    if kind == "max":
        return lambda: f.max_pool2d(t, k, stride, ceil_mode=ceil)
    if kind == "min":
        return lambda: -f.max_pool2d(-t, k, stride, ceil_mode=ceil)
    return lambda: f.avg_pool2d(t, k, stride, ceil_mode=ceil)


def cases(side: int):
    """(case, family, kernel, dtype, target peer, target, convpool call, peers)."""
    ones3, ones5 = np.ones((3, 3), np.uint8), np.ones((5, 5), np.uint8)
    for kind in ("max", "min"):
        pool = getattr(convpool, f"{kind}_pool")
        for dtype in (np.uint8, np.uint16, np.float32):
            a = image(side, dtype)
            name = np.dtype(dtype).name
            yield (f"2x2 {kind}_pool {name}", f"{kind}_pool {name} stride = size", 2, name, COPY, 1.0,
                   lambda a=a, pool=pool: pool(a),
                   {COPY: copy_of(a), "numpy reshape": reshape_max(a, 2, kind), "torch": torch_peer(a, kind, 2, 2)})
        a = image(side, np.uint8)
        for k in (3, 4):
            yield (f"{k}x{k} {kind}_pool uint8 (stride = size)", f"{kind}_pool uint8 stride = size", k, "uint8",
                   COPY, 1.5, lambda a=a, pool=pool, k=k: pool(a, k),
                   {COPY: copy_of(a), "numpy reshape": reshape_max(a, k, kind), "torch": torch_peer(a, kind, k, k)})
    a = image(side, np.uint8, odd=True)
    yield ("2x2 max_pool uint8, ceil_mode=True, odd size", "max_pool uint8 ceil_mode, odd size", 2, "uint8", COPY,
           1.2, lambda a=a: convpool.max_pool(a, ceil_mode=True),
           {COPY: copy_of(a), "torch": torch_peer(a, "max", 2, 2, ceil=True)})
    a = image(side, np.uint8)
    half = (side // 2, side // 2)
    for dt, target in ((np.float32, 1.0), (np.float64, 1.5)):
        name = np.dtype(dt).name
        yield (f"2x2 avg_pool uint8 to {name}", f"avg_pool uint8 to {name} stride = size", 2, "uint8", AREA, target,
               lambda a=a, dt=dt: convpool.avg_pool(a, dtype=dt),
               {AREA: lambda a=a: cv2.resize(a, half, interpolation=cv2.INTER_AREA), COPY: copy_of(a)})
    a = image(side, np.float32)
    yield ("3x3 avg_pool float32, stride 3", "avg_pool float32 stride = size", 3, "float32", COPY, 1.5,
           lambda a=a: convpool.avg_pool(a, 3),
           {COPY: copy_of(a), "torch": torch_peer(a, "avg", 3, 3)})
    for dtype in (np.uint8, np.float32):
        a = image(side, dtype)
        name = np.dtype(dtype).name
        yield (f"3x3 stride-1 max_pool {name}", f"max_pool {name} stride 1", 3, name, DILATE, 1.0,
               lambda a=a: convpool.max_pool(a, 3, stride=1),
               {DILATE: lambda a=a: cv2.dilate(a, ones3), COPY: copy_of(a), "torch": torch_peer(a, "max", 3, 1)})
    a = image(side, np.uint8)
    yield ("5x5 stride-1 min_pool uint8", "min_pool uint8 stride 1", 5, "uint8", ERODE, 1.0,
           lambda a=a: convpool.min_pool(a, 5, stride=1),
           {ERODE: lambda a=a: cv2.erode(a, ones5), COPY: copy_of(a)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2048 x 2048 only, few rounds")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds per row (default 11; 3 with --quick)")
    parser.add_argument("--only", default="", help="run only the cases whose label contains this text")
    parser.add_argument("--name", default="pool", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 11)
    sides = (2048,) if args.quick else (2048, 4096)
    rows = []
    for side in sides:
        for case, family, kernel, dtype, peer, target, ours, peers in cases(side):
            if args.only not in case:
                continue
            peers = {name: fn for name, fn in peers.items() if fn is not None}
            times, ratios = _measure.paired(ours, peers, rounds=rounds)
            row = {"group": "pool", "case": case, "family": family, "size": side, "kernel": kernel, "dtype": dtype,
                   "peer": peer, "target": target, "ratio": ratios[peer], "ratios": ratios, "times": times}
            rows.append(row)
            others = "".join(f", {n} {r:.2f}" for n, r in ratios.items() if n != peer)
            print(f"{side} {case}: {ratios[peer]:.2f} x {peer}{others}", file=sys.stderr, flush=True)
    print(_measure.markdown(rows))
    if not args.only:
        print(f"\nwritten: {_measure.write(args.name, rows)}")


if __name__ == "__main__":
    main()
