/* The vector width of the build being compiled, and the few operations convpool's
 * hand-written kernels (_simd_conv.h, _simd_pool.h) need, each defined once per
 * instruction set so that every kernel is written once for any width.
 *
 * setup.py compiles the kernels once per target: the AVX-512 build (-mavx512f -mavx512bw
 * -mavx512vl -mavx512dq -mfma) gets 512-bit vectors, the AVX2 build (-mavx2 -mfma)
 * 256-bit ones, and the baseline none: CONVPOOL_VBITS is 0 there, and the kernels take
 * their portable loops (which compilers vectorise for the platform, NEON on aarch64).
 *
 *   cp_vi  a vector of integers, CP_VI_BYTES bytes; cp_vh one of half that width (the
 *          int32 of one cp_vd)
 *   cp_vd  CP_VD_LANES float64 lanes;               cp_vf one of float32 lanes, as wide
 *
 * Only operations whose every lane gives the same result at any width are here: a
 * kernel's results do not depend on the target (but for the fused multiply-adds of
 * non-integer kernels, which the baseline does not have).
 */
#ifndef CONVPOOL_SIMD_H
#define CONVPOOL_SIMD_H

#include <stddef.h>
#include <stdint.h>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__) \
    && defined(__FMA__)
#define CONVPOOL_VBITS 512
#elif defined(__AVX2__) && defined(__FMA__)
#define CONVPOOL_VBITS 256
#else
#define CONVPOOL_VBITS 0
#endif

/* Unrolls the loop after it completely: the kernels' loops over a constant handful of
   vectors or filters, whose arrays then live in registers. setup.py compiles at -O2,
   which unrolls only loops it has been told to. */
#if defined(__GNUC__)
#define CONVPOOL_UNROLL _Pragma("GCC unroll 8")
#else
#define CONVPOOL_UNROLL
#endif

#if CONVPOOL_VBITS
#include <immintrin.h>
#define CP_INLINE static inline __attribute__((always_inline))
#define CP_VI_BYTES (CONVPOOL_VBITS / 8)
#define CP_VD_LANES (CONVPOOL_VBITS / 64)
#define CP_VF_LANES (CONVPOOL_VBITS / 32)
#endif

#if CONVPOOL_VBITS == 512
typedef __m512i cp_vi;
typedef __m256i cp_vh;
typedef __m512d cp_vd;
typedef __m512 cp_vf;

CP_INLINE cp_vi cp_load(const void* p) { return _mm512_loadu_si512(p); }
CP_INLINE void cp_store(void* p, cp_vi x) { _mm512_storeu_si512(p, x); }
CP_INLINE cp_vi cp_zero(void) { return _mm512_setzero_si512(); }
CP_INLINE cp_vi cp_set1_8(int8_t x) { return _mm512_set1_epi8(x); }
CP_INLINE cp_vi cp_set1_16(int16_t x) { return _mm512_set1_epi16(x); }
CP_INLINE cp_vi cp_set1_32(int32_t x) { return _mm512_set1_epi32(x); }
CP_INLINE cp_vi cp_add16(cp_vi a, cp_vi b) { return _mm512_add_epi16(a, b); }
CP_INLINE cp_vi cp_add32(cp_vi a, cp_vi b) { return _mm512_add_epi32(a, b); }
CP_INLINE cp_vi cp_and(cp_vi a, cp_vi b) { return _mm512_and_si512(a, b); }
CP_INLINE cp_vi cp_srli16(cp_vi a, int n) { return _mm512_srli_epi16(a, (unsigned)n); }
CP_INLINE cp_vi cp_slli32(cp_vi a, int n) { return _mm512_slli_epi32(a, (unsigned)n); }
CP_INLINE cp_vi cp_srai32(cp_vi a, int n) { return _mm512_srai_epi32(a, (unsigned)n); }
CP_INLINE cp_vi cp_max_u8(cp_vi a, cp_vi b) { return _mm512_max_epu8(a, b); }
CP_INLINE cp_vi cp_min_u8(cp_vi a, cp_vi b) { return _mm512_min_epu8(a, b); }
CP_INLINE cp_vi cp_max_i32(cp_vi a, cp_vi b) { return _mm512_max_epi32(a, b); }
/* pmaddubsw: unsigned bytes of a times signed bytes of b, adjacent pairs summed into
   saturating int16; pmaddwd: int16 pairs into int32. */
