"""The plan of a convolution: which compiled kernel runs, with which taps and sums.

:func:`plan` decides once per (kernel, image dtype, output dtype, build) and keeps the
:class:`Plan` with the kernel; :func:`convpool.convolve` and its border strips only
execute it. The tests ask :func:`plan` which route a case takes.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from types import ModuleType

import numpy as np

from . import _config
from ._kernel import EXACT, Kernel

# Every build compiles the same kinds: the baseline's lists stand for all.
_KERNELS = _config.BUILDS["baseline"].conv
IMAGE_KIND = {np.dtype(code): i for i, code in enumerate(_KERNELS.IMAGE_KINDS)}
OUT_KIND = {np.dtype(code): i for i, code in enumerate(_KERNELS.OUT_KINDS)}
_INT_IMAGES = _KERNELS.INT_IMAGES
_SUM_KINDS = _KERNELS.SUM_KINDS
_SUM_LIMITS = {"i2": 2**15 - 1, "u2": 2**16 - 1, "i4": 2**31 - 1, "i8": EXACT - 1}


# What a plan runs: ``run(src, weight, dst, keep, row_start, row_stop)``, the route's
# compiled kernel from the stack ``src`` into output rows ``row_start..row_stop`` of the
# stack ``dst``.
Run = Callable[[np.ndarray, float, np.ndarray, bool, int, int], None]


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """A route, and its compiled kernel with every argument bound but the pixels, the
    weight and the rows.

    The routes, each the build's ``correlate_<route>``: two 1-D passes, exact integer
    (``"sep_int"``) or float64 (``"sep_float"``); tap pairs on uint8 (``"pairs"``), or
    where the build and CPU have AVX-512 VNNI tap quads (``"quads"``: the same integers);
    2-D taps in an integer accumulator (``"int"``) or in float64 (``"float"``).
    """

    route: str
    bits: int  # the 2-D integer accumulator for this image dtype: 16, 32, 64; 0 for float64
    sums: tuple[str, str] | None  # "sep_int": the column and row sums' types (SUM_KINDS codes)
    # Per output pixel, in sixths of a pixel of the codelab's 3x3 filters on the int16
    # path (six nonzero taps), for the split into bands: the integer paths skip zero
    # taps, and a float64 tap costs about three integer ones.
    cost: int
    function: Callable[..., None]  # the compiled kernel (its signature: _conv.pyi)
    run: Run  # the kernel called with the plan's arguments in the entry point's order


def plan(kernel: Kernel, image: np.dtype, out: np.dtype, build: _config.Build) -> Plan:
    """The plan for ``kernel`` on native images of ``image`` into ``out`` under ``build``,
    made on the first call and kept with the kernel."""
    key = (image, out, build.conv)
    found = kernel.plans.get(key)
    if found is None:
        found = _make(kernel, image, out, build.conv)
        if len(kernel.plans) >= _PLANS_PER_KERNEL:  # test builds come and go
            kernel.plans.clear()
        kernel.plans[key] = found
    return found


_PLANS_PER_KERNEL = 64


def _make(kernel: Kernel, image: np.dtype, out: np.dtype, conv: ModuleType) -> Plan:
    """The one decision, in order: two 1-D passes where they save taps; tap pairs for
    uint8 where the build sums them fast; the narrowest exact integer accumulator; else
    float64. Each ``run`` is the entry point with the plan's arguments bound (they come
    first in every entry point; see _conv.pyi), so running a plan adds no Python frame."""
    kind, out_kind = IMAGE_KIND[image], OUT_KIND[out]
    taps = kernel.taps
    bits = _accumulator(taps, image)
    nonzero = kernel.nonzero
    factors = kernel.factors
    if factors is not None:
        column, row = factors
        passes = int(np.count_nonzero(column) + np.count_nonzero(row))  # taps per pixel
        if passes + _SEPARABLE_OVERHEAD < nonzero:
            if not kernel.integral:
                sep_float = conv.correlate_sep_float
                return Plan("sep_float", bits, None, 3 * passes, sep_float,
                            functools.partial(sep_float, kind, column, row, out_kind))
            if bits and taps is not None:
                first, second = _sum_kind(column, image), _sum_kind(taps, image)
                if first is not None and second is not None:
                    sep_int = conv.correlate_sep_int
                    return Plan("sep_int", bits, (_SUM_KINDS[first], _SUM_KINDS[second]), passes, sep_int,
                                functools.partial(sep_int, kind, column, row, first, second, out_kind))
    many = _QUADS_MIN_TAPS if conv.QUADS else _PAIRS_MIN_TAPS  # from how many taps pairs pay
    pairs = kernel.pairs
    if conv.PAIRS and image == np.uint8 and pairs is not None and (bits == 32 or (bits == 16 and nonzero >= many)):
        # Four taps per instruction where the CPU has AVX-512 VNNI: the same integers.
        route = "quads" if conv.QUADS else "pairs"
        correlate_pairs = getattr(conv, f"correlate_{route}")
        return Plan(route, bits, None, nonzero, correlate_pairs,
                    functools.partial(correlate_pairs, pairs, out_kind))
    if bits:
        correlate_int = conv.correlate_int
        return Plan("int", bits, None, nonzero, correlate_int,
                    functools.partial(correlate_int, kind, taps, bits, out_kind))
    # Non-integer kernels promise the tolerance, not the reference's roundings, and take
    # one fused multiply-add per tap. So do integer taps up to 2**29 on float32 images:
    # times a 24-bit significand each product has at most 53 bits, exact in float64, so
    # the one rounding of a fused multiply-add is the reference's rounding of its sum.
    values = kernel.values
    exact_products = image == np.float32 and float(np.abs(values).max(initial=0.0)) <= _EXACT_F32_TAP
    fast = not kernel.integral or exact_products
    correlate_float = conv.correlate_float
    return Plan("float", 0, None, 3 * nonzero, correlate_float,
                functools.partial(correlate_float, kind, values, fast, out_kind))


# The largest integer tap whose products with float32 pixels are exact in float64.
_EXACT_F32_TAP = 2.0**29


# The two passes cost about their taps plus two (the store and reload of the column
# sums); the 2-D paths their nonzero taps. Measured on AVX2 (Zen 4, one thread,
# 2048 x 2048 uint8, separable / 2-D time): 3 x 3 Sobel (3 + 2 taps against 6) 1.15,
# so it stays 2-D; the 3 x 3 binomial (3 + 3 against 9) 0.72, box 0.87; 5 x 5 binomial
# 0.16 (the 2-D sums leave int16), box 0.60; a 3 x 3 float Gaussian on float32 0.53.
#
# Integer kernels that are an exact outer product of integer vectors, on integer images
# whose sums the integer types hold, take two exact integer passes (the column sums in
# the type that holds them, the row sums in the one that holds the kernel's), equal to
# the reference bit for bit. Kernels with a non-integer tap that are rank 1
# (``Kernel.factors``) take two float64 passes, within the tolerance of non-integer
# kernels. Integer-valued kernels never take the float passes, whose order is not the
# reference's: on float images, and where their sums are beyond the integer paths (taps
# summing to 2**53 or more), they keep the 2-D float path, bit-identical to the reference.
_SEPARABLE_OVERHEAD = 2

# Nonzero taps from which the int16 path's kernels run faster as pairs, in builds that
# sum a pair in one instruction (AVX2, AVX-512; measured on a Zen 4 at 2048 x 2048: 7x7
# kernels about even, 9x9 in 0.8 x the time), and as the quads of AVX-512 VNNI (Zen 4,
# 2048 x 2048: 5x5 of 21 taps in 0.94 x the time, 7x7 of 41 in 0.58 x, 9x9 in 0.58 x; a
# 3x3 in 1.5 x). Kernels whose sums leave int16 (int32 accumulators) take the pairs
# whatever their taps: the pairs sum in int16 groups carried in int32.
_PAIRS_MIN_TAPS = 36
_QUADS_MIN_TAPS = 20


def _accumulator(taps: np.ndarray | None, dtype: np.dtype) -> int:
    """The integer path's accumulator bits for an image of ``dtype``, or 0 for float64.

    Integer-valued kernels on integer images accumulate in the narrowest exact
    accumulator the kernels are compiled with for that image: int16 when
    ``sum(|k|) * max|pixel of dtype|`` fits it, else int32, else int64 while that bound
    stays below 2**53 (where float64 is exact as well); everything else runs in float64.
    """
    if taps is None or dtype.kind not in "iu":
        return 0
    bits = 8 * dtype.itemsize
    bound = int(np.abs(taps).sum()) * (2**bits - 1 if dtype.kind == "u" else 2 ** (bits - 1))
    for acc, limit in ((16, 2**15 - 1), (32, 2**31 - 1), (64, EXACT - 1)):
        if bound <= limit and dtype.str[1:] in _INT_IMAGES[acc]:
            return acc
    return 0


def _sum_kind(factor: np.ndarray, dtype: np.dtype) -> int | None:
    """The separable integer path's sum type for ``factor`` over pixels of ``dtype``
    (an index of SUM_KINDS), by the bound of ``_accumulator``; None where none holds it.

    uint16 holds sums that are never negative (nonnegative taps on unsigned pixels) up
    to 65535: the binomial 5 x 5 sums to 256 * 255, beyond int16.
    """
    bits = 8 * dtype.itemsize
    bound = int(np.abs(factor).sum()) * (2**bits - 1 if dtype.kind == "u" else 2 ** (bits - 1))
    unsigned = dtype.kind == "u" and bool((factor >= 0).all())
    for kind, code in enumerate(_SUM_KINDS):
        if code == "u2" and not unsigned:
            continue
        if code in _SUM_LIMITS and bound <= _SUM_LIMITS[code] and dtype.str[1:] in _KERNELS.SUM_IMAGES[code]:
            return kind
    return None
