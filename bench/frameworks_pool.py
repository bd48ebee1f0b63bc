"""Pooling with PyTorch's options against PyTorch itself: a CNN's feature maps.

Each row times one convpool call against the torch call it translates word for word,
on a float32 stack of 256 x 64 feature maps of 26 x 26 (NCHW; convpool pools axes
(-2, -1)): max pooling 3x3, stride 2, padding 1; max pooling 2x2 with the indices;
average pooling 3x3, stride 2, padding 1. One thread throughout; the ratio is the
median of paired ratios ``convpool / torch`` (bench/_measure.py)::

    python bench/frameworks_pool.py             # one run
    python bench/frameworks_pool.py --runs 3    # three runs, combined (median ratio)

It prints the markdown table and writes ``bench/results/frameworks_pool.json`` (with
``--runs``, each row's median over the runs and every run's ratio). This is a
benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure

_measure.single_thread()

import torch  # noqa: E402

import convpool  # noqa: E402

F = torch.nn.functional
SHAPE = (256, 64, 26, 26)


def cases():
    """(case, convpool call, torch call, target)."""
    x = np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)
    t = torch.from_numpy(x)
    yield ("max_pool 3x3, stride 2, padding 1", lambda: convpool.max_pool(x, 3, stride=2, padding=1, axes=(-2, -1)),
           lambda: F.max_pool2d(t, 3, 2, 1), 0.5)
    yield ("max_pool 2x2, return_indices", lambda: convpool.max_pool(x, 2, return_indices=True, axes=(-2, -1)),
           lambda: F.max_pool2d(t, 2, return_indices=True), 0.5)
    yield ("avg_pool 3x3, stride 2, padding 1", lambda: convpool.avg_pool(x, 3, stride=2, padding=1, axes=(-2, -1)),
           lambda: F.avg_pool2d(t, 3, 2, 1), 0.5)


def run(rounds: int, only: str) -> list[dict[str, object]]:
    rows = []
    for case, ours, theirs, target in cases():
        if only not in case:
            continue
        times, ratios = _measure.paired(ours, {"torch": theirs}, rounds=rounds, budget=0.2)
        rows.append({"group": "pool", "case": case, "family": "float32 NCHW feature maps", "size": "x".join(map(
            str, SHAPE)), "kernel": None, "dtype": "float32", "peer": "torch", "target": target,
                     "ratio": ratios["torch"], "ratios": ratios, "times": times})
        print(f"{case}: {ratios['torch']:.2f} x torch ({times['convpool'] * 1e3:.1f} ms vs "
              f"{times['torch'] * 1e3:.1f} ms)", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="paired rounds per row (default 11)")
    parser.add_argument("--runs", type=int, default=1, help="runs, combined as bench/_measure.py combine does")
    parser.add_argument("--only", default="", help="run only the cases whose label contains this text (no file)")
    args = parser.parse_args(argv)
    names = []
    for i in range(args.runs):
        rows = run(args.rounds, args.only)
        if args.only:
            print(_measure.markdown(rows))
            return
        names.append(f"frameworks_pool.run{i + 1}" if args.runs > 1 else "frameworks_pool")
        _measure.write(names[-1], rows)
    if args.runs > 1:
        _measure.combine("frameworks_pool", names)
        for name in names:
            (_measure.RESULTS / f"{name}.json").unlink()
    rows = json.loads((_measure.RESULTS / "frameworks_pool.json").read_text())["rows"]
    print(_measure.markdown(rows))
    print(f"\nwritten: {_measure.RESULTS / 'frameworks_pool.json'}")


if __name__ == "__main__":
    main()
