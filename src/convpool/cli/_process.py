"""One image through ``convpool apply``: read, filter, pool, scale and write it."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .. import convolve, max_pool
from ._common import FileError, shown, size
from ._io import read_image, stretch
from ._naming import Settings
from ._write import exists_error, save_atomic


@dataclass(frozen=True)
class Options:
    """How to process each file: the settings that make its pixels, and the rest."""

    settings: Settings
    overwrite: bool
    max_pixels: int | None


@dataclass(frozen=True)
class Written:
    """A file written: the result's shape, and lines to tell about it on stderr."""

    shape: tuple[int, ...]
    notes: tuple[str, ...] = ()


def to_image(result: np.ndarray, scale: bool) -> tuple[Image.Image, str | None]:
    """The result as an image, and what to tell about its non-finite values, if any.

    With ``scale`` the finite values' min..max is stretched onto 0..255 (see
    :func:`stretch`), so one NaN or infinite pixel no longer turns the whole picture black.
    """
    if not scale:
        return Image.fromarray(result), None
    note = None
    if not np.isfinite(result).all():
        kinds = (("NaN", np.isnan(result), 0), ("+inf", np.isposinf(result), 255), ("-inf", np.isneginf(result), 0))
        present = [(kind, np.count_nonzero(where), value) for kind, where, value in kinds if where.any()]
        counts = " and ".join(f"{count} {kind}" for kind, count, _ in present)
        written = ", ".join(f"{kind} as {value}" for kind, _, value in present)
        note = (
            f"{counts} among the {result.size} values of the result: --scale stretched the "
            f"finite values over 0..255 and wrote {written}"
        )
    return Image.fromarray(stretch(result)), note


def process(source: Path, target: Path, kind: type[np.generic], opts: Options, workers: int) -> Written:
    """Filter ``source``, read as ``kind``, into ``target`` with ``workers`` threads; raise :class:`FileError`."""
    if not opts.overwrite and os.path.lexists(target):  # early, to spare the work; the write checks again
        raise exists_error(target)
    how = opts.settings
    pixels, notes = read_image(source, how.color, opts.max_pixels, kind)
    axes = (0, 1) if pixels.ndim == 3 else None
    dtype = how.output_dtype(kind)
    result = convolve(pixels, how.kernel.matrix, how.weight, mode=how.mode, dtype=dtype, axes=axes, workers=workers)
    if 0 in result.shape[:2]:
        raise FileError(
            f"{source}: {size(pixels.shape)} is too small for a {size(how.kernel.shape)} kernel"
            f" (mode {how.mode!r}): the result is empty"
        )
    if how.pool:
        fmap_shape = result.shape
        result = max_pool(result, how.pool, axes=axes, workers=workers)
        if 0 in result.shape[:2]:
            raise FileError(
                f"{source}: its {size(fmap_shape)} feature map is too small for {size((how.pool, how.pool))}"
                " pooling: the result is empty"
            )
    image, note = to_image(result, how.scale)
    # The name escaped into ASCII: a file name may hold any bytes, a TIFF's description only ASCII.
    name = shown(source.name).encode("ascii", "backslashreplace").decode("ascii")
    save_atomic(image, target, opts.overwrite, f"{how.description(kind)} {shlex.quote(name)}")
    if note is not None:
        notes.append(f"{source}: {note}")
    return Written(result.shape, tuple(notes))
