/* The hand-written vector loops of the convolution kernels (_conv.pxi.in, _sep.pxi.in),
 * each written once for any vector width (_simd.h): 256 bits in the AVX2 build, 512 in
 * the AVX-512 build. Every function but those that say otherwise gives the same results
 * in every build: the vector lanes compute what the portable loop computes, so that a
 * column gives the same value in a vector or in a loop's tail.
 */
#ifndef CONVPOOL_SIMD_CONV_H
#define CONVPOOL_SIMD_CONV_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "_simd.h"

/* ------------------------------------------------------------------ stores to uint8 */

/* _put for uint8 over a row of sums times weight: GCC vectorises the plain loop with byte
   blends and packs, three times slower than this. maxpd(x, 0) gives 0 for NaN (its
   second operand), as _put does; the clamped values convert through int32, exactly as
   _put's. The tail, and the baseline build, take _put's own loop. One function per type
   of sum: float64, and the exact integer sums (int16, uint16, int32; each converts to
   float64 exactly). */
#if CONVPOOL_VBITS
#define CONVPOOL_STORE_U8_VECTOR(LOAD)                                                       \
    const cp_vd w = cp_set1d(weight), lo = cp_zerod(), hi = cp_set1d(255.0);                \
    for (; c + 4 * CP_VD_LANES <= n; c += 4 * CP_VD_LANES) {                                 \
        cp_vh q[4];                                                                          \
        int v;                                                                               \
        CONVPOOL_UNROLL for (v = 0; v < 4; v++)                                              \
            q[v] = cp_trunc32(cp_mind(cp_maxd(cp_muld(w, LOAD(acc + c + v * CP_VD_LANES)), lo), hi)); \
        cp_store_bytes4(dst + c, q[0], q[1], q[2], q[3]);                                    \
    }
#else
#define CONVPOOL_STORE_U8_VECTOR(LOAD)
#endif

#define CONVPOOL_STORE_U8(SUFFIX, T, LOAD)                                                   \
    static void convpool_store_u8_##SUFFIX(uint8_t* dst, const T* acc, double weight, ptrdiff_t n) { \
        ptrdiff_t c = 0;                                                                     \
        CONVPOOL_STORE_U8_VECTOR(LOAD)                                                       \
        for (; c < n; c++) {                                                                 \
            double x = weight * (double)acc[c];                                              \
            x = x > 0.0 ? x : 0.0;                                                           \
            x = x < 255.0 ? x : 255.0;                                                       \
            dst[c] = (uint8_t)(int32_t)x;                                                    \
        }                                                                                    \
    }
CONVPOOL_STORE_U8(f64, double, cp_loadd)
CONVPOOL_STORE_U8(i32, int32_t, cp_loadd_i32)
CONVPOOL_STORE_U8(i16, int16_t, cp_loadd_i16)
CONVPOOL_STORE_U8(u16, uint16_t, cp_loadd_u16)

/* ------------------------------------------------------------------ float64 taps */

/* k * x + a rounded once where the build targets FMA (the AVX2 and AVX-512 builds), else
   the reference's two roundings: fma() without the instruction is a slow library call. */
#if defined(__FMA__)
#define convpool_madd(k, x, a) fma((k), (x), (a))
#else
#define convpool_madd(k, x, a) ((a) + (k) * (x))
#endif

#define CONVPOOL_FMA_ROWS (CONVPOOL_VBITS != 0)

/* One output row of a non-integer kernel whose rows have their taps in different
   columns (convpool_fma_block takes the others), 4 vectors of columns held in registers
   over all the taps, one fused multiply-add per tap in the taps' order (so any column, in
   a vector or in the tail, and at any vector width, gets the same value):
     acc[c] = sum of k[s] * p[s][c] over the pixel taps s < m.
   A tap of 0 is never given, so 0 * inf reads nothing. Only the builds with FMA have it. */
static void convpool_fma_rows(const double* const* p, const double* k, ptrdiff_t m, double* acc, ptrdiff_t n) {
#if CONVPOOL_FMA_ROWS
    enum { L = CP_VD_LANES };
    ptrdiff_t c = 0, s;
    for (; c + 4 * L <= n; c += 4 * L) {
        cp_vd a0 = cp_zerod(), a1 = a0, a2 = a0, a3 = a0;
        for (s = 0; s < m; s++) {
            const double* q = p[s] + c;
            cp_vd kv = cp_set1d(k[s]);
            a0 = cp_fmaddd(kv, cp_loadd(q), a0);
            a1 = cp_fmaddd(kv, cp_loadd(q + L), a1);
            a2 = cp_fmaddd(kv, cp_loadd(q + 2 * L), a2);
            a3 = cp_fmaddd(kv, cp_loadd(q + 3 * L), a3);
        }
        cp_stored(acc + c, a0);
        cp_stored(acc + c + L, a1);
        cp_stored(acc + c + 2 * L, a2);
        cp_stored(acc + c + 3 * L, a3);
    }
    for (; c + L <= n; c += L) {
        cp_vd a0 = cp_zerod();
        for (s = 0; s < m; s++)
            a0 = cp_fmaddd(cp_set1d(k[s]), cp_loadd(p[s] + c), a0);
        cp_stored(acc + c, a0);
    }
    for (; c < n; c++) {
        double a = 0.0;
        for (s = 0; s < m; s++)
            a = fma(k[s], p[s][c], a);
        acc[c] = a;
    }
#else
    (void)p, (void)k, (void)m, (void)acc, (void)n;
#endif
}

/* Up to CONVPOOL_FMA_BLOCK output rows (nr <= kh) of a non-integer kernel whose kh rows
   have their pc taps in the same columns col[0..pc-1] (dense kernels and most others), in
   registers:
     acc[o][c] = sum over i < kh, j < pc, in that order, of k[i * pc + j] * rows[i + o][col[j] + c]
   for o < nr, one fused multiply-add per tap: the sums of convpool_fma_rows to the bit.
   rows[0..kh + nr - 2] are the image rows (float64) the nr output rows read. Each pixel
   is loaded once for all the output rows it feeds (up to four): in pairs of rows the
   loads, not the multiply-adds, had set the pace (Zen 4, a 7 x 7 kernel, rows in the L2
   cache: 2.6 ns a pixel in pairs, 2.15 in blocks of four). The build's vectors, U of them
   per row: 4 where AVX-512 gives 32 registers (16 sums), 3 in the AVX2 build's 16.
   The AVX-512 build loads each image row once per run of taps within 8 columns of the
   first (U vectors, and a masked one for the columns past them that the run reads) and
   makes each tap's vectors with one two-source permute (vpermt2pd): a 512-bit load at a
   column that is not a multiple of 8 spans two cache lines, and with one such load per
   tap and vector the loads set the pace (Ice Lake server, 7 x 7 and 15 x 15 kernels on
   float32 images, paired: 0.82 and 0.75 x the time of loads at every tap). Only the
   builds with FMA have it. */
