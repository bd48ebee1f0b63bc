"""Pooling kernels behind :func:`convpool.max_pool`, :func:`convpool.min_pool` and
:func:`convpool.avg_pool` (the kernels' source is the template ``_pool.pxi.in`` and
``_simd_pool.h``).

setup.py compiles this module for the baseline and, as ``_pool_avx2``, for AVX2 (which
AVX-512 CPUs run too: ``convpool._config.POOL_TARGETS``): import ``_pool_avx2`` only
where ``convpool._conv.cpu_target()`` allows it.
"""

include "_pool.pxi"