CP_INLINE cp_vi cp_maddubs(cp_vi a, cp_vi b) { return _mm512_maddubs_epi16(a, b); }
CP_INLINE cp_vi cp_madd16(cp_vi a, cp_vi b) { return _mm512_madd_epi16(a, b); }
CP_INLINE cp_vi cp_unpacklo8(cp_vi a, cp_vi b) { return _mm512_unpacklo_epi8(a, b); }
CP_INLINE cp_vi cp_unpackhi8(cp_vi a, cp_vi b) { return _mm512_unpackhi_epi8(a, b); }
CP_INLINE cp_vi cp_unpacklo32(cp_vi a, cp_vi b) { return _mm512_unpacklo_epi32(a, b); }
CP_INLINE cp_vi cp_unpackhi32(cp_vi a, cp_vi b) { return _mm512_unpackhi_epi32(a, b); }
/* The unpack instructions work within 128-bit blocks: lo holds the first half of each
   block's result, hi the second. In order, those are lo's block 0, hi's block 0, lo's
   block 1, ...: the first vector of them and the second. */
CP_INLINE cp_vi cp_blocks_first(cp_vi lo, cp_vi hi) {
    return _mm512_permutex2var_epi64(lo, _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0), hi);
}
CP_INLINE cp_vi cp_blocks_second(cp_vi lo, cp_vi hi) {
    return _mm512_permutex2var_epi64(lo, _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4), hi);
}
CP_INLINE cp_vh cp_lo(cp_vi a) { return _mm512_castsi512_si256(a); }
CP_INLINE cp_vh cp_hi(cp_vi a) { return _mm512_extracti64x4_epi64(a, 1); }
CP_INLINE cp_vi cp_join(cp_vh lo, cp_vh hi) { return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); }
CP_INLINE cp_vi cp_widen16(cp_vh a) { return _mm512_cvtepi16_epi32(a); }
/* The low bytes of the int16 lanes of a, then of b (each lane within 0..255). */
CP_INLINE void cp_store_low_bytes16(void* p, cp_vi a, cp_vi b) {
    _mm256_storeu_si256((__m256i*)p, _mm512_cvtepi16_epi8(a));
    _mm256_storeu_si256((__m256i*)p + 1, _mm512_cvtepi16_epi8(b));
}
/* The int32 lanes of a, then of b, clamped to 0..255, as bytes. */
CP_INLINE void cp_store_u8_clamped32(void* p, cp_vi a, cp_vi b) {
    const cp_vi zero = cp_zero();
    _mm_storeu_si128((__m128i*)p, _mm512_cvtusepi32_epi8(_mm512_max_epi32(a, zero)));
    _mm_storeu_si128((__m128i*)p + 1, _mm512_cvtusepi32_epi8(_mm512_max_epi32(b, zero)));
}

CP_INLINE cp_vd cp_loadd(const double* p) { return _mm512_loadu_pd(p); }
CP_INLINE void cp_stored(double* p, cp_vd x) { _mm512_storeu_pd(p, x); }
CP_INLINE cp_vd cp_zerod(void) { return _mm512_setzero_pd(); }
CP_INLINE cp_vd cp_set1d(double x) { return _mm512_set1_pd(x); }
CP_INLINE cp_vd cp_muld(cp_vd a, cp_vd b) { return _mm512_mul_pd(a, b); }
CP_INLINE cp_vd cp_addd(cp_vd a, cp_vd b) { return _mm512_add_pd(a, b); }
/* CP_VD_LANES float32 values from memory as float64 (exact), and back (rounded to nearest). */
CP_INLINE cp_vd cp_loadd_f32(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
CP_INLINE void cp_stored_f32(float* p, cp_vd x) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(x)); }
/* a * b + c, rounded once */
CP_INLINE cp_vd cp_fmaddd(cp_vd a, cp_vd b, cp_vd c) { return _mm512_fmadd_pd(a, b, c); }
/* max: b where either is NaN (b is the second operand, as maxpd); min likewise. */
CP_INLINE cp_vd cp_maxd(cp_vd a, cp_vd b) { return _mm512_max_pd(a, b); }
CP_INLINE cp_vd cp_mind(cp_vd a, cp_vd b) { return _mm512_min_pd(a, b); }
/* CP_VD_LANES int32, int16, uint16 values from memory as float64 (exact). */
CP_INLINE cp_vd cp_loadd_i32(const int32_t* p) { return _mm512_cvtepi32_pd(_mm256_loadu_si256((const __m256i*)p)); }
CP_INLINE cp_vd cp_loadd_i16(const int16_t* p) {
    return _mm512_cvtepi32_pd(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i*)p)));
}
CP_INLINE cp_vd cp_loadd_u16(const uint16_t* p) {
    return _mm512_cvtepi32_pd(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)p)));
}
/* Truncated toward zero, as C's (int32_t) of a value within int32. */
CP_INLINE cp_vh cp_trunc32(cp_vd a) { return _mm512_cvttpd_epi32(a); }
/* Four vectors of int32 from cp_trunc32, each lane within 0..255, as 4 * CP_VD_LANES bytes. */
CP_INLINE void cp_store_bytes4(uint8_t* p, cp_vh q0, cp_vh q1, cp_vh q2, cp_vh q3) {
    _mm_storeu_si128((__m128i*)p, _mm512_cvtepi32_epi8(cp_join(q0, q1)));
    _mm_storeu_si128((__m128i*)p + 1, _mm512_cvtepi32_epi8(cp_join(q2, q3)));
}
/* The CP_VD_LANES int32 lanes of a half vector as float64 (exact). */
CP_INLINE cp_vd cp_tod(cp_vh a) { return _mm512_cvtepi32_pd(a); }

