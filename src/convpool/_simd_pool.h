/* 2 x 2 windows in vectors of any width (_simd.h), for _pool.pxi.in: max_pool/min_pool
 * of uint8, uint16 and float32 pixels, and avg_pool's exact sums of uint8 pixels
 * (pmaddubsw of each row's pixel pairs with ones, added in int16, converted and times
 * 0.25, which is the division by 4). The results are the portable loops' bit for bit
 * (integers; one exact product; float32 extremes folded in the portable loops' order,
 * where no pixel is NaN). 256 bits in the AVX2 build (which AVX-512 CPUs run too:
 * setup.py builds the pooling kernels for no AVX-512 target), 512 in an AVX-512 build;
 * the baseline has no vectors here (CONVPOOL_POOL2 is 0) and takes the portable loops
 * of _pool.pxi.in.
 */
#ifndef CONVPOOL_SIMD_POOL_H
#define CONVPOOL_SIMD_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "_simd.h"

#define CONVPOOL_POOL2 (CONVPOOL_VBITS != 0)
/* The boundary, in bytes, that the stores past the caches below write to. */
#define CONVPOOL_STREAM_ALIGN (CONVPOOL_VBITS ? CONVPOOL_VBITS / 8 : 1)

#if CONVPOOL_VBITS
/* CP_VI_BYTES windows per step: 2 vectors of each row. */
#define CONVPOOL_EXTREME2_VECTOR(VOP)                                                           \
    const cp_vi low = cp_set1_16(0x00ff);                                                       \
    for (; c + CP_VI_BYTES <= n; c += CP_VI_BYTES) {                                            \
        cp_vi m0 = VOP(cp_load(r0 + 2 * c), cp_load(r1 + 2 * c));                               \
        cp_vi m1 = VOP(cp_load(r0 + 2 * c + CP_VI_BYTES), cp_load(r1 + 2 * c + CP_VI_BYTES));   \
        m0 = cp_and(VOP(m0, cp_srli16(m0, 8)), low);                                            \
        m1 = cp_and(VOP(m1, cp_srli16(m1, 8)), low);                                            \
        cp_store_low_bytes16(dst + c, m0, m1);                                                  \
    }
#else
#define CONVPOOL_EXTREME2_VECTOR(VOP)
#endif

#define CONVPOOL_EXTREME2(name, VOP, less)                                                      \
    static void convpool_##name##2x2_u8(const uint8_t* r0, const uint8_t* r1, uint8_t* dst, ptrdiff_t n) { \
        ptrdiff_t c = 0;                                                                        \
        CONVPOOL_EXTREME2_VECTOR(VOP)                                                           \
        for (; c < n; c++) {                                                                    \
            uint8_t a = r0[2 * c], b;                                                           \
            b = r0[2 * c + 1];                                                                  \
            a = less(a, b) ? b : a;                                                             \
            b = r1[2 * c];                                                                      \
            a = less(a, b) ? b : a;                                                             \
            b = r1[2 * c + 1];                                                                  \
            a = less(a, b) ? b : a;                                                             \
            dst[c] = a;                                                                         \
        }                                                                                       \
    }
#define CONVPOOL_LT(a, b) ((a) < (b))
#define CONVPOOL_GT(a, b) ((a) > (b))
CONVPOOL_EXTREME2(max, cp_max_u8, CONVPOOL_LT)
CONVPOOL_EXTREME2(min, cp_min_u8, CONVPOOL_GT)

/* 2 x 2 windows of uint16 pixels: the unsigned max or min of the two rows, then of each
   pixel pair (as 32-bit lanes: the pair's second pixel shifted onto its first); the
   windows 0 .. c - 1 for the largest c <= n that vectors reach; returns c. With stream
   (dst then a multiple of CP_VI_BYTES), the stores go past the caches: for outputs
   that would only push the image out of them. */
#define CONVPOOL_EXTREME2_U16(name, VOP)                                                        \
    static ptrdiff_t convpool_##name##2x2_u16(const uint16_t* r0, const uint16_t* r1, uint16_t* dst, \
                                              ptrdiff_t n, int stream) {                          \
        ptrdiff_t c = 0;                                                                        \
        CONVPOOL_EXTREME2_U16_VECTOR(VOP)                                                       \
        return c;                                                                               \
    }
/* 2 x 2 windows of float32 pixels folded as _pool.pxi.in folds them (across each row, the
   second pixel taken where it is larger (smaller), then down, the second row's taken
   where it is larger (smaller)): maxps (b, a) is b where b > a, else a. That is the
   fold's result where no pixel is NaN; where one is (any lane of the pairs compared
   unordered), the function returns 0, and the caller's loop does the row. stream as
   above. */
#define CONVPOOL_EXTREME2_F32(name, VOP)                                                        \
    static ptrdiff_t convpool_##name##2x2_f32(const float* r0, const float* r1, float* dst, ptrdiff_t n, \
                                              int stream) {                                       \
        ptrdiff_t c = 0;                                                                        \
        CONVPOOL_EXTREME2_F32_VECTOR(VOP)                                                       \
        return c;                                                                               \
    }
#if CONVPOOL_VBITS
/* A loop written once, in two copies: stores to the caches or past them. */
#define CONVPOOL_STORES(LOOP, VOP, STORE, STREAM) \
    if (stream) {                            \
        LOOP(VOP, STREAM)                    \
        _mm_sfence();                        \
    } else {                                 \
        LOOP(VOP, STORE)                     \
    }