#define CONVPOOL_FMA_BLOCK 4
/* The most output rows of a column of taps at once (cp_fma_column). */
#if CONVPOOL_VBITS == 512
#define CONVPOOL_FMA_COLUMN 8
#else
#define CONVPOOL_FMA_COLUMN CONVPOOL_FMA_BLOCK
#endif

#if CONVPOOL_VBITS
#if CONVPOOL_VBITS == 512
/* The permute's lanes for a tap d = 0..8 columns past the run's first: lanes d..d + 7 of
   the two vectors at columns c and c + 8. */
static const int64_t cp_perm_idx[9][8] = {
    {0, 1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7, 8}, {2, 3, 4, 5, 6, 7, 8, 9},
    {3, 4, 5, 6, 7, 8, 9, 10}, {4, 5, 6, 7, 8, 9, 10, 11}, {5, 6, 7, 8, 9, 10, 11, 12},
    {6, 7, 8, 9, 10, 11, 12, 13}, {7, 8, 9, 10, 11, 12, 13, 14}, {8, 9, 10, 11, 12, 13, 14, 15}};
#define CP_BLOCK_U 4
#else
#define CP_BLOCK_U 3
#endif
/* Tap j of one image row, its vectors x, into output rows lo..hi: a[o] += kp[o][j] * x. */
CP_INLINE void cp_fma_block_tap(cp_vd (*a)[CP_BLOCK_U], const double* const* kp, ptrdiff_t j, const cp_vd* x,
                                int vs, int lo, int hi) {
    cp_vd kv;
    int o, u;
#pragma GCC unroll 4
    for (o = lo; o <= hi; o++) {
        kv = cp_set1d(kp[o][j]);
#pragma GCC unroll 4
        for (u = 0; u < vs; u++)
            a[o][u] = cp_fmaddd(kv, x[u], a[o][u]);
    }
}
/* CP_VD_LANES pixels of an image row from pixel i on, as float64: the row float32 (f32,
   a constant where inlined: each function below has an instance for each kind of row)
   or float64; and (AVX-512) the first m of them, the others 0, reading no further. */
CP_INLINE cp_vd cp_row_load(const void* q, ptrdiff_t i, int f32) {
    return f32 ? cp_loadd_f32((const float*)q + i) : cp_loadd((const double*)q + i);
}
#if CONVPOOL_VBITS == 512
CP_INLINE cp_vd cp_row_load_first(const void* q, ptrdiff_t i, int m, int f32) {
    __mmask8 k = (__mmask8)((1u << m) - 1u);
    return f32 ? _mm512_cvtps_pd(_mm256_maskz_loadu_ps(k, (const float*)q + i))
               : _mm512_maskz_loadu_pd(k, (const double*)q + i);
}
#endif
/* One image row's taps into output rows lo..hi (constants where inlined, so that every
   sum stays a register): output row o multiplies it by kernel row ki - o, ki being this
   image row's kernel row for output row 0 (taps k[(ki - o) * pc + j]); the row's pixels
   from column c on. */
CP_INLINE void cp_fma_block_row(const void* q, ptrdiff_t c, const ptrdiff_t* col, const double* k, ptrdiff_t ki,
                                ptrdiff_t pc, cp_vd (*a)[CP_BLOCK_U], int vs, int lo, int hi, int f32) {
    cp_vd x[CP_BLOCK_U];
    const double* kp[CONVPOOL_FMA_BLOCK];
    ptrdiff_t j;
    int o, u;
#pragma GCC unroll 4
    for (o = lo; o <= hi; o++)
        kp[o] = k + (ki - o) * pc;
#if CONVPOOL_VBITS == 512
    ptrdiff_t j0 = 0, j1;
    while (j0 < pc) {
        ptrdiff_t c0 = c + col[j0];
        cp_vd v[CP_BLOCK_U + 1];
        for (j1 = j0 + 1; j1 < pc && col[j1] - col[j0] <= 8; j1++)
            ;
#pragma GCC unroll 4
        for (u = 0; u < vs; u++)
            v[u] = cp_row_load(q, c0 + CP_VD_LANES * u, f32);
        v[vs] = cp_row_load_first(q, c0 + CP_VD_LANES * vs, (int)(col[j1 - 1] - col[j0]), f32);
        for (j = j0; j < j1; j++) {
            ptrdiff_t d = col[j] - col[j0];
            if (d == 0) {
#pragma GCC unroll 4
                for (u = 0; u < vs; u++)
                    x[u] = v[u];
            } else {
                __m512i idx = _mm512_loadu_si512(cp_perm_idx[d]);
#pragma GCC unroll 4
                for (u = 0; u < vs; u++)
                    x[u] = _mm512_permutex2var_pd(v[u], idx, v[u + 1]);
            }
            cp_fma_block_tap(a, kp, j, x, vs, lo, hi);
        }
        j0 = j1;
    }
#else
    for (j = 0; j < pc; j++) {
#pragma GCC unroll 4
        for (u = 0; u < vs; u++)
            x[u] = cp_row_load(q, c + col[j] + CP_VD_LANES * u, f32);
        cp_fma_block_tap(a, kp, j, x, vs, lo, hi);
    }
#endif
}
/* The body of a step over columns c.. of nr <= kh output rows, vs vectors each: the sums
   a[o][u] from 0; image row ii added by ROW(ii, lo, hi) into output rows o = lo..hi as
   their kernel row ii - o: rows 0, 0..1, 0..2 at the top, all of them while ii < kh, then
   1.., 2.., 3.. at the bottom, each phase its own loop, so the long middle one has no
   tests; then the sums stored into acc, or, where out is given (float32 output rows of
   weight 1), there as _put stores them, (float)sum: no pass over acc after (7 x 7 float
   kernel on float32: 0.9x the time). Not for other weights: the weight's vector, hoisted
   out of the loop over steps, took a register that the sums needed (spills in every
   step of 4 rows). */
#define CP_STEP_ROWS(ROW)                                             \
    ptrdiff_t ii;                                                     \
    int o, u, e;                                                      \
    CONVPOOL_UNROLL                                                   \
    for (o = 0; o < nr; o++)                                          \
        CONVPOOL_UNROLL                                               \
        for (u = 0; u < vs; u++)                                      \
            a[o][u] = cp_zerod();                                     \
    CONVPOOL_UNROLL                                                   \
    for (e = 0; e < nr - 1; e++)                                      \
        ROW(e, 0, e);                                                 \
    for (ii = nr - 1; ii < kh; ii++)                                  \
        ROW(ii, 0, nr - 1);                                           \
    CONVPOOL_UNROLL                                                   \
    for (e = 1; e < nr; e++)                                          \
        ROW(kh - 1 + e, e, nr - 1);                                   \
    if (out) {                                                        \
        CONVPOOL_UNROLL                                               \
        for (o = 0; o < nr; o++)                                      \
            CONVPOOL_UNROLL                                           \
            for (u = 0; u < vs; u++)                                  \
                cp_stored_f32(out[o] + c + CP_VD_LANES * u, a[o][u]); \
    } else {                                                          \
        CONVPOOL_UNROLL                                               \
        for (o = 0; o < nr; o++)                                      \
            CONVPOOL_UNROLL                                           \
            for (u = 0; u < vs; u++)                                  \
                cp_stored(acc[o] + c + CP_VD_LANES * u, a[o][u]);     \
    }