CP_INLINE void cp_storef(float* p, cp_vf x) { _mm512_storeu_ps(p, x); }
CP_INLINE cp_vf cp_set1f(float x) { return _mm512_set1_ps(x); }
CP_INLINE cp_vf cp_mulf(cp_vf a, cp_vf b) { return _mm512_mul_ps(a, b); }
CP_INLINE cp_vf cp_tof(cp_vi a) { return _mm512_cvtepi32_ps(a); }
CP_INLINE cp_vf cp_loadf(const float* p) { return _mm512_loadu_ps(p); }
CP_INLINE cp_vf cp_zerof(void) { return _mm512_setzero_ps(); }
CP_INLINE cp_vf cp_orf(cp_vf a, cp_vf b) { return _mm512_or_ps(a, b); }
/* max: b where either is NaN (b is the second operand, as maxps); min likewise. */
CP_INLINE cp_vf cp_maxf(cp_vf a, cp_vf b) { return _mm512_max_ps(a, b); }
CP_INLINE cp_vf cp_minf(cp_vf a, cp_vf b) { return _mm512_min_ps(a, b); }
/* All ones in the lanes where a or b is NaN; whether any lane of such a mask is set. */
CP_INLINE cp_vf cp_unordf(cp_vf a, cp_vf b) {
    return _mm512_castsi512_ps(_mm512_movm_epi32(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q)));
}
CP_INLINE int cp_anyf(cp_vf m) { return _mm512_movepi32_mask(_mm512_castps_si512(m)) != 0; }
/* The even (odd) lanes of each 128-bit block of a, then of b, block by block; and the
   order cp_pairsf puts them in: the even (odd) lanes of a, then those of b. */
CP_INLINE cp_vf cp_evensf(cp_vf a, cp_vf b) { return _mm512_shuffle_ps(a, b, 0x88); }
CP_INLINE cp_vf cp_oddsf(cp_vf a, cp_vf b) { return _mm512_shuffle_ps(a, b, 0xdd); }
CP_INLINE cp_vf cp_pairsf(cp_vf x) {
    return _mm512_castpd_ps(_mm512_permutexvar_pd(_mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0), _mm512_castps_pd(x)));
}
CP_INLINE cp_vi cp_max_u16(cp_vi a, cp_vi b) { return _mm512_max_epu16(a, b); }
CP_INLINE cp_vi cp_min_u16(cp_vi a, cp_vi b) { return _mm512_min_epu16(a, b); }
CP_INLINE cp_vi cp_srli32(cp_vi a, int n) { return _mm512_srli_epi32(a, (unsigned)n); }
/* The low 16 bits of the int32 lanes of a, then of b (each lane within 0..65535). */
CP_INLINE void cp_store_low_words32(void* p, cp_vi a, cp_vi b) {
    _mm256_storeu_si256((__m256i*)p, _mm512_cvtepi32_epi16(a));
    _mm256_storeu_si256((__m256i*)p + 1, _mm512_cvtepi32_epi16(b));
}
/* The same stores past the caches (non-temporal), to addresses that are multiples of
   CP_VI_BYTES; _mm_sfence() after the last. */
CP_INLINE void cp_streamf(float* p, cp_vf x) { _mm512_stream_ps(p, x); }
CP_INLINE void cp_stream_low_words32(void* p, cp_vi a, cp_vi b) {
    _mm256_stream_si256((__m256i*)p, _mm512_cvtepi32_epi16(a));
    _mm256_stream_si256((__m256i*)p + 1, _mm512_cvtepi32_epi16(b));
}

