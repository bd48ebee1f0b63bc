# The row functions of the convolution kernels, as one table per target.
#
# The drivers (_conv.pxi, _sep.pxi, _bank.pxi in convpool._conv, compiled once) own the
# band loop, the buffers, the margins and the cleanup; every step that touches a row of
# pixels is a call through this table. Each target's module, convpool._conv_rows
# (baseline), _conv_rows_avx2 and _conv_rows_avx512, fills one (_conv_rows.pyx) and
# publishes it as the capsule ROWS, named "convpool.ConvRows"; the entry points of
# convpool._conv take that capsule first. Only the row functions are compiled per target.
#
# A row function takes pixels as bytes with a kind number (a position in the kind lists
# of _kinds.py) or float64 sums, and is defined in _conv_rows.pxi.in, _sep_rows.pxi.in or
# _bank_rows.pxi.in, or is a vector loop of _simd_conv.h / _simd_bank.h.

from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint16_t


ctypedef struct ConvRows:
    # Conversions and stores (every route).
    void (*load_row)(int kind, const char* src, double* dst, Py_ssize_t n) noexcept nogil
    void (*store_row)(int kind, char* dst, const double* acc, double weight, Py_ssize_t n) noexcept nogil
    # Exact integer sums of every integer route (kind: their type, a position in
    # _kinds.SUM) times the weight, stored by _put's rule.
    void (*store_sums_row)(int out_kind, int kind, char* dst, const void* acc, double weight,
                           Py_ssize_t n) noexcept nogil
    # Float taps: passes of up to seven taps, two output rows sharing their pixels, the
    # fused kernels of up to fused_rows x fused_cols taps, and (has_fma_rows) the
    # register-blocked fused multiply-adds.
    void (*taps)(double* acc, const double** s, const double* k, Py_ssize_t m, Py_ssize_t n,
                 bint first) noexcept nogil
    void (*taps_pair)(double* acc, double* acc2, const double** s, const double* k, const double* q,
                      Py_ssize_t m, Py_ssize_t n) noexcept nogil
    bint (*pair_fused)(int out_kind, char* d0, char* d1, const double** s, const double* k,
                       Py_ssize_t kh, Py_ssize_t per_row, double weight, Py_ssize_t n,
                       bint fast) noexcept nogil
    Py_ssize_t fused_rows
    Py_ssize_t fused_cols
    # The fused kernels on float32 image rows read in place (has_pair_f32): pointers to
    # float32 pixels, float32 (or, with out64, float64) outputs.
    void (*pair_f32)(int out64, void* d0, void* d1, const float* const* s, const double* k,
                     Py_ssize_t kr, Py_ssize_t pc, double weight, Py_ssize_t n, int fast) noexcept nogil
    bint has_pair_f32
    # The farthest column of a tap past its row's first that pair_f32 takes.
    Py_ssize_t pair_f32_span
    void (*fma_rows)(const double* const* p, const double* k, Py_ssize_t m, double* acc,
                     Py_ssize_t n) noexcept nogil
    bint has_fma_rows
    # With has_fma_rows: up to fma_block output rows of a kernel whose rows have their
    # taps in the same columns, each pixel loaded once for all of them; the sums go to
    # acc, or, where out is not NULL (float32 output rows of weight 1), there as _put
    # stores them.
    void (*fma_block)(const double* const* rows, const Py_ssize_t* col, const double* k, Py_ssize_t kh,
                      Py_ssize_t pc, Py_ssize_t nr, double* const* acc, float* const* out,
                      Py_ssize_t n) noexcept nogil
    # The same on float32 image rows, read in place.
    void (*fma_block_f32)(const float* const* rows, const Py_ssize_t* col, const double* k, Py_ssize_t kh,
                          Py_ssize_t pc, Py_ssize_t nr, double* const* acc, float* const* out,
                          Py_ssize_t n) noexcept nogil
    Py_ssize_t fma_block_rows
    # The most output rows fma_block takes at once where the kernel is one column of taps.
    Py_ssize_t fma_column_rows
    # Integer taps over a run of pixels, in an int16, int32 or int64 accumulator.
    void (*int_run)(int kind, int bits, const char* anchor, const Py_ssize_t* offset,
                    const int64_t* coef, Py_ssize_t nt, void* acc, char* dst, Py_ssize_t n,
                    int direct) noexcept nogil
    # uint8 tap pairs (vpmaddubsw) and quads (vpdpbusd: has_quads), and their rows.
    void (*pairs)(const uint8_t* const* ptr, const int16_t* coef, const int32_t* end,
                  int32_t ngroups, int32_t* acc, Py_ssize_t n, uint8_t* dst) noexcept nogil
    void (*pair_row)(const uint8_t* x, uint8_t* z, Py_ssize_t w) noexcept nogil
    void (*quads)(const uint8_t* const* rows, Py_ssize_t kh, const int32_t* coef, Py_ssize_t nqc,
                  int two, int32_t* acc, int32_t* acc2, Py_ssize_t n) noexcept nogil
    void (*quad_row)(const uint8_t* x, uint8_t* z, Py_ssize_t w) noexcept nogil
    void (*clamp_row)(uint8_t* dst, const int32_t* acc, Py_ssize_t n) noexcept nogil
    bint has_quads
    # The separable passes: columns, then rows (16-bit sums as vpmaddwd pairs where
    # has_madd16).
    void (*cols_int_run)(int kind, int sum_kind, const char* anchor, const Py_ssize_t* offset,
                         const int64_t* coef, Py_ssize_t nt, void* out, Py_ssize_t n) noexcept nogil
    void (*rows_int_run)(int sum_kind, int acc_kind, const void* src, const Py_ssize_t* offset,
                         const int64_t* coef, Py_ssize_t nt, void* acc, char* dst, Py_ssize_t n,
                         bint direct) noexcept nogil
    void (*cols_float_run)(const double* const* rows, const double* coef, Py_ssize_t nt,
                           double* out, Py_ssize_t n) noexcept nogil
    bint (*rows_float_run)(const double* src, const Py_ssize_t* offset, const double* coef,
                           Py_ssize_t nt, double* acc, Py_ssize_t n, float* out, double weight) noexcept nogil
    void (*rows_madd16)(const uint16_t* s, Py_ssize_t len, uint16_t flip, int32_t bias,
                        const int32_t* kpair, Py_ssize_t npairs, int16_t* z, int32_t* acc,
                        uint8_t* dst, Py_ssize_t n) noexcept nogil
    bint has_madd16
    # The filter bank of conv2d: gather input rows, sum blocks of bank_filters filters
    # (columns rounded up to bank_round), store with the bias.
    void (*gather_row)(int kind, const char* row, Py_ssize_t step, Py_ssize_t x0, Py_ssize_t sw,
                       Py_ssize_t width, double* dst, Py_ssize_t n) noexcept nogil
    void (*bank)(const double* x, const Py_ssize_t* off, Py_ssize_t taps, const double* w, Py_ssize_t nf,
                 double* acc, Py_ssize_t acc_stride, Py_ssize_t n) noexcept nogil
    void (*put_bank_row)(int kind, char* dst, Py_ssize_t step, const double* acc, double bias,
                         Py_ssize_t n) noexcept nogil
    Py_ssize_t bank_filters
    Py_ssize_t bank_round