CP_INLINE void cp_fma_block_step(const void* const* rows, const ptrdiff_t* col, const double* k, ptrdiff_t kh,
                                 ptrdiff_t pc, int nr, double* const* acc, float* const* out, ptrdiff_t c,
                                 int vs, int f32) {
    cp_vd a[CONVPOOL_FMA_BLOCK][CP_BLOCK_U];
#define CP_BLOCK_ROW(ii, lo, hi) cp_fma_block_row(rows[ii], c, col, k, ii, pc, a, vs, lo, hi, f32)
    CP_STEP_ROWS(CP_BLOCK_ROW)
#undef CP_BLOCK_ROW
}
/* A tail column's sum a of output row o: into acc, or (out given) into float32, as the
   vector steps store it. */
#define CP_STORE_SUM(o, c, a) (out ? (void)(out[o][c] = (float)(a)) : (void)(acc[o][c] = (a)))
CP_INLINE void cp_fma_block(const void* const* rows, const ptrdiff_t* col, const double* k, ptrdiff_t kh,
                            ptrdiff_t pc, int nr, double* const* acc, float* const* out, ptrdiff_t n,
                            int f32) {
    ptrdiff_t c = 0, i, j;
    int o;
    for (; c + CP_VD_LANES * CP_BLOCK_U <= n; c += CP_VD_LANES * CP_BLOCK_U)
        cp_fma_block_step(rows, col, k, kh, pc, nr, acc, out, c, CP_BLOCK_U, f32);
    for (; c + CP_VD_LANES <= n; c += CP_VD_LANES)
        cp_fma_block_step(rows, col, k, kh, pc, nr, acc, out, c, 1, f32);
    for (; c < n; c++) {
        for (o = 0; o < nr; o++) {
            double a = 0.0;
            for (i = 0; i < kh; i++)
                for (j = 0; j < pc; j++)
                    a = fma(k[i * pc + j], f32 ? (double)((const float*)rows[i + o])[col[j] + c]
                                                : ((const double*)rows[i + o])[col[j] + c], a);
            CP_STORE_SUM(o, c, a);
        }
    }
}
#if CONVPOOL_VBITS == 512
/* A column of taps (pc == 1: the separable column pass, and 2-D kernels of one column):
   nr output rows (a constant where inlined; nr <= kh) of the same sums as cp_fma_block's,
   2 vectors of columns each and up to 8 rows, each image row loaded (and converted) once
   for all of them and no runs to find (13 taps on float32 rows: 2.5 loads and
   conversions per 13 multiply-adds in 8 rows, 4 in cp_fma_block's 4). Image row ii feeds
   output rows lo..hi with kernel row ii - o, in the order of ii, as in cp_fma_block_step. */
CP_INLINE void cp_fma_column_row(const void* q, ptrdiff_t c, const double* k, ptrdiff_t ki,
                                 cp_vd (*a)[2], int vs, int lo, int hi, int f32) {
    cp_vd x[2], kv;
    int o, u;
#pragma GCC unroll 2
    for (u = 0; u < vs; u++)
        x[u] = cp_row_load(q, c + CP_VD_LANES * u, f32);
#pragma GCC unroll 8
    for (o = lo; o <= hi; o++) {
        kv = cp_set1d(k[ki - o]);
#pragma GCC unroll 2
        for (u = 0; u < vs; u++)
            a[o][u] = cp_fmaddd(kv, x[u], a[o][u]);
    }
}
CP_INLINE void cp_fma_column_step(const void* const* rows, const double* k, ptrdiff_t kh, int nr,
                                  double* const* acc, float* const* out, ptrdiff_t at, ptrdiff_t c,
                                  int vs, int f32) {
    cp_vd a[CONVPOOL_FMA_COLUMN][2];
#define CP_COLUMN_ROW(ii, lo, hi) cp_fma_column_row(rows[ii], at + c, k, ii, a, vs, lo, hi, f32)
    CP_STEP_ROWS(CP_COLUMN_ROW)
#undef CP_COLUMN_ROW
}
CP_INLINE void cp_fma_column(const void* const* rows, ptrdiff_t at, const double* k, ptrdiff_t kh, int nr,
                             double* const* acc, float* const* out, ptrdiff_t n, int f32) {
    ptrdiff_t c = 0, i;
    int o;
    for (; c + 2 * CP_VD_LANES <= n; c += 2 * CP_VD_LANES)
        cp_fma_column_step(rows, k, kh, nr, acc, out, at, c, 2, f32);
    for (; c + CP_VD_LANES <= n; c += CP_VD_LANES)
        cp_fma_column_step(rows, k, kh, nr, acc, out, at, c, 1, f32);
    for (; c < n; c++) {
        for (o = 0; o < nr; o++) {
            double a = 0.0;
            for (i = 0; i < kh; i++)
                a = fma(k[i], f32 ? (double)((const float*)rows[i + o])[at + c] : ((const double*)rows[i + o])[at + c],
                        a);
            CP_STORE_SUM(o, c, a);
        }
    }
}
/* nr rows of a column of taps: 8, 4, 2 or 1 at a time (each row's sums are the same
   whatever its group); functions of their own, so that the blocks' code stays as it is. */
#define CP_FMA_COLUMN_ROWS(f32)                                                                \
    while (nr > 0) {                                                                           \
        int m = nr >= 8 ? 8 : nr >= 4 ? 4 : nr >= 2 ? 2 : 1;                                   \
        switch (m) {                                                                           \
        case 8: cp_fma_column(rows, at, k, kh, 8, acc, out, n, f32); break;                    \
        case 4: cp_fma_column(rows, at, k, kh, 4, acc, out, n, f32); break;                    \
        case 2: cp_fma_column(rows, at, k, kh, 2, acc, out, n, f32); break;                    \
        default: cp_fma_column(rows, at, k, kh, 1, acc, out, n, f32); break;                   \
        }                                                                                      \
        rows += m;                                                                             \
        acc += m;                                                                              \
        out = out ? out + m : NULL;                                                            \
        nr -= m;                                                                               \
    }