#elif CONVPOOL_VBITS == 256
typedef __m256i cp_vi;
typedef __m128i cp_vh;
typedef __m256d cp_vd;
typedef __m256 cp_vf;

CP_INLINE cp_vi cp_load(const void* p) { return _mm256_loadu_si256((const __m256i*)p); }
CP_INLINE void cp_store(void* p, cp_vi x) { _mm256_storeu_si256((__m256i*)p, x); }
CP_INLINE cp_vi cp_zero(void) { return _mm256_setzero_si256(); }
CP_INLINE cp_vi cp_set1_8(int8_t x) { return _mm256_set1_epi8(x); }
CP_INLINE cp_vi cp_set1_16(int16_t x) { return _mm256_set1_epi16(x); }
CP_INLINE cp_vi cp_set1_32(int32_t x) { return _mm256_set1_epi32(x); }
CP_INLINE cp_vi cp_add16(cp_vi a, cp_vi b) { return _mm256_add_epi16(a, b); }
CP_INLINE cp_vi cp_add32(cp_vi a, cp_vi b) { return _mm256_add_epi32(a, b); }
CP_INLINE cp_vi cp_and(cp_vi a, cp_vi b) { return _mm256_and_si256(a, b); }
CP_INLINE cp_vi cp_srli16(cp_vi a, int n) { return _mm256_srli_epi16(a, n); }
CP_INLINE cp_vi cp_slli32(cp_vi a, int n) { return _mm256_slli_epi32(a, n); }
CP_INLINE cp_vi cp_srai32(cp_vi a, int n) { return _mm256_srai_epi32(a, n); }
CP_INLINE cp_vi cp_max_u8(cp_vi a, cp_vi b) { return _mm256_max_epu8(a, b); }
CP_INLINE cp_vi cp_min_u8(cp_vi a, cp_vi b) { return _mm256_min_epu8(a, b); }
CP_INLINE cp_vi cp_max_i32(cp_vi a, cp_vi b) { return _mm256_max_epi32(a, b); }
CP_INLINE cp_vi cp_maddubs(cp_vi a, cp_vi b) { return _mm256_maddubs_epi16(a, b); }
CP_INLINE cp_vi cp_madd16(cp_vi a, cp_vi b) { return _mm256_madd_epi16(a, b); }
CP_INLINE cp_vi cp_unpacklo8(cp_vi a, cp_vi b) { return _mm256_unpacklo_epi8(a, b); }
CP_INLINE cp_vi cp_unpackhi8(cp_vi a, cp_vi b) { return _mm256_unpackhi_epi8(a, b); }
CP_INLINE cp_vi cp_unpacklo32(cp_vi a, cp_vi b) { return _mm256_unpacklo_epi32(a, b); }
CP_INLINE cp_vi cp_unpackhi32(cp_vi a, cp_vi b) { return _mm256_unpackhi_epi32(a, b); }
CP_INLINE cp_vi cp_blocks_first(cp_vi lo, cp_vi hi) { return _mm256_permute2x128_si256(lo, hi, 0x20); }
CP_INLINE cp_vi cp_blocks_second(cp_vi lo, cp_vi hi) { return _mm256_permute2x128_si256(lo, hi, 0x31); }
CP_INLINE cp_vh cp_lo(cp_vi a) { return _mm256_castsi256_si128(a); }
CP_INLINE cp_vh cp_hi(cp_vi a) { return _mm256_extracti128_si256(a, 1); }
CP_INLINE cp_vi cp_join(cp_vh lo, cp_vh hi) { return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1); }
CP_INLINE cp_vi cp_widen16(cp_vh a) { return _mm256_cvtepi16_epi32(a); }
CP_INLINE void cp_store_low_bytes16(void* p, cp_vi a, cp_vi b) {
    _mm256_storeu_si256((__m256i*)p, _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8));
}
CP_INLINE void cp_store_u8_clamped32(void* p, cp_vi a, cp_vi b) {
    __m128i qa = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    __m128i qb = _mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    _mm_storeu_si128((__m128i*)p, _mm_packus_epi16(qa, qb));
}

