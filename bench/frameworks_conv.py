"""convpool.conv2d against PyTorch's ``F.conv2d``: the cases of the filter-bank table.

Each row times one conv2d call against torch on one thread, float32 in and out, and
reports the median paired ratio ``convpool / torch`` (bench/_measure.py)::

    python bench/frameworks_conv.py                 # writes bench/results/frameworks_conv.json
    python bench/frameworks_conv.py --name run1     # one of several runs; then combine:
    python bench/_measure.py frameworks_conv run1 run2 run3

The cases: (a) the codelab's three 3x3 filters as one (3, 1, 3, 3) bank over a 512 x 512
image; (b) a 256-image batch of 28 x 28 through 64 3x3 filters (MNIST's first layer);
(c) 8 x 3 x 224 x 224 through 16 5x5 filters with bias, padding 2; (d) the same at
stride 2 with TensorFlow's "same" padding (torch: ``F.pad(x, (1, 2, 1, 2))`` first).
convpool sums in float64 (8 multiply-adds per AVX-512 instruction), torch in float32
(16): for (d), 120 M multiply-adds, that alone bounds the ratio (see the performance
page). This is a benchmark, not a test: it asserts nothing.
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

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import convpool  # noqa: E402

PEER = "torch.nn.functional.conv2d"


def cases() -> list[tuple[str, str, str, float, Callable[[], object], Callable[[], object]]]:
    rng = np.random.default_rng(0)
    rows = []
    image = convpool.data.ascent().astype(np.float32)  # 512 x 512
    bank = np.stack([k.matrix * k.weight for k in convpool.kernels.CODELAB])[:, None].astype(np.float32)
    rows.append(("(a) the codelab's 3 filters", "3 x 1 x 3 x 3", 0.3, image[None, None], bank, None, {}, {}))
    x = rng.standard_normal((256, 1, 28, 28)).astype(np.float32)
    w = rng.standard_normal((64, 1, 3, 3)).astype(np.float32)
    rows.append(("(b) 64 filters, a batch of 256", "64 x 1 x 3 x 3", 0.5, x, w, None, {}, {}))
    x = rng.standard_normal((8, 3, 224, 224)).astype(np.float32)
    w = rng.standard_normal((16, 3, 5, 5)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    rows.append(("(c) bias, padding 2", "16 x 3 x 5 x 5", 1.0, x, w, b,
                 {"padding": 2}, {"padding": 2}))
    rows.append(("(d) bias, stride 2, padding 'same'", "16 x 3 x 5 x 5", 1.0, x, w, b,
                 {"padding": "same", "stride": 2}, {"stride": 2, "pad": (1, 2, 1, 2)}))
    out = []
    for case, kernel, target, x, w, b, ours, theirs in rows:
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        tb = None if b is None else torch.from_numpy(b)
        pad = theirs.pop("pad", None)

        def peer(tx=tx, tw=tw, tb=tb, pad=pad, theirs=theirs):
            with torch.no_grad():
                return F.conv2d(tx if pad is None else F.pad(tx, pad), tw, tb, **theirs)

        def mine(x=x, w=w, b=b, ours=ours):
            return convpool.conv2d(x, w, b, **ours)

        assert mine().shape == tuple(peer().shape), case
        out.append((case, " x ".join(map(str, x.shape)), kernel, target, mine, peer))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="paired rounds per row")
    parser.add_argument("--only", default="", help="run only the cases whose label contains this text")
    parser.add_argument("--name", default="frameworks_conv", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    rows = []
    for case, size, kernel, target, ours, peer in cases():
        if args.only not in case:
            continue
        times, ratios = _measure.paired(ours, {PEER: peer}, rounds=args.rounds)
        rows.append({"group": "conv2d", "case": case, "family": "conv2d float32", "size": size, "kernel": kernel,
                     "dtype": "float32", "peer": PEER, "target": target, "ratio": ratios[PEER], "ratios": ratios,
                     "times": times})
        print(f"{case}: {ratios[PEER]:.3f} x torch ({times['convpool'] * 1e3:.2f} ms, torch "
              f"{times[PEER] * 1e3:.2f} ms)", file=sys.stderr, flush=True)
    print(_measure.markdown(rows))
    if not args.only:
        print(f"\nwritten: {_measure.write(args.name, rows)}")


if __name__ == "__main__":
    main()
