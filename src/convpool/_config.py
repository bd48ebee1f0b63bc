"""Which build of the kernels runs, and the tuning that never changes a result.

The kernels come in up to three builds of the same source, one per target (the row
functions of convolution, `_conv_rows`, and the pooling kernels, which have no AVX-512
build: AVX-512 CPUs run their AVX2 build, see :data:`POOL_TARGETS`; the convolution
drivers, `_conv`, are compiled once for all): baseline
(any CPU of the platform), AVX2 (with FMA) and AVX-512 (F, BW, VL, DQ, with FMA; VNNI,
where the CPU has it, a runtime check inside it); the
last two exist in GCC and Clang builds for x86-64 outside Windows. At import convpool
takes the best target that the CPU and the operating system support (CPUID and XGETBV:
``convpool._conv.cpu_target``). The environment variable ``CONVPOOL_CPU`` caps it:
``CONVPOOL_CPU=avx2`` runs the AVX2 build on an AVX-512 CPU, ``CONVPOOL_CPU=baseline``
the baseline; a cap above what the CPU has changes nothing (the best target below it
runs, without a warning: the variable says how far convpool may go, not what the CPU
must have), and any other value is a ``ValueError`` at import.
``CONVPOOL_DISABLE_AVX2=1``, the older switch, means ``CONVPOOL_CPU=baseline``.
``convpool.kernel_variant`` names the build in use.

:data:`BUILDS` holds every build this CPU runs, whatever the cap, and :func:`override`
changes the build, or the thresholds that decide how work is split, for the code inside
a ``with`` block in this thread (a context variable): the test suite uses it to run every
path under every build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from types import ModuleType
from typing import Any

from . import _conv
from . import _conv_rows as _conv_rows_baseline
from . import _pool as _pool_baseline

#: The targets, each running on a subset of the CPUs of the one before it.
TARGETS: tuple[str, ...] = _conv.TARGETS
#: The targets the pooling kernels are built for (setup.py's TARGETS): they move memory,
#: and an AVX-512 build of them measured no faster than the AVX2 one. A target beyond
#: these runs the last of them.
POOL_TARGETS: tuple[str, ...] = ("baseline", "avx2")


class ConvKernels:
    """The convolution entry points of ``convpool._conv`` bound to one target's row
    functions (its ``_conv_rows`` module, :attr:`rows`), with that target's flags.

    Each entry point is the compiled function with the target's capsule ``ROWS`` as its
    first argument; every other name (the kind lists, ``cpu_target``) is ``_conv``'s.
    """

    ENTRY_POINTS = ("correlate_float", "correlate_int", "correlate_pairs", "correlate_quads",
                    "correlate_sep_int", "correlate_sep_float", "conv2d_bank")

    def __init__(self, rows: ModuleType) -> None:
        self.rows = rows
        self.PAIRS: bool = rows.PAIRS
        self.QUADS: bool = rows.QUADS
        self.BANK_FILTERS: int = rows.BANK_FILTERS
        for name in self.ENTRY_POINTS:
            setattr(self, name, functools.partial(getattr(_conv, name), rows.ROWS))

    def __getattr__(self, name: str) -> Any:
        return getattr(_conv, name)

    def __repr__(self) -> str:
        return f"<convolution kernels of {self.rows.__name__}>"


@dataclasses.dataclass(frozen=True)
class Build:
    """One build of the kernels: its name, its convolution kernels and its pooling
    module."""

    name: str
    conv: Any  # ConvKernels, or a stand-in of the tests
    pool: ModuleType


def _builds() -> dict[str, Build]:
    builds = {"baseline": Build("baseline", ConvKernels(_conv_rows_baseline), _pool_baseline)}
    # A target's modules may use its instructions anywhere, their import included: ask
    # the CPU first.
    best = TARGETS.index(_conv.cpu_target())
    for name in TARGETS[1 : best + 1]:
        try:
            rows = importlib.import_module(f"convpool._conv_rows_{name}")
            pool = (importlib.import_module(f"convpool._pool_{name}") if name in POOL_TARGETS
                    else builds[POOL_TARGETS[-1]].pool)
        except ImportError:  # a build without this target (MSVC, non-x86)
            break
        builds[name] = Build(name, ConvKernels(rows), pool)
    return builds


def _cap() -> str:
    """The highest target the environment allows (``CONVPOOL_CPU``,
    ``CONVPOOL_DISABLE_AVX2``)."""
    cap = os.environ.get("CONVPOOL_CPU", "").strip().lower() or TARGETS[-1]
    if cap not in TARGETS:
        raise ValueError(f"`CONVPOOL_CPU` must be one of {', '.join(TARGETS)}, got {cap!r}")
    if os.environ.get("CONVPOOL_DISABLE_AVX2", "") not in ("", "0"):
        cap = "baseline"
    return cap


#: The builds this CPU can run, by name, from the baseline up.
BUILDS = _builds()
#: The build used unless overridden: the best in BUILDS at or below the environment's cap.
DEFAULT_BUILD = [name for name in BUILDS if TARGETS.index(name) <= TARGETS.index(_cap())][-1]


@dataclasses.dataclass(frozen=True)
class Settings:
    build: Build = BUILDS[DEFAULT_BUILD]
    # Work per thread, in pixels of the codelab's 3x3 filters on the int16 path (see
    # Plan.cost in _plan.py), below which a call takes fewer threads than `workers`: handing a
    # band to a pool thread and waiting for it took up to about 100 microseconds on a
    # 2-core virtual machine, the time of some 2**19 such pixels on one core, so a band
    # must be larger to gain.
    min_pixels_per_thread: int = 1 << 20
    # Widest row a kernel call takes at once. The kernels' scratch grows with the row
    # width, so wider images are cut into column tiles (see _convolve._tiles): scratch stays
    # under a few MiB per thread however wide the image.
    max_columns: int = 1 << 15
    # SciPy's border modes: a stack whose copy extended by the kernel has at most this
    # many pixels is extended whole and filtered in one "valid" call; a larger one has its
    # interior filtered straight from the image and only its border strips extended
    # (see _borders), which saves the copy but costs four more calls. Measured on Zen 4,
    # one thread, uint8 images, 3x3 and 5x5 kernels, whole / strips: "reflect" 0.42 at
    # 64 pixels a side, 0.55 at 128, 0.90-0.98 at 256, 1.03-1.11 at 320, 1.12-1.35 at
    # 384; "constant" (slices of the image) 0.38-0.54 at every size up to 384.
    padded_whole: int = 1 << 16


# Settings is frozen, so the shared default cannot be changed in place.
_SETTINGS: ContextVar[Settings] = ContextVar("convpool_settings", default=Settings())  # noqa: B039


#: The settings in force here: ``current()``.
current = _SETTINGS.get


@contextlib.contextmanager
def override(build: str | Build | None = None, **changes: Any) -> Iterator[Settings]:
    """Use other settings inside the block: ``override(build="baseline",
    min_pixels_per_thread=1)``. Results never depend on them."""
    if build is not None:
        changes["build"] = BUILDS[build] if isinstance(build, str) else build
    token = _SETTINGS.set(dataclasses.replace(_SETTINGS.get(), **changes))
    try:
        yield _SETTINGS.get()
    finally:
        _SETTINGS.reset(token)
