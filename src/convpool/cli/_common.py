"""What every ``convpool`` subcommand shares: exit statuses, the per-file error, messages."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from fractions import Fraction

# Exit statuses (see the package docstring); the last two are 128 + SIGINT or SIGTERM.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class FileError(Exception):
    """A problem with one input or output file: reported, and the run goes on."""


def err(message: str, prefix: bool = True) -> None:
    """Print ``message`` on stderr, after ``convpool:`` unless ``prefix`` is false."""
    print(f"convpool: {message}" if prefix else message, file=sys.stderr)


def size(shape: Sequence[int]) -> str:
    """``"rows x columns"`` of a shape."""
    # Rows x columns (height x width), the order of NumPy shapes and of convpool's API.
    return f"{shape[0]} x {shape[1]}"


def fmt_seconds(seconds: float) -> str:
    """A duration in seconds or milliseconds, two decimals."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.2f} ms"


def fmt_weight(weight: float) -> str:
    """A weight as a short fraction (``1/9``) when it is one, else as ``%g``."""
    frac = Fraction(weight).limit_denominator(1000)
    if frac.denominator != 1 and float(frac) == weight:
        return f"{frac.numerator}/{frac.denominator}"
    return f"{weight:g}"
