"""Pooling kernels behind :func:`convpool.max_pool`, :func:`convpool.min_pool` and
:func:`convpool.avg_pool` (the kernels' source is the template ``_pool.pxi.in`` and
``_simd_pool.h``).

setup.py compiles this module for the baseline and, as ``_pool_avx2``, for AVX2 (import
that only where ``convpool._conv.cpu_target()`` allows it), which the AVX-512 target
runs too: its plain loops gained nothing from an AVX-512 build (at 512 bits they ran
about 20 % slower on Zen 4; at 256 bits with AVX-512's instructions, -6 % to +15 % by
case, against 20 s of compiling and 0.29 MB of wheel). The loops that do gain from each
target's width, the 2 x 2 windows of uint8 pixels of ``_simd_pool.h``, are compiled per
target in ``_conv_rows``: the entry points ``extreme_pool`` and ``avg_pool`` take that
module's capsule ``POOL_ROWS`` first.
"""

include "_pool.pxi"