static __attribute__((noinline)) void cp_fma_column_f64(const void* const* rows, ptrdiff_t at, const double* k,
                                                        ptrdiff_t kh, ptrdiff_t nr, double* const* acc,
                                                        float* const* out, ptrdiff_t n) {
    CP_FMA_COLUMN_ROWS(0)
}
static __attribute__((noinline)) void cp_fma_column_f32(const void* const* rows, ptrdiff_t at, const double* k,
                                                        ptrdiff_t kh, ptrdiff_t nr, double* const* acc,
                                                        float* const* out, ptrdiff_t n) {
    CP_FMA_COLUMN_ROWS(1)
}
#define CP_FMA_COLUMN(rows, f32)                                                               \
    if (pc == 1) {                                                                             \
        (f32 ? cp_fma_column_f32 : cp_fma_column_f64)(rows, col[0], k, kh, nr, acc, out, n);   \
        return;                                                                                \
    }
#else
#define CP_FMA_COLUMN(rows, f32)
#endif
/* One instance per count of rows, so that every sum is a register; a column of taps
   (more rows than CONVPOOL_FMA_BLOCK only there) in the AVX-512 build: cp_fma_column. */
#define CP_FMA_BLOCK_ROWS(image_rows, f32)                                                     \
    const void* const* rows = (const void* const*)(image_rows);                                \
    CP_FMA_COLUMN(rows, f32)                                                                   \
    switch (nr) {                                                                              \
    case 1: cp_fma_block(rows, col, k, kh, pc, 1, acc, out, n, f32); break;                    \
    case 2: cp_fma_block(rows, col, k, kh, pc, 2, acc, out, n, f32); break;                    \
    case 3: cp_fma_block(rows, col, k, kh, pc, 3, acc, out, n, f32); break;                    \
    default: cp_fma_block(rows, col, k, kh, pc, 4, acc, out, n, f32); break;                   \
    }
#endif

static void convpool_fma_block(const double* const* image_rows, const ptrdiff_t* col, const double* k, ptrdiff_t kh,
                               ptrdiff_t pc, ptrdiff_t nr, double* const* acc, float* const* out, ptrdiff_t n) {
#if CONVPOOL_VBITS
    CP_FMA_BLOCK_ROWS(image_rows, 0)
#else
    (void)image_rows, (void)col, (void)k, (void)kh, (void)pc, (void)nr, (void)acc, (void)out, (void)n;
#endif
}
/* convpool_fma_block on float32 image rows, read in place: the same sums (each pixel
   converted to float64 exactly as it is loaded). */
static void convpool_fma_block_f32(const float* const* image_rows, const ptrdiff_t* col, const double* k,
                                   ptrdiff_t kh, ptrdiff_t pc, ptrdiff_t nr, double* const* acc, float* const* out,
                                   ptrdiff_t n) {
#if CONVPOOL_VBITS
    CP_FMA_BLOCK_ROWS(image_rows, 1)
#else
    (void)image_rows, (void)col, (void)k, (void)kh, (void)pc, (void)nr, (void)acc, (void)out, (void)n;
#endif
}

/* ------------------------------------------------------------------ float32 row pairs */

/* The fused kernels of _conv_rows.pxi.in (_pair*x*: output rows r and r + 1 of a kernel
   of kr <= 3 rows of pc <= 3 taps in the same columns, each pixel loaded once for both)
   reading float32 images in place: each pixel is converted to float64 in a register (the
   conversion is exact), so no ring of converted rows is written and read back. The sums
   are those of _pair*x*, tap for tap in row-major order from 0.0, one fused multiply-add
   per tap where `fast` (non-integer kernels), else the reference's product and sum: the
   results are the same bits as a float64 copy of the image gives. s[i * pc + j] is image
   row i (0..kr) at tap column j, output column 0; k the kr * pc taps. d0 and d1 get
   weight * sum as float32, or as float64 where out64.

   Written with the build's vectors. On Zen 4, which splits 512-bit conversions (they set
   the pace here) into halves, 256-bit ones had been faster (a 2048 x 2048 float32 image,
   a random 3 x 3 kernel: 2.1 ms against 2.4); on Ice Lake server, which has whole 512-bit
   units, 512-bit vectors take 0.94 x the time of 256-bit ones (3 x 3 float) and 0.85 x
   (Sobel), paired: the AVX-512 build takes 512 bits, the target this build is for. Every
   loop over taps is unrolled, so that each tap's pointer and value stay in registers. */
#define CONVPOOL_PAIR_F32 (CONVPOOL_VBITS != 0)
/* The farthest a tap's column may lie past the first tap's of its row: the permutes
   of the AVX-512 build reach 8 columns (wider kernels of so few taps take the ring). */
#if CONVPOOL_VBITS == 512
#define CONVPOOL_PAIR_F32_SPAN 8
#else
#define CONVPOOL_PAIR_F32_SPAN PTRDIFF_MAX
#endif

#if CONVPOOL_VBITS
#define CP_PAIR_UNROLL 4
CP_INLINE cp_vd cp_pair_madd(int fast, cp_vd k, cp_vd x, cp_vd a) {
    return fast ? cp_fmaddd(k, x, a) : cp_addd(a, cp_muld(k, x));
}
CP_INLINE void cp_pair_store(int out64, void* d, ptrdiff_t c, cp_vd x) {
    if (out64)
        cp_stored((double*)d + c, x);
    else
        cp_stored_f32((float*)d + c, x);
}
/* Columns c.. of vs vectors of both output rows. The AVX-512 build loads each image row
   once (vs vectors and a masked one for the m columns past them that the taps reach) and
   makes the other taps' vectors with one two-source permute each (idx[j], as in the
   blocks above): a permute is one instruction on the vector ports, a conversion of
   float32 pixels two. */
