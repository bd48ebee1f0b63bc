"""Output names of ``convpool apply``: results made with different settings never share one."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import numpy as np

from .. import kernels

# How the names are built, for --help.
NAMING_HELP = (
    "Outputs go to --out, named STEM.KERNEL[.wW][.MODE][.poolN][.color][.scaled].png\n"
    "(.tif for --dtype float32), so results made with different settings never share a\n"
    "name: KERNEL is the kernel's name, or custom-XXXXXXXX for a matrix (8 hex digits of\n"
    "a SHA-256 digest of its entries and weight); .wW is a named kernel's --weight when\n"
    "not its own (1/9 is written 1_9); .MODE a --mode other than keep; .color and\n"
    ".scaled stand for --color and --scale. Default settings: STEM.edges.png."
)


def _weight_token(weight: float) -> str:
    """``weight`` as a file-name part that no other weight gives: ``1_9``, ``0.5``, ``-2``."""
    frac = Fraction(weight).limit_denominator(1000)
    if frac.denominator != 1 and float(frac) == weight:
        return f"{frac.numerator}_{frac.denominator}"
    text = repr(float(weight))  # the shortest text that reads back as this float
    return text.removesuffix(".0")


def _digest(kernel: kernels.Kernel, weight: float) -> str:
    """8 hex digits of a SHA-256 of the kernel's shape, entries and weight."""
    # As float64, and -0.0 as 0.0: matrices that filter alike get one name.
    entries = np.ascontiguousarray(kernel.matrix, dtype=np.float64) + 0.0
    data = f"{kernel.shape[0]}x{kernel.shape[1]};".encode() + entries.tobytes() + np.float64(weight + 0.0).tobytes()
    return hashlib.sha256(data).hexdigest()[:8]


def output_name(
    stem: str,
    kernel: kernels.Kernel,
    weight: float,
    mode: str,
    pool: int | None,
    color: bool,
    scale: bool,
    tiff: bool,
) -> str:
    """The file name of ``stem``'s result with these settings (see :data:`NAMING_HELP`)."""
    if kernels.KERNELS.get(kernel.name) is kernel:
        parts = [kernel.name]
        if weight != kernel.weight:
            parts.append(f"w{_weight_token(weight)}")
    else:
        parts = [f"custom-{_digest(kernel, weight)}"]
    if mode != "keep":
        parts.append(mode)
    if pool:
        parts.append(f"pool{pool}")
    if color:
        parts.append("color")
    if scale:
        parts.append("scaled")
    return f"{stem}.{'.'.join(parts)}{'.tif' if tiff else '.png'}"
