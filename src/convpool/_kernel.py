"""The checked kernel: its values in the forms the routes take, and the one cache of
kernels, by their bytes.

A :class:`Kernel` is made once per distinct kernel; its float64 values, integer taps,
tap pairs and factors are made on first use, and the plans of :mod:`convpool._plan` are
kept with it, so the same small kernel applied again and again (the codelab's case, a
CNN's filters) is checked, converted and planned once.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from . import _validate

# Largest magnitude that float64 holds as an exact integer.
EXACT = 2**53


class Kernel:
    """A checked kernel: its shape now; its float64 values, integer taps (where every
    value is an integer of magnitude below 2**53 in all), nonzero count, tap pairs and
    factors on first use; and its plans (:func:`convpool._plan.plan`) as they are made.

    A call whose kernel covers no pixel ("keep" mode, a kernel larger than the image)
    then costs only the check of the kernel, not a conversion of every tap.
    """

    def __init__(self, source: np.ndarray) -> None:
        self.shape: tuple[int, int] = source.shape
        self._source = source  # checked: real, 2-D, non-empty, finite
        # convpool._plan.plan's entries, by (image dtype, output dtype, kernel module),
        # filled by whichever thread asks first: a plan depends on its key alone, so two
        # threads that race store plans that run alike, and a lookup never sees half of one.
        self.plans: dict[tuple[Any, ...], Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        # The plans hold the compiled kernels' functions; a copy (a dask graph sent to
        # another process) plans again where it runs.
        return {**self.__dict__, "plans": {}}

    @functools.cached_property
    def values(self) -> np.ndarray:
        """float64, read-only, C order: a private copy."""
        values = np.array(self._source, dtype=np.float64, order="C", copy=True)
        values.flags.writeable = False
        self._source = values  # the caller's array is no longer referenced
        return values

    @functools.cached_property
    def integral(self) -> bool:
        """Whether every tap is an integer: the kernels whose results are the reference's
        bit for bit on every path (the others promise the tolerance rule)."""
        v = self.values
        return bool((v == np.trunc(v)).all())

    @functools.cached_property
    def taps(self) -> np.ndarray | None:
        """int64, read-only, where the kernel runs on the integer paths."""
        v = self.values
        with np.errstate(over="ignore"):  # a sum beyond float64's range is no integer kernel
            exact = self.integral and float(np.abs(v).sum()) < EXACT
        if not exact:
            return None
        taps = v.astype(np.int64)
        taps.flags.writeable = False
        return taps

    @functools.cached_property
    def nonzero(self) -> int:
        """Nonzero taps, at least 1: a measure of the work per pixel."""
        return max(1, int(np.count_nonzero(self.values)))

    @functools.cached_property
    def pairs(self) -> np.ndarray | None:
        """The taps as the uint8 pair path takes them, where it can (see _pairs)."""
        return _pairs(self.taps)

    @functools.cached_property
    def factors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The kernel as ``outer(column, row)``, for the separable paths, or None.

        Integer-valued kernels: integer factors, found exactly (the row is a nonzero row
        of the kernel divided by its gcd, so every other row is an integer multiple of it;
        the product is then checked in Python's integers), the column with no common
        factor and its first nonzero tap positive, so that its sums are the smallest; none
        where the taps are beyond the integer paths (``taps`` is None), since two float64
        passes sum in another order than the reference and an integer-valued kernel's
        promise is the reference's pixels bit for bit. Kernels with a non-integer tap:
        float64 factors when the product equals the kernel within 1e-13 of each tap,
        zeros exactly (rank 1, a Gaussian from a sigma for one), the column scaled to at
        most 1 in magnitude. As int64 / float64 arrays of shape (1, n).
        """
        if not self.integral:
            return _float_factors(self.values)
        taps = self.taps
        return None if taps is None else _integer_factors(taps)

    def complete(self) -> Kernel:
        """Every field made now (a kernel kept for later: cached, or in a dask graph)."""
        self.nonzero, self.pairs, self.factors  # noqa: B018
        return self