CP_INLINE void cp_pair_step(int out64, void* d0, void* d1, const float* const* s, const cp_vd* kv,
                            const cp_vd* w, int kr, int pc, ptrdiff_t c, int vs, int fast, const cp_vi* idx, int m) {
    cp_vd a[CP_PAIR_UNROLL], b[CP_PAIR_UNROLL], x;
    int i, j, u;
#pragma GCC unroll 4
    for (u = 0; u < vs; u++)
        a[u] = b[u] = cp_zerod();
#pragma GCC unroll 4
    for (i = 0; i <= kr; i++) {
#if CONVPOOL_VBITS == 512
        cp_vd v[CP_PAIR_UNROLL + 1];
        if (pc > 1) {
#pragma GCC unroll 4
            for (u = 0; u < vs; u++)
                v[u] = cp_loadd_f32(s[i * pc] + c + CP_VD_LANES * u);
            v[vs] = cp_row_load_first(s[i * pc], c + CP_VD_LANES * vs, m, 1);
        }
#endif
#pragma GCC unroll 3
        for (j = 0; j < pc; j++) {
#pragma GCC unroll 4
            for (u = 0; u < vs; u++) {
#if CONVPOOL_VBITS == 512
                if (pc > 1)
                    x = j == 0 ? v[u] : _mm512_permutex2var_pd(v[u], idx[j], v[u + 1]);
                else
#endif
                    x = cp_loadd_f32(s[i * pc + j] + c + CP_VD_LANES * u);
                if (i < kr)
                    a[u] = cp_pair_madd(fast, kv[i * pc + j], x, a[u]);
                if (i > 0)
                    b[u] = cp_pair_madd(fast, kv[(i - 1) * pc + j], x, b[u]);
            }
        }
    }
    /* weight * sum, or (w == NULL: weight 1) the sum itself, the same bits. */
    if (w) {
#pragma GCC unroll 4
        for (u = 0; u < vs; u++) {
            a[u] = cp_muld(*w, a[u]);
            b[u] = cp_muld(*w, b[u]);
        }
    }
#pragma GCC unroll 4
    for (u = 0; u < vs; u++) {
        cp_pair_store(out64, d0, c + CP_VD_LANES * u, a[u]);
        cp_pair_store(out64, d1, c + CP_VD_LANES * u, b[u]);
    }
}
CP_INLINE void cp_pair_f32(int out64, void* d0, void* d1, const float* const* s, const double* k, int kr,
                           int pc, double weight, ptrdiff_t n, int fast) {
    cp_vd kv[9];
    const cp_vd w = cp_set1d(weight);
    const cp_vd* pw = weight == 1.0 ? NULL : &w; /* no multiply by 1 */
    ptrdiff_t c = 0;
    int i, j, m = 0;
    cp_vi idx[3];
#pragma GCC unroll 9
    for (i = 0; i < kr * pc; i++)
        kv[i] = cp_set1d(k[i]);
#if CONVPOOL_VBITS == 512
    /* Tap j's column, d = s[j] - s[0] past tap 0's (the same in every row; at most
       CONVPOOL_PAIR_F32_SPAN), picks its permute; m is the farthest. */
#pragma GCC unroll 3
    for (j = 1; j < pc; j++) {
        m = (int)(s[j] - s[0]);
        idx[j] = _mm512_loadu_si512(cp_perm_idx[m]);
    }
#endif
    /* CP_PAIR_UNROLL vectors of columns per step, then one, then single columns. */
    for (; c + CP_VD_LANES * CP_PAIR_UNROLL <= n; c += CP_VD_LANES * CP_PAIR_UNROLL)
        cp_pair_step(out64, d0, d1, s, kv, pw, kr, pc, c, CP_PAIR_UNROLL, fast, idx, m);
    for (; c + CP_VD_LANES <= n; c += CP_VD_LANES)
        cp_pair_step(out64, d0, d1, s, kv, pw, kr, pc, c, 1, fast, idx, m);
    for (; c < n; c++) {
        double sa = 0.0, sb = 0.0, v;
        for (i = 0; i <= kr; i++) {
            for (j = 0; j < pc; j++) {
                v = s[i * pc + j][c];
                if (i < kr)
                    sa = fast ? fma(k[i * pc + j], v, sa) : sa + k[i * pc + j] * v;
                if (i > 0)
                    sb = fast ? fma(k[(i - 1) * pc + j], v, sb) : sb + k[(i - 1) * pc + j] * v;
            }
        }
        if (out64) {
            ((double*)d0)[c] = weight * sa;
            ((double*)d1)[c] = weight * sb;
        } else {
            ((float*)d0)[c] = (float)(weight * sa);
            ((float*)d1)[c] = (float)(weight * sb);
        }
    }
}
#endif

/* One instance of cp_pair_f32 per shape, kind of taps and output: the compiler then
   keeps every tap in a register. Nothing in the baseline build (CONVPOOL_PAIR_F32 0: the
   drivers convert the rows and take _pair*x*). */
static void convpool_pair_f32(int out64, void* d0, void* d1, const float* const* s, const double* k,
                              ptrdiff_t kr, ptrdiff_t pc, double weight, ptrdiff_t n, int fast) {
#if CONVPOOL_VBITS
#define CP_PAIR_CASE(KR, PC, FAST, OUT64)                                                   \
    if (kr == KR && pc == PC && fast == FAST && out64 == OUT64) {                            \
        cp_pair_f32(OUT64, d0, d1, s, k, KR, PC, weight, n, FAST);                           \
        return;                                                                              \
    }
#define CP_PAIR_SHAPES(FAST, OUT64)                                                          \
    CP_PAIR_CASE(2, 1, FAST, OUT64) CP_PAIR_CASE(2, 2, FAST, OUT64) CP_PAIR_CASE(2, 3, FAST, OUT64) \
    CP_PAIR_CASE(3, 1, FAST, OUT64) CP_PAIR_CASE(3, 2, FAST, OUT64) CP_PAIR_CASE(3, 3, FAST, OUT64)
    fast = fast != 0;
    out64 = out64 != 0;
    CP_PAIR_SHAPES(0, 0)
    CP_PAIR_SHAPES(0, 1)
    CP_PAIR_SHAPES(1, 0)
    CP_PAIR_SHAPES(1, 1)
#undef CP_PAIR_SHAPES
#undef CP_PAIR_CASE
#else
    (void)out64, (void)d0, (void)d1, (void)s, (void)k, (void)kr, (void)pc, (void)weight, (void)n, (void)fast;
#endif
}

/* ------------------------------------------------------------------ uint8 tap pairs */

#define CONVPOOL_PAIRS (CONVPOOL_VBITS != 0)

/* An int32 sum clamped to 0..255: the scalar ends of the loops that store uint8. */
static inline uint8_t convpool_clamp_u8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }
/* Pixels of one block of convpool_pairs: 4 vectors of pixel pairs. */
#if CONVPOOL_VBITS
#define CONVPOOL_PAIR_BLOCK (2 * CP_VI_BYTES)
#else
#define CONVPOOL_PAIR_BLOCK 16
#endif

/* Sums of the pair taps over n output pixels (n rounded up to CONVPOOL_PAIR_BLOCK, at
   most 128, may be computed; acc and the rows have room). ptr[t]: the pixel pairs of tap
   pair t at output pixel 0; coef[16 t]: its two taps, the first in the low byte (repeated
   16 times: the baseline's loop reads the first); group g ends at tap pair end[g]. acc
   gets int32 sums in pixel order. One pmaddubsw per vector of pairs, exact while each
   pair's |k0| + |k1| <= 128; the int16 sums of a group, exact by the planner's bound,
   are carried in int32. Every sum is exact, so every build gives the same integers.
   With dst (not NULL), the sums of the n pixels go to dst clamped to 0..255 instead (acc
   is then scratch): no second pass over the row. */
