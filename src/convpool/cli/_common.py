"""What every ``convpool`` subcommand shares: exit statuses, the per-file error, messages."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import TextIO

# Exit statuses (see the package docstring); the last two are 128 + SIGINT or SIGTERM.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class FileError(Exception):
    """A problem with one input or output file: reported, and the run goes on."""


def shown(text: str) -> str:
    """``text`` as it may go to a terminal: each character that is not printable escaped.

    File names may hold any bytes: a newline would fake an output line, an escape
    sequence would drive the terminal. Bytes that are not UTF-8 (which Python keeps as
    lone surrogates) show as ``\\xff``, other unprintable characters as Python writes
    them in a string (``\\n``, ``\\x1b``, ``\\u200b``).
    """
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else f"\\x{ord(c) - 0xDC00:02x}" if "\udc80" <= c <= "\udcff" else repr(c)[1:-1]
        for c in text
    )


def write_line(line: str, stream: TextIO) -> None:
    """Write ``line`` to ``stream`` escaped (see :func:`shown`), at once.

    A stream whose reader has gone (``convpool apply ... | head -1``) is pointed at the
    null device and the run goes on: the files are still processed, and the exit status
    and the summary on stderr still say what failed.
    """
    try:
        print(shown(line), file=stream, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def echo(line: str) -> None:
    """Print ``line`` on stdout (see :func:`write_line`)."""
    write_line(line, sys.stdout)


def err(message: str, prefix: bool = True) -> None:
    """Print ``message`` on stderr, after ``convpool:`` unless ``prefix`` is false (see :func:`write_line`)."""
    write_line(f"convpool: {message}" if prefix else message, sys.stderr)


def describe(exc: BaseException) -> str:
    """An unexpected exception in a few words for a one-line message: its type and text."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
