"""Convolution kernels behind :func:`convpool.convolve`, compiled with AVX2 enabled.

Import only where ``convpool._conv.cpu_has_avx2()`` is true: every function here, the
module's own setup included, may use AVX2 instructions.
"""

include "_conv.pxi"
include "_sep.pxi"
