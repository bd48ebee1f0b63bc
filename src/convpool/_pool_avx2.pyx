"""Max-pooling kernel behind :func:`convpool.max_pool`, compiled with AVX2 enabled.

Import only where ``convpool._conv.cpu_has_avx2()`` is true.
"""

include "_pool.pxi"
