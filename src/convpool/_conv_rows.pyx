"""The row functions of the convolution kernels for one target (their source is the
templates ``_conv_rows.pxi.in``, ``_sep_rows.pxi.in``, ``_bank_rows.pxi.in`` and the
``_simd_*.h`` headers): the one part of convolution compiled per target.

setup.py compiles this module once per target: ``_conv_rows`` for any CPU of the
platform, ``_conv_rows_avx2`` and ``_conv_rows_avx512`` with those instruction sets, which
may use them anywhere, their import included: import one only where
``convpool._conv.cpu_target()`` allows it. Each publishes its functions as the table
``ConvRows`` of ``_rows.pxd``, in the capsule :data:`ROWS` that the entry points of
``convpool._conv`` take first.
"""

from cpython.pycapsule cimport PyCapsule_New

from convpool._rows cimport ConvRows

include "_conv_rows.pxi"
include "_sep_rows.pxi"
include "_bank_rows.pxi"


cdef ConvRows _TABLE
_TABLE.load_row = _load_row
_TABLE.store_row = _store_row
_TABLE.store_sums_row = _store_sums_row
_TABLE.taps = _taps
_TABLE.taps_pair = _taps_pair
_TABLE.pair_fused = _pair_fused
_TABLE.fused_rows = _FUSED_ROWS
_TABLE.fused_cols = _FUSED_COLS
_TABLE.pair_f32 = convpool_pair_f32
_TABLE.has_pair_f32 = CONVPOOL_PAIR_F32
_TABLE.pair_f32_span = CONVPOOL_PAIR_F32_SPAN
_TABLE.fma_rows = convpool_fma_rows
_TABLE.has_fma_rows = CONVPOOL_FMA_ROWS
_TABLE.fma_block = convpool_fma_block
_TABLE.fma_block_f32 = convpool_fma_block_f32
_TABLE.fma_block_rows = CONVPOOL_FMA_BLOCK
_TABLE.fma_column_rows = CONVPOOL_FMA_COLUMN
_TABLE.int_run = _int_run
_TABLE.pairs = convpool_pairs
_TABLE.pair_row = convpool_pair_row
_TABLE.quads = convpool_quads
_TABLE.quad_row = convpool_quad_row
_TABLE.clamp_row = _clamp_row
_TABLE.has_quads = QUADS
_TABLE.cols_int_run = _cols_int_run
_TABLE.rows_int_run = _rows_int_run
_TABLE.cols_float_run = _cols_float_run
_TABLE.rows_float_run = _rows_float_run
_TABLE.rows_madd16 = convpool_rows_madd16
_TABLE.has_madd16 = CONVPOOL_MADD16
_TABLE.gather_row = _gather_row
_TABLE.bank = convpool_bank
_TABLE.put_bank_row = _put_bank_row
_TABLE.bank_filters = CONVPOOL_BANK_F
_TABLE.bank_round = CONVPOOL_BANK_ROUND

#: This target's row functions, for the entry points of ``convpool._conv``.
ROWS = PyCapsule_New(&_TABLE, "convpool.ConvRows", NULL)