static void convpool_pairs(const uint8_t* const* ptr, const int16_t* coef, const int32_t* end, int32_t ngroups,
                           int32_t* acc, ptrdiff_t n, uint8_t* dst) {
    ptrdiff_t c;
#if CONVPOOL_VBITS
    enum { P = CP_VI_BYTES / 2 }; /* pixels per vector */
    int32_t g, t, t0, v;
    for (c = 0; c < n; c += 4 * P) {
        cp_vi e[4], o[4];
        CONVPOOL_UNROLL for (v = 0; v < 4; v++)
            e[v] = o[v] = cp_zero();
        t0 = 0;
        for (g = 0; g < ngroups; g++) {
            cp_vi s0 = cp_zero(), s1 = s0, s2 = s0, s3 = s0;
            for (t = t0; t < end[g]; t++) {
                const uint8_t* p = ptr[t] + 2 * c;
                cp_vi k = cp_set1_16(coef[16 * t]);
                s0 = cp_add16(s0, cp_maddubs(cp_load(p), k));
                s1 = cp_add16(s1, cp_maddubs(cp_load(p + 2 * P), k));
                s2 = cp_add16(s2, cp_maddubs(cp_load(p + 4 * P), k));
                s3 = cp_add16(s3, cp_maddubs(cp_load(p + 6 * P), k));
            }
            t0 = end[g];
            /* int16 lanes 2m and 2m + 1 (pixels) into int32 lane m of e and o */
#define CONVPOOL_FLUSH(v, s)                                      \
    e[v] = cp_add32(e[v], cp_srai32(cp_slli32(s, 16), 16)); \
    o[v] = cp_add32(o[v], cp_srai32(s, 16));
            CONVPOOL_FLUSH(0, s0)
            CONVPOOL_FLUSH(1, s1)
            CONVPOOL_FLUSH(2, s2)
            CONVPOOL_FLUSH(3, s3)
#undef CONVPOOL_FLUSH
        }
        CONVPOOL_UNROLL for (v = 0; v < 4; v++) {
            cp_vi lo = cp_unpacklo32(e[v], o[v]), hi = cp_unpackhi32(e[v], o[v]);
            if (dst && c + 4 * P <= n) { /* a whole block inside the row: straight to dst */
                cp_store_u8_clamped32(dst + c + P * v, cp_blocks_first(lo, hi), cp_blocks_second(lo, hi));
            } else {
                cp_store(acc + c + P * v, cp_blocks_first(lo, hi));
                cp_store(acc + c + P * v + P / 2, cp_blocks_second(lo, hi));
            }
        }
    }
    c = dst ? n / (4 * P) * (4 * P) : n; /* the pixels whose sums went to acc, for dst */
#else
    /* The same sums, 16 pixels at a time: a portable loop that gives the same integers
       (the planner takes the int16 and int32 paths instead, faster here). */
    int32_t g, t, t0, q;
    int16_t s[16];
    for (c = 0; c < n; c += 16) {
        int32_t* a = acc + c;
        for (q = 0; q < 16; q++)
            a[q] = 0;
        t0 = 0;
        for (g = 0; g < ngroups; g++) {
            for (q = 0; q < 16; q++)
                s[q] = 0;
            for (t = t0; t < end[g]; t++) {
                const uint8_t* p = ptr[t] + 2 * c;
                int16_t ka = (int8_t)(coef[16 * t] & 0xff), kb = (int8_t)(coef[16 * t] >> 8);
                for (q = 0; q < 16; q++)
                    s[q] = (int16_t)(s[q] + p[2 * q] * ka + p[2 * q + 1] * kb);
            }
            t0 = end[g];
            for (q = 0; q < 16; q++)
                a[q] += s[q];
        }
    }
    c = dst ? 0 : n;
#endif
    for (; c < n; c++)
        dst[c] = convpool_clamp_u8(acc[c]);
}

/* Row x of w pixels as pairs (x[c], x[c + 1]), the last with 0. */
static void convpool_pair_row(const uint8_t* x, uint8_t* z, ptrdiff_t w) {
    ptrdiff_t c = 0;
#if CONVPOOL_VBITS
    for (; c + CP_VI_BYTES + 1 <= w; c += CP_VI_BYTES) {
        cp_vi a = cp_load(x + c), b = cp_load(x + c + 1);
        cp_vi lo = cp_unpacklo8(a, b), hi = cp_unpackhi8(a, b);
        cp_store(z + 2 * c, cp_blocks_first(lo, hi));
        cp_store(z + 2 * c + CP_VI_BYTES, cp_blocks_second(lo, hi));
    }
#endif
    for (; c + 1 < w; c++) {
        z[2 * c] = x[c];
        z[2 * c + 1] = x[c + 1];
    }
    if (c < w) {
        z[2 * c] = x[c];
        z[2 * c + 1] = 0;
    }
}

/* ------------------------------------------------------------------ uint8 tap quads */

/* The pair path's taps four at a time where the CPU has AVX-512 VNNI: vpdpbusd adds the
   four products of a pixel's quad (x[c], x[c + 1], x[c + 2], x[c + 3]) with four int8
   taps to its int32 sum, exactly (the planner's bound keeps every sum within int32, and
   int8 taps are what the pair path takes), so the integers are the pair path's. Half the
   instructions of the pairs and no int16 groups to flush; and two output rows at once,
   each image row's quads loaded once for both (kernel row i of output row r, i - 1 of
   row r + 1), which halves the loads per tap. Only the AVX-512 build has it, and only
   convpool_quads needs VNNI (a function attribute, not a build flag): it is called only
   where convpool_cpu_has_vnni() said so (the module's QUADS). */
#if CONVPOOL_VBITS == 512
#define CONVPOOL_QUADS 1

/* Sums over n output pixels (n rounded up to 64 may be computed; the accumulators and
   the rows have room) of a kernel of kh rows of nqc tap quads: coef[i * nqc + q] holds
   the taps of kernel row i at columns 4q .. 4q + 3, the bytes of an int32, the first in
   the lowest (zeros past the kernel). rows[i]: the quads of image row i at output pixel
   0. Output row r into acc (image rows 0 .. kh - 1), and where `two`, row r + 1 into
   acc2 (image rows 1 .. kh). */
#define CONVPOOL_QUAD_LOADS(p)                                                                         \
    x0 = _mm512_loadu_si512(p), x1 = _mm512_loadu_si512((p) + 64), x2 = _mm512_loadu_si512((p) + 128), \
    x3 = _mm512_loadu_si512((p) + 192)
#define CONVPOOL_QUAD_ADD(a, k)               \
    a##0 = _mm512_dpbusd_epi32(a##0, x0, k);  \
    a##1 = _mm512_dpbusd_epi32(a##1, x1, k);  \
    a##2 = _mm512_dpbusd_epi32(a##2, x2, k);  \
    a##3 = _mm512_dpbusd_epi32(a##3, x3, k);