def _integer_factors(taps: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    rows = np.flatnonzero(taps.any(axis=1))
    if len(rows) == 0:
        return None
    row = taps[rows[0]]
    row = row // int(np.gcd.reduce(row))
    j = int(np.flatnonzero(row)[0])
    if np.any(taps[:, j] % row[j]):
        return None
    column = taps[:, j] // row[j]
    if not (np.outer(column.astype(object), row.astype(object)) == taps.astype(object)).all():
        return None
    common = int(np.gcd.reduce(column)) * (1 if column[np.flatnonzero(column)[0]] > 0 else -1)
    return _frozen(column // common), _frozen(row * common)


def _float_factors(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    i, j = np.unravel_index(int(np.argmax(np.abs(values))), values.shape)
    column, row = values[:, j] / values[i, j], values[i].copy()
    product = np.outer(column, row)
    if not ((product == 0) == (values == 0)).all():
        return None
    if not (np.abs(product - values) <= 1e-13 * np.abs(values)).all():
        return None
    return _frozen(column), _frozen(row)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a).reshape(1, -1)
    a.flags.writeable = False
    return a


def checked_kernel(kernel: Any) -> Kernel:
    """`kernel` checked, from the cache when it was seen before.

    The same small kernel applied again and again (the codelab's case) skips the
    conversion and checks, which cost more than filtering a small image. Keyed by dtype,
    shape and bytes, so only identical kernels share an entry; the entries are private
    copies, never the caller's array.
    """
    k, key = kernel, None
    if type(k) is not np.ndarray:
        if isinstance(k, np.ndarray):
            _validate.no_subclass(k, "kernel")  # before asarray drops a mask
        try:
            k = np.asarray(k)
        except (ValueError, TypeError):  # ragged lists and the like: the check says what is wrong
            k = kernel
    if type(k) is np.ndarray and k.size <= _CACHE_MAX_TAPS:
        key = (k.dtype, k.shape, k.tobytes())
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:  # only checked kernels are stored
            return hit
    k = _validate.kernel(k)
    _validate.finite(k, "kernel")
    checked = Kernel(k)
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = checked.complete()
    return checked


_CACHE: dict[tuple[np.dtype, tuple[int, ...], bytes], Kernel] = {}
_CACHE_SIZE = 64
_CACHE_MAX_TAPS = 1024


def _pairs(taps: np.ndarray | None) -> np.ndarray | None:
    """The kernel as horizontal tap pairs for uint8 images, or None if a pair is too large.

    A pair ``(k[i, j], k[i, j + 1])`` (the second 0 past the last column) adds
    ``x0 * k0 + x1 * k1`` in int16: exact while both are int8 and ``|k0| + |k1| <= 128``
    (``255 * 128`` fits int16). Pairs are grouped in row-major order so that each
    group's ``sum(|k|) * 255`` fits int16; the groups are summed in int32, which the
    whole kernel's bound fits (``sum(|k|) * 255 < 2**31`` for any kernel of int8 taps
    up to 2**16 pairs). Rows: ``(kh, kw, 0, 0, 0)``, then ``(row, column, k0, k1, group)``
    for each pair with a nonzero tap; int64.
    """
    if taps is None or taps.size > 2**16:
        return None
    kh, kw = taps.shape
    padded = np.zeros((kh, kw + kw % 2), np.int64)
    padded[:, :kw] = taps
    k0, k1 = padded[:, 0::2], padded[:, 1::2]
    if min(k0.min(), k1.min()) < -128 or max(k0.max(), k1.max()) > 127 or (np.abs(k0) + np.abs(k1)).max() > 128:
        return None
    rows = [(kh, kw, 0, 0, 0)]
    group, room = 0, 128
    for i in range(kh):
        for j in range(k0.shape[1]):
            a, b = int(k0[i, j]), int(k1[i, j])
            if a == 0 and b == 0:
                continue
            if abs(a) + abs(b) > room:
                group, room = group + 1, 128
            room -= abs(a) + abs(b)
            rows.append((i, 2 * j, a, b, group))
    if len(rows) == 1:  # an all-zero kernel: one zero pair
        rows.append((0, 0, 0, 0, 0))
    pairs = np.array(rows, np.int64)
    pairs.flags.writeable = False
    return pairs
