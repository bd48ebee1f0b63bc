"""Which build of the kernels runs, and the tuning that never changes a result.

The kernels come in two builds of the same source, baseline and AVX2; the AVX2 build is
used when the CPU has it, unless the environment variable ``CONVPOOL_DISABLE_AVX2=1``
asks for the baseline. :func:`override` changes the build, or the thresholds that decide
how work is split, for the code inside a ``with`` block in this thread (a context
variable): the test suite uses it to run every path under every build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from types import ModuleType
from typing import Any

from . import _conv as _conv_baseline
from . import _pool as _pool_baseline


@dataclasses.dataclass(frozen=True)
class Build:
    """One build of the kernels: its name and its two modules."""

    name: str
    conv: ModuleType
    pool: ModuleType


def _builds() -> dict[str, Build]:
    builds = {"baseline": Build("baseline", _conv_baseline, _pool_baseline)}
    # The AVX2 modules may use AVX2 anywhere, their import included: ask the CPU first.
    if _conv_baseline.cpu_has_avx2():
        try:
            conv = importlib.import_module("convpool._conv_avx2")
            pool = importlib.import_module("convpool._pool_avx2")
        except ImportError:  # a build without the AVX2 variant (MSVC, non-x86)
            pass
        else:
            builds["avx2"] = Build("avx2", conv, pool)
    return builds


#: The builds this CPU can run, by name.
BUILDS = _builds()
#: The build used unless overridden: ``"avx2"`` where the CPU has it, else ``"baseline"``.
DEFAULT_BUILD = (
    "avx2" if "avx2" in BUILDS and os.environ.get("CONVPOOL_DISABLE_AVX2", "") in ("", "0") else "baseline"
)


@dataclasses.dataclass(frozen=True)
class Settings:
    build: Build = BUILDS[DEFAULT_BUILD]
    # Work per thread, in pixels of the codelab's 3x3 filters on the int16 path (see
    # _convolve.work), below which a call takes fewer threads than `workers`: handing a
    # band to a pool thread and waiting for it took up to about 100 microseconds on a
    # 2-core virtual machine, the time of some 2**19 such pixels on one core, so a band
    # must be larger to gain.
    min_pixels_per_thread: int = 1 << 20
    # Widest row a kernel call takes at once. The kernels' scratch grows with the row
    # width, so wider images are cut into column tiles (see _convolve): scratch stays
    # under a few MiB per thread however wide the image.
    max_columns: int = 1 << 15


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
