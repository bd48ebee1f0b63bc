"""What convpool.dask's functions share: the input as a dask array, and blocks that
read a halo of their neighbours."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import dask.array as da
import numpy as np

from . import _validate


def as_dask(image: Any) -> da.Array:
    """`image` as a dask array of real numbers (checked by its dtype alone: no pixel is read)."""
    if not isinstance(image, da.Array):
        try:
            image = da.asarray(image)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"`image` must be a rectangular array of numbers: {exc}") from None
    _validate.image(np.empty((0,) * image.ndim, image.dtype))
    return image


def _rechunked(chunks: tuple[int, ...], multiple: int, minimum: int) -> tuple[int, ...]:
    """Chunk sizes along one axis: boundaries moved down to multiples of `multiple`,
    dropped where a chunk would be smaller than `minimum` (only a single chunk may be)."""
    total = sum(chunks)
    cuts: list[int] = []
    pos = 0
    for c in chunks[:-1]:
        pos += c
        cut = pos // multiple * multiple
        if cut - (cuts[-1] if cuts else 0) >= max(minimum, 1) and total - cut >= minimum:
            cuts.append(cut)
    edges = [0, *cuts, total]
    return tuple(b - a for a, b in itertools.pairwise(edges))


def with_halo(
    x: da.Array,
    halo: dict[int, tuple[int, int]],
    multiple: dict[int, int],
    block_function: Callable[..., np.ndarray],
    out_chunks: Callable[[tuple[tuple[int, ...], ...]], tuple[tuple[int, ...], ...]],
    out_dtype: np.dtype,
) -> da.Array:
    """Rechunk ``x``, share ``halo[axis] = (before, after)`` cells between neighbouring
    blocks (none beyond the array), and map ``block_function`` over the extended blocks.

    ``block_function(block, location=..., block_index=..., depth=...)`` gets the
    block's own (not extended) location in the rechunked ``x`` and its index.
    """
    chunks = tuple(
        _rechunked(c, multiple.get(a, 1), max(halo.get(a, (0, 0)))) if a in halo else c
        for a, c in enumerate(x.chunks)
    )
    x = x.rechunk(chunks)
    depth = {a: (halo[a] if a in halo and len(chunks[a]) > 1 else 0) for a in range(x.ndim)}
    extended = da.overlap.overlap(x, depth=depth, boundary="none", allow_rechunk=False)

    def run(block: np.ndarray, block_info: dict | None = None) -> np.ndarray:
        assert block_info is not None
        starts = [int(sum(c[:i])) for c, i in zip(chunks, block_info[0]["chunk-location"], strict=True)]
        location = [(s, s + c[i]) for s, c, i in zip(starts, chunks, block_info[0]["chunk-location"], strict=True)]
        return block_function(block, location=location, block_index=block_info[0]["chunk-location"],
                              depth=depth)

    return da.map_blocks(
        run, extended, chunks=out_chunks(chunks), dtype=out_dtype, meta=np.empty((0,) * x.ndim, out_dtype)
    )
