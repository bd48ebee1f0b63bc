"""Pooling kernels (``_pool.pxi``), compiled with AVX2 enabled.

Import only where ``convpool._conv.cpu_has_avx2()`` is true.
"""

include "_pool.pxi"