__attribute__((target("avx512vnni"))) static void convpool_quads(const uint8_t* const* rows, ptrdiff_t kh,
                                                                 const int32_t* coef, ptrdiff_t nqc, int two,
                                                                 int32_t* acc, int32_t* acc2, ptrdiff_t n) {
    ptrdiff_t c, i, q;
    for (c = 0; c < n; c += 64) {
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        __m512i x0, x1, x2, x3;
        for (q = 0; q < nqc; q++) {
            const uint8_t* p = rows[0] + 4 * c + 16 * q;
            __m512i k = _mm512_set1_epi32(coef[q]);
            CONVPOOL_QUAD_LOADS(p);
            CONVPOOL_QUAD_ADD(a, k)
        }
        for (i = 1; i < kh; i++) {
            const int32_t* ka = coef + i * nqc;
            for (q = 0; q < nqc; q++) {
                const uint8_t* p = rows[i] + 4 * c + 16 * q;
                __m512i k = _mm512_set1_epi32(ka[q]), m = _mm512_set1_epi32(ka[q - nqc]);
                CONVPOOL_QUAD_LOADS(p);
                CONVPOOL_QUAD_ADD(a, k)
                if (two) {
                    CONVPOOL_QUAD_ADD(b, m)
                }
            }
        }
        for (q = 0; two && q < nqc; q++) {
            const uint8_t* p = rows[kh] + 4 * c + 16 * q;
            __m512i m = _mm512_set1_epi32(coef[(kh - 1) * nqc + q]);
            CONVPOOL_QUAD_LOADS(p);
            CONVPOOL_QUAD_ADD(b, m)
        }
        _mm512_storeu_si512(acc + c, a0);
        _mm512_storeu_si512(acc + c + 16, a1);
        _mm512_storeu_si512(acc + c + 32, a2);
        _mm512_storeu_si512(acc + c + 48, a3);
        if (two) {
            _mm512_storeu_si512(acc2 + c, b0);
            _mm512_storeu_si512(acc2 + c + 16, b1);
            _mm512_storeu_si512(acc2 + c + 32, b2);
            _mm512_storeu_si512(acc2 + c + 48, b3);
        }
    }
}
#undef CONVPOOL_QUAD_LOADS
#undef CONVPOOL_QUAD_ADD
#else
#define CONVPOOL_QUADS 0
static void convpool_quads(const uint8_t* const* rows, ptrdiff_t kh, const int32_t* coef, ptrdiff_t nqc, int two,
                           int32_t* acc, int32_t* acc2, ptrdiff_t n) {
    (void)rows, (void)kh, (void)coef, (void)nqc, (void)two, (void)acc, (void)acc2, (void)n;
}
#endif

/* Row x of w pixels as quads (x[c], x[c + 1], x[c + 2], x[c + 3]), zeros past the row.
   The AVX-512 build makes 16 pixels' quads with two shuffles: their bytes' dwords spread
   so that 128-bit lane l holds bytes 4l .. 4l + 15 (vpermd), then each lane's four quads
   picked from those (vpshufb); four widenings, three shifts and three ors before. */
static void convpool_quad_row(const uint8_t* x, uint8_t* z, ptrdiff_t w) {
    ptrdiff_t c = 0, j;
#if CONVPOOL_VBITS == 512
    const __m512i spread = _mm512_setr_epi32(0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6);
    const __m512i pick = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6));
    for (; c + 32 <= w; c += 16) {
        __m512i v = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i*)(x + c)));
        _mm512_storeu_si512(z + 4 * c, _mm512_shuffle_epi8(_mm512_permutexvar_epi32(spread, v), pick));
    }
#endif
    for (; c < w; c++)
        for (j = 0; j < 4; j++)
            z[4 * c + j] = c + j < w ? x[c + j] : 0;
}

/* ------------------------------------------------------------------ separable row pass */

#define CONVPOOL_MADD16 (CONVPOOL_VBITS != 0)

/* The row pass over 16-bit column sums s[0 .. len) with int32 sums, two taps per
   pmaddwd: kpair[p] holds taps 2p (low 16 bits) and 2p + 1 (high) of the dense row factor
   (a last odd tap paired with 0). z gets the sums as pairs (s[i], s[i + 1]); each output
   adds s[c + 2p] * v[2p] + s[c + 2p + 1] * v[2p + 1]. uint16 sums (flip = 0x8000) enter as
   s - 32768 and the sum gets bias = 32768 * sum(v) back: int32 arithmetic wraps, so the
   result is exact wherever the planner's bound puts it in int32 (no tap is -32768, so no
   pair overflows pmaddwd). Into acc, or with dst clamped to 0..255 into dst. Only the
   vector builds. */
static void convpool_rows_madd16(const uint16_t* s, ptrdiff_t len, uint16_t flip, int32_t bias, const int32_t* kpair,
                                 ptrdiff_t npairs, int16_t* z, int32_t* acc, uint8_t* dst, ptrdiff_t n) {
#if CONVPOOL_MADD16
    enum { L = CP_VI_BYTES / 4 }; /* outputs per vector */
    ptrdiff_t c, i, p;
    for (i = 0; i + 1 < len; i++) {
        z[2 * i] = (int16_t)(s[i] ^ flip);
        z[2 * i + 1] = (int16_t)(s[i + 1] ^ flip);
    }
    z[2 * (len - 1)] = (int16_t)(s[len - 1] ^ flip);
    z[2 * (len - 1) + 1] = 0;
    for (c = 0; c + 2 * L <= n; c += 2 * L) {
        cp_vi a0 = cp_set1_32(bias), a1 = a0;
        for (p = 0; p < npairs; p++) {
            cp_vi k = cp_set1_32(kpair[p]);
            a0 = cp_add32(a0, cp_madd16(cp_load(z + 2 * (c + 2 * p)), k));
            a1 = cp_add32(a1, cp_madd16(cp_load(z + 2 * (c + L + 2 * p)), k));
        }
        if (dst) {
            cp_store_u8_clamped32(dst + c, a0, a1);
        } else {
            cp_store(acc + c, a0);
            cp_store(acc + c + L, a1);
        }
    }
    for (; c < n; c++) {
        uint32_t a = (uint32_t)bias; /* wrapping, as the vector lanes */
        for (p = 0; p < npairs; p++)
            a += (uint32_t)((int32_t)z[2 * (c + 2 * p)] * (int16_t)(kpair[p] & 0xffff)
                            + (int32_t)z[2 * (c + 2 * p) + 1] * (int16_t)(kpair[p] >> 16));
        if (dst)
            dst[c] = convpool_clamp_u8((int32_t)a);
        else
            acc[c] = (int32_t)a;
    }
#else
    (void)s, (void)len, (void)flip, (void)bias, (void)kpair, (void)npairs, (void)z, (void)acc, (void)dst, (void)n;
#endif
}

/* ------------------------------------------------------------------ float64 row pass */

