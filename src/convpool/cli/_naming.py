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
    "Outputs go to --out, named\n"
    "  STEM.KERNEL[.wW][.MODE][.poolN][.color][.DTYPE][.scaled].png\n"
    "(.tif for float32 results), so results made with different settings never share a\n"
    "name: KERNEL is the kernel's name, or custom-XXXXXXXX for a matrix (8 hex digits of\n"
    "a SHA-256 digest of its entries and weight); .wW is a named kernel's --weight when\n"
    "not its own (1/9 is written 1_9); .MODE a --mode other than keep; .color and\n"
    ".scaled stand for --color and --scale; .DTYPE (.uint8, .uint16) a --dtype other\n"
    "than the input's kind (float32 shows as .tif). Default settings: STEM.edges.png\n"
    "(STEM.edges.tif for a float or 32-bit integer input). Each output carries\n"
    "'Software: convpool VERSION' and the options that made it in its metadata (a PNG\n"
    "text chunk, TIFF tags 305 and 270), and is never taken as an input, in a folder or\n"
    "named: --out can be the input folder."
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
    dtype: type[np.generic] | None  # None: the input's kind (see output_dtype)
    scale: bool
    color: bool

    @property
    def named(self) -> bool:
        """Whether the kernel is one of :data:`convpool.kernels.KERNELS` (else a matrix)."""
        return kernels.KERNELS.get(self.kernel.name) is self.kernel

    def output_dtype(self, kind: type[np.generic]) -> type[np.generic]:
        """The dtype of the results for an input of ``kind`` (np.uint8, np.uint16, np.float32).

        ``--scale`` stretches float32 results; else ``--dtype``, by default the input's kind.
        """
        if self.scale:
            return np.float32
        return kind if self.dtype is None else self.dtype

    def tiff(self, kind: type[np.generic]) -> bool:
        """Whether an input of ``kind`` gives a float TIFF rather than a PNG (8- or 16-bit)."""
        return self.output_dtype(kind) is np.float32 and not self.scale

    def _digest(self) -> str:
        """8 hex digits of a SHA-256 of the kernel's shape, entries and weight."""
        # As float64, and -0.0 as 0.0: matrices that filter alike get one name.
        entries = np.ascontiguousarray(self.kernel.matrix, dtype=np.float64) + 0.0
        shape = "{}x{};".format(*self.kernel.shape).encode()
        return hashlib.sha256(shape + entries.tobytes() + np.float64(self.weight + 0.0).tobytes()).hexdigest()[:8]

    def output_name(self, stem: str, kind: type[np.generic] = np.uint8) -> str:
        """The file name of ``stem``'s result, an input of ``kind`` (see :data:`NAMING_HELP`)."""
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
        dtype = self.output_dtype(kind)
        if not self.scale and dtype is not kind and dtype is not np.float32:  # float32: the .tif says it
            parts.append(np.dtype(dtype).name)
        if self.scale:
            parts.append("scaled")
        return f"{stem}.{'.'.join(parts)}{'.tif' if self.tiff(kind) else '.png'}"

    def description(self, kind: type[np.generic] = np.uint8) -> str:
        """The ``convpool apply`` options that make the output of an input of ``kind``, for its metadata."""
        if self.named:
            kernel = self.kernel.name
        else:
            kernel = ";".join(",".join(_exact(v) for v in row) for row in self.kernel.matrix.tolist())
        options = [f"--kernel={kernel}", f"--weight={_exact(self.weight)}", f"--mode={self.mode}"]
        if self.pool:
            options.append(f"--pool={self.pool}")
        dtype = self.output_dtype(kind)
        if dtype is not np.uint8 or kind is not np.uint8:
            options.append(f"--dtype={np.dtype(dtype).name}")
        options += ["--scale"] * self.scale + ["--color"] * self.color
        return "convpool apply " + " ".join(options)
