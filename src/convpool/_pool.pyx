"""Pooling kernels behind :func:`convpool.max_pool`, :func:`convpool.min_pool` and
:func:`convpool.avg_pool` (the kernels' source is the template ``_pool.pxi.in`` and
``_simd_pool.h``).

setup.py compiles this module once per target, like ``_conv``: import ``_pool_avx2`` or
``_pool_avx512`` only where ``convpool._conv.cpu_target()`` allows it.
"""

include "_pool.pxi"