/* The float64 row pass of the separable kernels (_rows_float of _sep_rows.pxi.in) for a
   pass whose m <= 13 taps lie in consecutive columns (dense row factors: Gaussians,
   boxes, derivatives), in the AVX-512 build:
     acc[c] = sum of k[t] * x[c + t], t < m   (or acc[c] + that sum, where `carry`)
   in _rows_float's order to the bit: four partial sums s0..s3 (s[t % 4] gets tap t), the
   first four taps multiplied, each later one a fused multiply-add, joined as
   ((s0 + s1) + (s2 + s3)) (((s0 + s1) + s2) for three taps). x is read from x[0] to
   x[n + m - 2] only. Each shifted vector of pixels is made from two whole ones with
   valignq instead of loaded at every tap: thirteen unaligned 512-bit loads per eight
   outputs had set the pace (Zen 4, 13 taps over rows in the L1 cache: 0.93 ns a pixel
   loaded at every tap, 0.57 with valignq; the multiply-adds alone bound it near 0.46).
   Where `out` is given (and not `carry`), the sums go there instead of acc, as _put
   stores them into float32: (float)(weight * sum), so no pass over acc follows (13 x 13
   float Gaussian into float32, 2048 x 2048: 0.87 x the time).
   Returns 0 (nothing done) where it does not apply: other builds, more taps. */
#define CONVPOOL_ROWS_FLOAT (CONVPOOL_VBITS == 512)

#if CONVPOOL_VBITS == 512
/* Lanes s..7 of a, then lanes 0..s-1 of b: x[c + s ..] from a = x[c ..], b = x[c + 8 ..]. */
CP_INLINE __m512d cp_shifted(__m512d a, __m512d b, int s) {
#define CP_SHIFTED(S) \
    case S: return _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(b), _mm512_castpd_si512(a), S));
    switch (s) {
    CP_SHIFTED(1) CP_SHIFTED(2) CP_SHIFTED(3) CP_SHIFTED(4) CP_SHIFTED(5) CP_SHIFTED(6) CP_SHIFTED(7)
    default: return a;
    }
#undef CP_SHIFTED
}
/* The m taps' sum for the 8 outputs whose pixels start in v[0] (v[1], v[2] the next
   pixels). m is a constant where this is inlined, so every shift is one instruction. */
CP_INLINE __m512d cp_rows_float_sum(const __m512d* v, const __m512d* k, int m) {
    __m512d s[4], x;
    int t;
#pragma GCC unroll 16
    for (t = 0; t < 13; t++) {
        if (t >= m)
            break;
        x = cp_shifted(v[t / 8], v[t / 8 + 1], t % 8);
        s[t % 4] = t < 4 ? _mm512_mul_pd(k[t], x) : _mm512_fmadd_pd(k[t], x, s[t % 4]);
    }
    if (m == 1)
        return s[0];
    if (m == 2)
        return _mm512_add_pd(s[0], s[1]);
    if (m == 3)
        return _mm512_add_pd(_mm512_add_pd(s[0], s[1]), s[2]);
    return _mm512_add_pd(_mm512_add_pd(s[0], s[1]), _mm512_add_pd(s[2], s[3]));
}
/* Lanes of x[i ..] before x[end], the rest 0 (masked: nothing past end is read). */
CP_INLINE __m512d cp_load_before(const double* x, ptrdiff_t i, ptrdiff_t end) {
    ptrdiff_t left = end - i;
    if (left >= 8)
        return _mm512_loadu_pd(x + i);
    return _mm512_maskz_loadu_pd((__mmask8)(left > 0 ? (1u << left) - 1 : 0), x + i);
}
CP_INLINE void cp_rows_float(const double* x, const double* coef, int m, int carry, double* acc, ptrdiff_t n,
                              float* out, double weight) {
    __m512d k[13], v[4], a, b, wv = _mm512_set1_pd(weight);
    const ptrdiff_t end = n + m - 1; /* pixels x[0 .. end) */
    ptrdiff_t c = 0;
    int t;
#pragma GCC unroll 16
    for (t = 0; t < 13; t++)
        k[t] = _mm512_set1_pd(t < m ? coef[t] : 0.0);
    /* Sixteen outputs a step (two independent sums), while all four vectors of pixels
       are inside x; then eight at a time with masked loads and stores. */
    for (; c + 16 <= n && c + 32 <= end; c += 16) {
        v[0] = _mm512_loadu_pd(x + c);
        v[1] = _mm512_loadu_pd(x + c + 8);
        v[2] = _mm512_loadu_pd(x + c + 16);
        v[3] = _mm512_loadu_pd(x + c + 24);
        a = cp_rows_float_sum(v, k, m);
        b = cp_rows_float_sum(v + 1, k, m);
        if (carry) {
            a = _mm512_add_pd(_mm512_loadu_pd(acc + c), a);
            b = _mm512_add_pd(_mm512_loadu_pd(acc + c + 8), b);
        }
        if (out) {
            _mm256_storeu_ps(out + c, _mm512_cvtpd_ps(_mm512_mul_pd(wv, a)));
            _mm256_storeu_ps(out + c + 8, _mm512_cvtpd_ps(_mm512_mul_pd(wv, b)));
        } else {
            _mm512_storeu_pd(acc + c, a);
            _mm512_storeu_pd(acc + c + 8, b);
        }
    }
    for (; c < n; c += 8) {
        __mmask8 lanes = (__mmask8)(n - c >= 8 ? 0xff : (1u << (n - c)) - 1);
        v[0] = cp_load_before(x, c, end);
        v[1] = cp_load_before(x, c + 8, end);
        v[2] = cp_load_before(x, c + 16, end);
        a = cp_rows_float_sum(v, k, m);
        if (carry)
            a = _mm512_add_pd(_mm512_maskz_loadu_pd(lanes, acc + c), a);
        if (out)
            _mm256_mask_storeu_ps(out + c, lanes, _mm512_cvtpd_ps(_mm512_mul_pd(wv, a)));
        else
            _mm512_mask_storeu_pd(acc + c, lanes, a);
    }
}
#endif

static int convpool_rows_float(const double* x, const double* coef, ptrdiff_t m, int carry, double* acc,
                               ptrdiff_t n, float* out, double weight) {
#if CONVPOOL_ROWS_FLOAT
    /* One instance per tap count, so that every shift is a constant. */
#define CP_ROWS_FLOAT(M) \
    case M: cp_rows_float(x, coef, M, carry, acc, n, out, weight); return 1;
    switch (m) {
    CP_ROWS_FLOAT(1) CP_ROWS_FLOAT(2) CP_ROWS_FLOAT(3) CP_ROWS_FLOAT(4) CP_ROWS_FLOAT(5)
    CP_ROWS_FLOAT(6) CP_ROWS_FLOAT(7) CP_ROWS_FLOAT(8) CP_ROWS_FLOAT(9) CP_ROWS_FLOAT(10)
    CP_ROWS_FLOAT(11) CP_ROWS_FLOAT(12) CP_ROWS_FLOAT(13)
    default: return 0;
    }
#undef CP_ROWS_FLOAT
#else
    (void)x, (void)coef, (void)m, (void)carry, (void)acc, (void)n, (void)out, (void)weight;
    return 0;
#endif
}

#endif /* CONVPOOL_SIMD_CONV_H */
