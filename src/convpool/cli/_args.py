"""Argument types of the ``convpool`` parser: kernels, weights, counts, dash-led values."""

from __future__ import annotations

import argparse
import contextlib
import math
import re
from collections.abc import Sequence
from fractions import Fraction

from .. import _validate, kernels

# A matrix literal: rows separated by ";", entries by "," or spaces.
_LITERAL = re.compile(r"^[\s\d.,;+\-eE/]+$")


def _parse_number(text: str) -> float:
    """A finite number written as ``0.5``, ``-2``, ``1e-3`` or a fraction ``1/9``."""
    try:
        value = float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError, OverflowError):
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"not a number: {text!r} (expected e.g. 2, -0.5 or 1/9)")
    return value


def kernel_arg(text: str) -> kernels.Kernel:
    """``--kernel``: a name from ``convpool kernels``, or a matrix literal."""
    with contextlib.suppress(ValueError):
        return kernels.get(text)
    if not _LITERAL.match(text) or not re.search(r"\d", text):
        raise argparse.ArgumentTypeError(
            f"unknown kernel {text!r}; valid names: {', '.join(kernels.KERNELS)}; "
            "or a matrix such as '-1,0,1;-2,0,2;-1,0,1'"
        )
    try:
        matrix = [[_parse_number(x) for x in re.split(r"[,\s]+", row.strip()) if x] for row in text.split(";")]
        _check_rows([len(row) for row in matrix])
        return kernels.Kernel("custom", matrix, description="given on the command line")
    except (ValueError, TypeError) as exc:  # ours, or the API's own check of the matrix
        raise argparse.ArgumentTypeError(f"bad matrix {text!r}: {exc}") from None


def _check_rows(lengths: list[int]) -> None:
    """Raise ValueError, in the words of the matrix as typed, unless the rows are whole and even."""
    for number, length in enumerate(lengths, start=1):
        if not length:
            raise ValueError(f"row {number} is empty (rows are split by ';')")
    if len(set(lengths)) > 1:
        counts = ", ".join(f"row {number} has {length}" for number, length in enumerate(lengths, start=1))
        raise ValueError(f"rows must all have the same number of values: {counts}")


def weight_arg(text: str) -> float:
    """``--weight``: a finite number or fraction."""
    try:
        return _validate.real(_parse_number(text), "weight")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def positive_int(text: str) -> int:
    """An integer of at least 1 (``--max-pixels``, which only the command line has)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def pool_arg(text: str) -> int:
    """``--pool``: a window size of at least 1, checked as the API checks `size`."""
    try:
        return _validate.pair(_int(text), "pool")[0]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def workers_arg(text: str) -> int:
    """``--workers``: a positive integer, or -1 for one per core, checked as the API
    checks `workers`."""
    try:
        return _validate.workers(_int(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# Options whose value may start with "-" (a matrix or a negative weight): argparse would
# take "-1,0,1;..." for an option, so such a value is glued on as "--kernel=-1,...".
_DASH_VALUE_OPTIONS = {"-k": "--kernel", "--kernel": "--kernel", "-w": "--weight", "--weight": "--weight"}


def glue_dash_values(argv: Sequence[str]) -> list[str]:
    """``argv`` with a dash-led value of ``--kernel`` or ``--weight`` glued to its option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if arg in _DASH_VALUE_OPTIONS and nxt is not None and re.match(r"^-[\d.]", nxt):
            out.append(f"{_DASH_VALUE_OPTIONS[arg]}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out
