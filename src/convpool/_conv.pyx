"""Convolution kernels behind :func:`convpool.convolve` and :func:`convpool.conv2d`: their
entry points and drivers (the templates ``_conv.pxi.in``, ``_sep.pxi.in`` and
``_bank.pxi.in``), and the CPU check that says which target this CPU runs.

setup.py compiles this module once. The drivers own the band loop, the scratch, the
codelab's margin and the cleanup, and do every step that touches a row of pixels through
the row functions of one target: each entry point takes first the capsule ``ROWS`` of a
``convpool._conv_rows`` module (``_conv_rows``, ``_conv_rows_avx2``, ``_conv_rows_avx512``),
the part compiled once per target.
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
