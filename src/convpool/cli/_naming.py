"""Output names of ``convpool apply``: results made with different settings never share one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from .. import kernels

# How the names are built and outputs recognised, for --help.
NAMING_HELP = (
    "Outputs go to --out, named STEM.KERNEL[.wW][.MODE][.poolN][.color][.scaled].png\n"
    "(.tif for --dtype float32), so results made with different settings never share a\n"
    "name: KERNEL is the kernel's name, or custom-XXXXXXXX for a matrix (8 hex digits of\n"
    "a SHA-256 digest of its entries and weight); .wW is a named kernel's --weight when\n"
    "not its own (1/9 is written 1_9); .MODE a --mode other than keep; .color and\n"
    ".scaled stand for --color and --scale. Default settings: STEM.edges.png. Each\n"
    "output carries 'Software: convpool VERSION' and the options that made it in its\n"
    "metadata (a PNG text chunk, TIFF tags 305 and 270), and is never taken as an\n"
    "input, in a folder or named: --out can be the input folder."
)


def _exact(value: float) -> str:
    """The shortest text that reads back as ``value``: ``0.1``, ``-2``, ``1e-05``."""
    return repr(float(value)).removesuffix(".0")


def _weight_token(weight: float) -> str:
    """``weight`` as a file-name part that no other weight gives: ``1_9``, ``0.5``, ``-2``."""
    frac = Fraction(weight).limit_denominator(1000)
    if frac.denominator != 1 and float(frac) == weight:
        return f"{frac.numerator}_{frac.denominator}"
    return _exact(weight)


@dataclass(frozen=True)
class Settings:
    """What decides an output's pixels, its name and its description."""

    kernel: kernels.Kernel
    weight: float
    mode: Literal["keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap"]
    pool: int | None
    dtype: type[np.generic]
    scale: bool
    color: bool

    @property
    def named(self) -> bool:
        """Whether the kernel is one of :data:`convpool.kernels.KERNELS` (else a matrix)."""
        return kernels.KERNELS.get(self.kernel.name) is self.kernel

    @property
    def tiff(self) -> bool:
        """Whether the output is a float TIFF rather than an 8-bit PNG."""
        return self.dtype is np.float32 and not self.scale

    def _digest(self) -> str:
        """8 hex digits of a SHA-256 of the kernel's shape, entries and weight."""
        # As float64, and -0.0 as 0.0: matrices that filter alike get one name.
        entries = np.ascontiguousarray(self.kernel.matrix, dtype=np.float64) + 0.0
        shape = "{}x{};".format(*self.kernel.shape).encode()
        return hashlib.sha256(shape + entries.tobytes() + np.float64(self.weight + 0.0).tobytes()).hexdigest()[:8]

    def output_name(self, stem: str) -> str:
        """The file name of ``stem``'s result (see :data:`NAMING_HELP`)."""
        if self.named:
            parts = [self.kernel.name]
            if self.weight != self.kernel.weight:
                parts.append(f"w{_weight_token(self.weight)}")
        else:
            parts = [f"custom-{self._digest()}"]
        if self.mode != "keep":
            parts.append(self.mode)
        if self.pool:
            parts.append(f"pool{self.pool}")
        if self.color:
            parts.append("color")
        if self.scale:
            parts.append("scaled")
        return f"{stem}.{'.'.join(parts)}{'.tif' if self.tiff else '.png'}"

    def description(self) -> str:
        """The ``convpool apply`` options that make this output, for its metadata."""
        if self.named:
            kernel = self.kernel.name
        else:
            kernel = ";".join(",".join(_exact(v) for v in row) for row in self.kernel.matrix.tolist())
        options = [f"--kernel={kernel}", f"--weight={_exact(self.weight)}", f"--mode={self.mode}"]
        if self.pool:
            options.append(f"--pool={self.pool}")
        if self.dtype is np.float32:
            options.append("--dtype=float32")
        options += ["--scale"] * self.scale + ["--color"] * self.color
        return "convpool apply " + " ".join(options)
