"""Convolution kernels behind :func:`convpool.convolve` and
:func:`convpool.conv2d` (the kernels' source is the templates ``_conv.pxi.in``,
``_sep.pxi.in``, ``_bank.pxi.in`` and the ``_simd_*.h`` headers), and the CPU check that says
which build of them this CPU runs.

setup.py compiles this module once per target: ``_conv`` for any CPU of the platform,
``_conv_avx2`` and ``_conv_avx512`` with those instruction sets, which may use them
anywhere, their import included: import one only where :func:`cpu_target` allows it.
"""

cdef extern from "_cpu.h":
    int convpool_cpu_target() noexcept nogil


#: The targets in order, each running on a subset of the CPUs of the one before it.
TARGETS = ("baseline", "avx2", "avx512")


def cpu_target():
    """The best of :data:`TARGETS` this CPU and OS run: ``"avx2"`` needs AVX2 and FMA,
    ``"avx512"`` AVX-512 F, BW, VL and DQ (each with the OS saving the registers), and
    either is only ever reported by GCC or Clang builds on x86."""
    return TARGETS[convpool_cpu_target()]


include "_conv.pxi"
include "_sep.pxi"
include "_bank.pxi"
