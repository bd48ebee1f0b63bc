#!/usr/bin/env python3
"""Digest of convpool's results over a fixed corpus, to compare two builds bit for bit.

Run it under each installed version (each in its own virtual environment) and compare
the two files; any changed pixel of any case shows as a differing digest::

    /tmp/old/bin/python tools/corpus_digest.py > old.json
    /tmp/new/bin/python tools/corpus_digest.py > new.json
    python tools/corpus_digest.py --compare old.json new.json

The corpus covers every image dtype (byte orders and strided views too), kernel shapes,
integer and float kernels, weights, border modes, output dtypes, thread counts and every
pooling function and option, on images with the extreme values (and NaN, infinities and
signed zeros for floats). Only the public API is called, so any version can run it.
Every NaN is digested as one canonical NaN: IEEE 754 leaves the sign and payload of a NaN
result unspecified, and x86 takes them from whichever NaN operand the compiler put first
(the test suite compares NaNs the same way).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import numpy as np

import convpool

DTYPES = ["?", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8", ">u2", ">i4", ">f8"]
SHAPES = [(1, 1), (3, 17), (9, 16), (12, 33), (20, 64), (5, 513), (40, 1030)]
MODES = ["keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap"]


def image(dtype: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind == "f":
        a = rng.standard_normal(shape) * 300
        flat = a.reshape(-1)
        flat[::7] = 0.0
        flat[3::11] = -0.0
        flat[5::13] = np.inf
        flat[8::19] = -np.inf
        flat[6::17] = np.nan
        return a.astype(dt)
    info = np.iinfo(dt)
    a = rng.integers(info.min, info.max, shape, dtype=dt.newbyteorder("="), endpoint=True)
    a.reshape(-1)[::5] = info.max
    a.reshape(-1)[2::5] = info.min
    return a.astype(dt)


def kernels(rng: np.random.Generator) -> list[np.ndarray]:
    return [
        np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        np.array([[1, 4, 6, 4, 1]]).T @ np.array([[1, 4, 6, 4, 1]]),
        rng.integers(-2, 3, (5, 5)),
        rng.integers(-9, 10, (2, 7)),
        rng.integers(-50, 51, (7, 7)),
        rng.integers(-3, 4, (11, 11)),
        np.array([[128]]),
        np.array([[129]]),
        np.array([[100, -100, 100]] * 3),
        np.array([[40000]]),
        np.zeros((3, 3), int),
        rng.standard_normal((7, 7)),
        rng.standard_normal((4, 9)),
        np.array([[0.5, 1, 0.5]]),
        rng.uniform(-3, 3, (3, 3)),
        rng.standard_normal((1, 1)),
    ]


def digest(a: np.ndarray) -> str:
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = np.where(np.isnan(a), a.dtype.type(np.nan), a)
    h = hashlib.sha1(f"{a.shape}{a.dtype.str}".encode())
    h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def cases() -> dict[str, str]:
    rng = np.random.default_rng(20261201)
    out: dict[str, str] = {}
    ks = kernels(rng)
    for dt in DTYPES:
        for shape in SHAPES:
            img = image(dt, shape, rng)
            views = {"c": img, "strided": image(dt, (shape[0], 2 * shape[1]), rng)[:, ::2],
                     "flipped": img[::-1]}
            for vname, v in views.items():
                for ki, k in enumerate(ks):
                    for mode in MODES if vname == "c" else ["keep"]:
                        for odt in ["u1", "f4", "f8"]:
                            for weight in [1.0, 0.5, -1.5] if mode in ("keep", "valid") else [1.0]:
                                key = f"conv {dt} {shape} {vname} k{ki} {mode} {odt} w{weight}"
                                cval = 3.5 if mode == "constant" else 0.0
                                out[key] = digest(convpool.convolve(v, k, weight, mode=mode, dtype=odt, cval=cval))
                for size, stride in [(2, None), (1, None), (3, None), (4, None), (3, 1), (2, 1), ((2, 3), (1, 2))]:
                    for ceil in [False, True]:
                        args = {"stride": stride, "ceil_mode": ceil}
                        key = f"pool {dt} {shape} {vname} {size} {stride} {ceil}"
                        out["max" + key] = digest(convpool.max_pool(v, size, **args))
                        out["min" + key] = digest(convpool.min_pool(v, size, **args))
                        out["avg" + key] = digest(convpool.avg_pool(v, size, **args))
                        if vname == "c":
                            out["avg32" + key] = digest(convpool.avg_pool(v, size, dtype=np.float32, **args))
                            out["avg16" + key] = digest(convpool.avg_pool(v, size, dtype=np.float16, **args))
    # N-D stacks, out=, and threads.
    stack = image("u1", (3, 40, 50), rng)
    colour = image("f4", (30, 40, 3), rng)
    for ki, k in enumerate(ks):
        out[f"stack k{ki}"] = digest(convpool.convolve(stack, k, axes=(-2, -1), workers=2))
        out[f"colour k{ki}"] = digest(convpool.convolve(colour, k, 0.25, dtype="f4", axes=(0, 1), mode="wrap"))
        o = np.empty((3, 40, 50), np.float64)
        out[f"out k{ki}"] = digest(convpool.convolve(stack, k, axes=(1, 2), dtype="f8", out=o))
    big = image("u1", (700, 1500), rng)
    for ki, k in enumerate(ks[:8]):
        out[f"big k{ki}"] = digest(convpool.convolve(big, k, workers=2))
    out["big pool"] = digest(convpool.max_pool(big, 3, stride=2, workers=2))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs=2, metavar="FILE", help="compare two digest files")
    args = parser.parse_args()
    if args.compare:
        a, b = (json.load(open(f)) for f in args.compare)
        changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        for k in changed[:50]:
            print(f"changed: {k}")
        print(f"{len(a)} and {len(b)} cases, {len(changed)} differ")
        return 1 if changed else 0
    json.dump(cases(), sys.stdout, indent=0, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
