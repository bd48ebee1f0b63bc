"""``convpool kernels``: the named kernels with their matrices, weights and descriptions."""

from __future__ import annotations

import argparse
import textwrap

from .. import kernels
from ._common import EXIT_OK, fmt_weight, size


def list_kernels(args: argparse.Namespace) -> int:
    """Run ``convpool kernels`` with parsed ``args``; return the exit status."""
    chosen = []
    for name in args.names or kernels.KERNELS:
        try:
            chosen.append(kernels.get(name))
        except ValueError as exc:
            args.parser.error(str(exc))
    print(
        "Named kernels for --kernel, in (row, column) cross-correlation order as convpool.convolve\n"
        "applies them; the codelab's loop applies a filter transposed. The sum is multiplied by\n"
        "the weight, then clamped to 0..255 for uint8 output."
    )
    for k in chosen:
        entries = [fmt_weight(float(v)) for v in k.matrix.ravel()]
        width = max(len(e) for e in entries)
        print()
        print(f"{k.name}  ({size(k.shape)}, weight {fmt_weight(k.weight)})")
        for r in range(k.shape[0]):
            row = entries[r * k.shape[1] : (r + 1) * k.shape[1]]
            print("    " + "  ".join(e.rjust(width) for e in row))
        print(textwrap.fill(k.description, width=88, initial_indent="  ", subsequent_indent="  "))
    return EXIT_OK
