/* The inner loop of convpool.conv2d (_bank.pxi.in): the nf filters of a group's filter
 * bank over one output row, from input rows already converted to float64.
 *
 *   acc[f * acc_stride + c] = sum over taps t, in order, of weight f, tap t * x[off[t] + c]
 *
 * for the filters f < nf and the columns c < n. A tap t is one weight of each filter
 * (input channel, kernel row, kernel column) and x + off[t] the converted input it
 * multiplies at output column 0 (stride phases and padding are laid out by the caller,
 * so every tap reads contiguous columns). The weights come in blocks of
 * CONVPOOL_BANK_F filters (the last block may have fewer, m): block b's weight of
 * filter f and tap t is w[b * CONVPOOL_BANK_F * taps + t * m + f].
 *
 * The vector builds hold a block's m x V vectors of columns in registers over all the
 * taps, one fused multiply-add per tap and filter, and store once; a row's last block of
 * columns takes as many vectors as its columns need, so x must be readable, and acc
 * writable, up to n rounded up to CONVPOOL_BANK_ROUND columns. Every column gets the same operations in the same
 * order at any width, so the AVX2 and AVX-512 builds agree bit for bit. The baseline
 * adds each product with two roundings (no FMA), in the same order.
 */
#ifndef CONVPOOL_SIMD_BANK_H
#define CONVPOOL_SIMD_BANK_H

#include <stddef.h>
#include <stdint.h>

#include "_simd.h"

/* Filters per block, and the columns a row is rounded up to (the widest vector). */
#define CONVPOOL_BANK_F 6
#define CONVPOOL_BANK_ROUND 8

#if CONVPOOL_VBITS

/* Vectors of columns per block: up to 6 x 4 accumulators of the 32 zmm registers with
   AVX-512 (4 column loads and 6 weights per 24 multiply-adds), 6 x 2 of the 16 ymm
   registers of AVX2. */
#if CONVPOOL_VBITS == 512
#define CONVPOOL_BANK_V 4
#else
#define CONVPOOL_BANK_V 2
#endif

typedef void (*convpool_bank_block)(const double*, const ptrdiff_t*, ptrdiff_t, const double*, double*,
                                    ptrdiff_t);

/* One block of F filters by V vectors of columns; F and V are constants, so the
   accumulator arrays live in registers. */
#define CONVPOOL_BANK_BLOCK(F, V)                                                               \
    static void convpool_bank_##F##_##V(const double* x, const ptrdiff_t* off, ptrdiff_t taps,  \
                                        const double* w, double* acc, ptrdiff_t acc_stride) {   \
        enum { L = CP_VD_LANES };                                                               \
        cp_vd a[F][V];                                                                          \
        ptrdiff_t t;                                                                            \
        int f, v;                                                                               \
        CONVPOOL_UNROLL for (f = 0; f < F; f++)                                                 \
            CONVPOOL_UNROLL for (v = 0; v < V; v++)                                             \
                a[f][v] = cp_zerod();                                                           \
        for (t = 0; t < taps; t++) {                                                            \
            const double* q = x + off[t];                                                       \
            cp_vd p[V];                                                                         \
            CONVPOOL_UNROLL for (v = 0; v < V; v++)                                             \
                p[v] = cp_loadd(q + v * L);                                                     \
            CONVPOOL_UNROLL for (f = 0; f < F; f++) {                                           \
                const cp_vd k = cp_set1d(w[t * F + f]);                                         \
                CONVPOOL_UNROLL for (v = 0; v < V; v++)                                         \
                    a[f][v] = cp_fmaddd(k, p[v], a[f][v]);                                      \
            }                                                                                   \
        }                                                                                       \
        CONVPOOL_UNROLL for (f = 0; f < F; f++)                                                 \
            CONVPOOL_UNROLL for (v = 0; v < V; v++)                                             \
                cp_stored(acc + f * acc_stride + v * L, a[f][v]);                               \
    }

#define CONVPOOL_BANK_FILTERS(F) \
    CONVPOOL_BANK_BLOCK(F, 1) CONVPOOL_BANK_BLOCK(F, 2) CONVPOOL_BANK_BLOCK(F, 3) CONVPOOL_BANK_BLOCK(F, 4)
CONVPOOL_BANK_FILTERS(1)
CONVPOOL_BANK_FILTERS(2)
CONVPOOL_BANK_FILTERS(3)
CONVPOOL_BANK_FILTERS(4)
CONVPOOL_BANK_FILTERS(5)
CONVPOOL_BANK_FILTERS(6)

#define CONVPOOL_BANK_ROW(F) \
    {convpool_bank_##F##_1, convpool_bank_##F##_2, convpool_bank_##F##_3, convpool_bank_##F##_4}
static const convpool_bank_block convpool_bank_blocks[CONVPOOL_BANK_F][4] = {
    CONVPOOL_BANK_ROW(1), CONVPOOL_BANK_ROW(2), CONVPOOL_BANK_ROW(3),
    CONVPOOL_BANK_ROW(4), CONVPOOL_BANK_ROW(5), CONVPOOL_BANK_ROW(6)};

static void convpool_bank(const double* x, const ptrdiff_t* off, ptrdiff_t taps, const double* w, ptrdiff_t nf,
                          double* acc, ptrdiff_t acc_stride, ptrdiff_t n) {
    enum { L = CP_VD_LANES, B = CONVPOOL_BANK_V * CP_VD_LANES, F = CONVPOOL_BANK_F };
    ptrdiff_t c, f;
    /* Columns outside, filters inside: the taps' columns of one block stay in the first
       level cache while every filter block reads them. */
    for (c = 0; c < n; c += B) {
        const int v = c + B <= n ? CONVPOOL_BANK_V : (int)((n - c + L - 1) / L);
        for (f = 0; f < nf; f += F) {
            const int m = nf - f < F ? (int)(nf - f) : F;
            convpool_bank_blocks[m - 1][v - 1](x + c, off, taps, w + f * taps, acc + f * acc_stride + c, acc_stride);
        }
    }
}

#else

/* The portable loop: each tap over the row's columns, the sums in acc. */
static void convpool_bank(const double* x, const ptrdiff_t* off, ptrdiff_t taps, const double* w, ptrdiff_t nf,
                          double* acc, ptrdiff_t acc_stride, ptrdiff_t n) {
    ptrdiff_t t, c, f;
    for (f = 0; f < nf; f++) {
        /* The filter's block: its weights are w[block * taps + t * m + f % F]. */
        const ptrdiff_t first = f - f % CONVPOOL_BANK_F;
        const ptrdiff_t m = nf - first < CONVPOOL_BANK_F ? nf - first : CONVPOOL_BANK_F;
        const double* wf = w + first * taps + f % CONVPOOL_BANK_F;
        double* a = acc + f * acc_stride;
        for (c = 0; c < n; c++)
            a[c] = 0.0;
        for (t = 0; t < taps; t++) {
            const double k = wf[t * m];
            const double* q = x + off[t];
            for (c = 0; c < n; c++)
                a[c] = a[c] + k * q[c];
        }
    }
}

#endif

#endif /* CONVPOOL_SIMD_BANK_H */
