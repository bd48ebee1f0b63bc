"""Pooling kernels behind :func:`convpool.max_pool`, :func:`convpool.min_pool` and
:func:`convpool.avg_pool`, compiled for any CPU of the platform (the kernels' source is
``_pool.pxi``).
"""

include "_pool.pxi"
