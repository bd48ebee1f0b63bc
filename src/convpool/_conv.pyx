"""Convolution kernels behind :func:`convpool.convolve`, compiled for any CPU of the
platform (the kernels' source is the template ``_conv.pxi.in``), and the CPU check that
decides whether the AVX2 build of the same source, ``_conv_avx2``, may be imported.
"""

cdef extern from *:
    """
    /* GCC and Clang on x86 ask the CPU (and, for AVX, the OS's saving of the wide
       registers) through cpuid and xgetbv; elsewhere no AVX2 build exists. The AVX2
       build is compiled with -mfma too: every AVX2 CPU so far has FMA, but ask. */
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    static int convpool_cpu_has_avx2(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    #else
    static int convpool_cpu_has_avx2(void) { return 0; }
    #endif
    """
    int convpool_cpu_has_avx2() noexcept nogil


def cpu_has_avx2():
    """Whether this CPU and OS run AVX2 and FMA instructions, which the AVX2 build is
    compiled with (always False off GCC/Clang x86)."""
    return bool(convpool_cpu_has_avx2())


include "_conv.pxi"
include "_sep.pxi"