#define CONVPOOL_EXTREME2_U16_LOOP(VOP, STORE)                                                  \
    for (; c + P <= n; c += P) {                                                                \
        cp_vi m0 = VOP(cp_load(r0 + 2 * c), cp_load(r1 + 2 * c));                               \
        cp_vi m1 = VOP(cp_load(r0 + 2 * c + P), cp_load(r1 + 2 * c + P));                       \
        m0 = cp_and(VOP(m0, cp_srli32(m0, 16)), low);                                           \
        m1 = cp_and(VOP(m1, cp_srli32(m1, 16)), low);                                           \
        STORE(dst + c, m0, m1);                                                                 \
    }
#define CONVPOOL_EXTREME2_U16_VECTOR(VOP)                                                       \
    enum { P = CP_VI_BYTES / 2 }; /* windows per step: 2 vectors of each row */                  \
    const cp_vi low = cp_set1_32(0xffff);                                                       \
    CONVPOOL_STORES(CONVPOOL_EXTREME2_U16_LOOP, VOP, cp_store_low_words32, cp_stream_low_words32)
#define CONVPOOL_EXTREME2_F32_LOOP(VOP, STORE)                                                  \
    for (; c + L <= n; c += L) {                                                                \
        cp_vf a0 = cp_loadf(r0 + 2 * c), a1 = cp_loadf(r0 + 2 * c + L);                         \
        cp_vf b0 = cp_loadf(r1 + 2 * c), b1 = cp_loadf(r1 + 2 * c + L);                         \
        nan = cp_orf(nan, cp_orf(cp_unordf(a0, a1), cp_unordf(b0, b1)));                        \
        cp_vf top = VOP(cp_oddsf(a0, a1), cp_evensf(a0, a1));                                   \
        cp_vf bottom = VOP(cp_oddsf(b0, b1), cp_evensf(b0, b1));                                \
        STORE(dst + c, cp_pairsf(VOP(bottom, top)));                                            \
    }
#define CONVPOOL_EXTREME2_F32_VECTOR(VOP)                                                       \
    enum { L = CP_VF_LANES }; /* windows per step: 2 vectors of each row */                     \
    cp_vf nan = cp_zerof();                                                                     \
    CONVPOOL_STORES(CONVPOOL_EXTREME2_F32_LOOP, VOP, cp_storef, cp_streamf)                     \
    if (cp_anyf(nan))                                                                           \
        return 0;
#else
#define CONVPOOL_EXTREME2_U16_VECTOR(VOP) (void)r0, (void)r1, (void)dst, (void)n, (void)stream;
#define CONVPOOL_EXTREME2_F32_VECTOR(VOP) (void)r0, (void)r1, (void)dst, (void)n, (void)stream;
#endif
CONVPOOL_EXTREME2_U16(max, cp_max_u16)
CONVPOOL_EXTREME2_U16(min, cp_min_u16)
CONVPOOL_EXTREME2_F32(max, cp_maxf)
CONVPOOL_EXTREME2_F32(min, cp_minf)

#if CONVPOOL_VBITS
/* The 16-bit sums of the CP_VI_BYTES / 2 2 x 2 windows from c on. */
static inline cp_vi convpool_sum2x2_u8(const uint8_t* r0, const uint8_t* r1, ptrdiff_t c) {
    const cp_vi ones = cp_set1_8(1);
    return cp_add16(cp_maddubs(cp_load(r0 + 2 * c), ones), cp_maddubs(cp_load(r1 + 2 * c), ones));
}
#endif

/* The means of windows 0 .. c - 1 for the largest c <= n that vectors reach; returns c. */
static ptrdiff_t convpool_avg2x2_u8_f4(const uint8_t* r0, const uint8_t* r1, float* dst, ptrdiff_t n) {
    ptrdiff_t c = 0;
#if CONVPOOL_VBITS
    enum { P = CP_VI_BYTES / 2 }; /* windows per vector of sums */
    const cp_vf q = cp_set1f(0.25f);
    for (; c + P <= n; c += P) {
        cp_vi s = convpool_sum2x2_u8(r0, r1, c);
        cp_storef(dst + c, cp_mulf(cp_tof(cp_widen16(cp_lo(s))), q));
        cp_storef(dst + c + P / 2, cp_mulf(cp_tof(cp_widen16(cp_hi(s))), q));
    }
#else
    (void)r0, (void)r1, (void)dst, (void)n;
#endif
    return c;
}

static ptrdiff_t convpool_avg2x2_u8_f8(const uint8_t* r0, const uint8_t* r1, double* dst, ptrdiff_t n) {
    ptrdiff_t c = 0;
#if CONVPOOL_VBITS
    enum { P = CP_VI_BYTES / 2 };
    const cp_vd q = cp_set1d(0.25);
    for (; c + P <= n; c += P) {
        cp_vi s = convpool_sum2x2_u8(r0, r1, c);
        cp_vi lo = cp_widen16(cp_lo(s)), hi = cp_widen16(cp_hi(s));
        cp_stored(dst + c, cp_muld(cp_tod(cp_lo(lo)), q));
        cp_stored(dst + c + P / 4, cp_muld(cp_tod(cp_hi(lo)), q));
        cp_stored(dst + c + P / 2, cp_muld(cp_tod(cp_lo(hi)), q));
        cp_stored(dst + c + 3 * P / 4, cp_muld(cp_tod(cp_hi(hi)), q));
    }
#else
    (void)r0, (void)r1, (void)dst, (void)n;
#endif
    return c;
}

#endif /* CONVPOOL_SIMD_POOL_H */
