"""Max-pooling kernel behind :func:`convpool.max_pool`, compiled for any CPU of the
platform (the kernel's source is ``_pool.pxi``).
"""

include "_pool.pxi"