CP_INLINE cp_vd cp_loadd(const double* p) { return _mm256_loadu_pd(p); }
CP_INLINE void cp_stored(double* p, cp_vd x) { _mm256_storeu_pd(p, x); }
CP_INLINE cp_vd cp_zerod(void) { return _mm256_setzero_pd(); }
CP_INLINE cp_vd cp_set1d(double x) { return _mm256_set1_pd(x); }
CP_INLINE cp_vd cp_muld(cp_vd a, cp_vd b) { return _mm256_mul_pd(a, b); }
CP_INLINE cp_vd cp_addd(cp_vd a, cp_vd b) { return _mm256_add_pd(a, b); }
CP_INLINE cp_vd cp_loadd_f32(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
CP_INLINE void cp_stored_f32(float* p, cp_vd x) { _mm_storeu_ps(p, _mm256_cvtpd_ps(x)); }
CP_INLINE cp_vd cp_fmaddd(cp_vd a, cp_vd b, cp_vd c) { return _mm256_fmadd_pd(a, b, c); }
CP_INLINE cp_vd cp_maxd(cp_vd a, cp_vd b) { return _mm256_max_pd(a, b); }
CP_INLINE cp_vd cp_mind(cp_vd a, cp_vd b) { return _mm256_min_pd(a, b); }
CP_INLINE cp_vd cp_loadd_i32(const int32_t* p) { return _mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i*)p)); }
CP_INLINE cp_vd cp_loadd_i16(const int16_t* p) {
    return _mm256_cvtepi32_pd(_mm_cvtepi16_epi32(_mm_loadl_epi64((const __m128i*)p)));
}
CP_INLINE cp_vd cp_loadd_u16(const uint16_t* p) {
    return _mm256_cvtepi32_pd(_mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i*)p)));
}
CP_INLINE cp_vh cp_trunc32(cp_vd a) { return _mm256_cvttpd_epi32(a); }
CP_INLINE void cp_store_bytes4(uint8_t* p, cp_vh q0, cp_vh q1, cp_vh q2, cp_vh q3) {
    _mm_storeu_si128((__m128i*)p, _mm_packus_epi16(_mm_packs_epi32(q0, q1), _mm_packs_epi32(q2, q3)));
}
CP_INLINE cp_vd cp_tod(cp_vh a) { return _mm256_cvtepi32_pd(a); }

CP_INLINE void cp_storef(float* p, cp_vf x) { _mm256_storeu_ps(p, x); }
CP_INLINE cp_vf cp_set1f(float x) { return _mm256_set1_ps(x); }
CP_INLINE cp_vf cp_mulf(cp_vf a, cp_vf b) { return _mm256_mul_ps(a, b); }
CP_INLINE cp_vf cp_tof(cp_vi a) { return _mm256_cvtepi32_ps(a); }
CP_INLINE cp_vf cp_loadf(const float* p) { return _mm256_loadu_ps(p); }
CP_INLINE cp_vf cp_zerof(void) { return _mm256_setzero_ps(); }
CP_INLINE cp_vf cp_orf(cp_vf a, cp_vf b) { return _mm256_or_ps(a, b); }
CP_INLINE cp_vf cp_maxf(cp_vf a, cp_vf b) { return _mm256_max_ps(a, b); }
CP_INLINE cp_vf cp_minf(cp_vf a, cp_vf b) { return _mm256_min_ps(a, b); }
CP_INLINE cp_vf cp_unordf(cp_vf a, cp_vf b) { return _mm256_cmp_ps(a, b, _CMP_UNORD_Q); }
CP_INLINE int cp_anyf(cp_vf m) { return _mm256_movemask_ps(m) != 0; }
CP_INLINE cp_vf cp_evensf(cp_vf a, cp_vf b) { return _mm256_shuffle_ps(a, b, 0x88); }
CP_INLINE cp_vf cp_oddsf(cp_vf a, cp_vf b) { return _mm256_shuffle_ps(a, b, 0xdd); }
CP_INLINE cp_vf cp_pairsf(cp_vf x) { return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(x), 0xd8)); }
CP_INLINE cp_vi cp_max_u16(cp_vi a, cp_vi b) { return _mm256_max_epu16(a, b); }
CP_INLINE cp_vi cp_min_u16(cp_vi a, cp_vi b) { return _mm256_min_epu16(a, b); }
CP_INLINE cp_vi cp_srli32(cp_vi a, int n) { return _mm256_srli_epi32(a, n); }
CP_INLINE void cp_store_low_words32(void* p, cp_vi a, cp_vi b) {
    _mm256_storeu_si256((__m256i*)p, _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8));
}
CP_INLINE void cp_streamf(float* p, cp_vf x) { _mm256_stream_ps(p, x); }
CP_INLINE void cp_stream_low_words32(void* p, cp_vi a, cp_vi b) {
    _mm256_stream_si256((__m256i*)p, _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8));
}
#endif

#endif /* CONVPOOL_SIMD_H */
