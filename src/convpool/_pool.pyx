"""Pooling kernels behind :func:`convpool.max_pool`, :func:`convpool.min_pool` and
:func:`convpool.avg_pool` (the kernels' source is the template ``_pool.pxi.in`` and
``_simd_pool.h``).

setup.py compiles this module for the baseline and the AVX2 target (the AVX-512 target
takes the AVX2 build: pooling gains nothing from 512-bit vectors): import ``_pool_avx2``
only where ``convpool._conv.cpu_target()`` allows it.
"""

include "_pool.pxi"
