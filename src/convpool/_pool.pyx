"""Pooling kernels behind :func:`convpool.max_pool`, :func:`convpool.min_pool` and
:func:`convpool.avg_pool`, compiled for any CPU of the platform (the kernels' source is
the template ``_pool.pxi.in``).
"""

include "_pool.pxi"
