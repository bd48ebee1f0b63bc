/* Which build of convpool's kernels this CPU and its operating system can run.
 *
 * convpool_cpu_target() returns the best target of the three: 0 (baseline, any CPU of
 * the platform), 1 (AVX2 with FMA) or 2 (AVX-512 F, BW, VL and DQ, with FMA). A target
 * needs both the CPU's instructions (CPUID) and the operating system's saving of their
 * registers on a context switch (XGETBV's XCR0): the ymm halves for AVX2 (bits 1 and 2),
 * and for AVX-512 the opmask registers and both halves of the zmm registers too (bits 5,
 * 6 and 7). Only GCC and Clang on x86 build the AVX2 and AVX-512 modules; elsewhere the
 * answer is always the baseline. The check itself uses no AVX instruction.
 */
#ifndef CONVPOOL_CPU_H
#define CONVPOOL_CPU_H

enum { CONVPOOL_TARGET_BASELINE = 0, CONVPOOL_TARGET_AVX2 = 1, CONVPOOL_TARGET_AVX512 = 2 };

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>

static unsigned long long convpool_xgetbv0(void) {
    unsigned int eax, edx;
    /* xgetbv's encoding, for assemblers that do not know its name. */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static int convpool_cpu_target(void) {
    unsigned int eax, ebx, ecx, edx, max_leaf;
    unsigned int ebx7 = 0;
    unsigned long long xcr0;
    const unsigned long long ymm_state = (1u << 1) | (1u << 2);
    const unsigned long long zmm_state = ymm_state | (1u << 5) | (1u << 6) | (1u << 7);
    const unsigned int avx512 = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31); /* F DQ BW VL */
    if (!__get_cpuid(0, &max_leaf, &ebx, &ecx, &edx) || max_leaf < 7)
        return CONVPOOL_TARGET_BASELINE;
    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    /* OSXSAVE (the OS enabled XGETBV), AVX and FMA */
    if (!(ecx & (1u << 27)) || !(ecx & (1u << 28)) || !(ecx & (1u << 12)))
        return CONVPOOL_TARGET_BASELINE;
    xcr0 = convpool_xgetbv0();
    if ((xcr0 & ymm_state) != ymm_state)
        return CONVPOOL_TARGET_BASELINE;
    __cpuid_count(7, 0, eax, ebx7, ecx, edx);
    if (!(ebx7 & (1u << 5))) /* AVX2 */
        return CONVPOOL_TARGET_BASELINE;
    if ((ebx7 & avx512) == avx512 && (xcr0 & zmm_state) == zmm_state)
        return CONVPOOL_TARGET_AVX512;
    return CONVPOOL_TARGET_AVX2;
}

/* Whether the AVX-512 target's CPU has AVX-512 VNNI too (vpdpbusd), which the AVX-512
   build's uint8 tap quads use. */
static int convpool_cpu_has_vnni(void) {
    unsigned int eax, ebx, ecx, edx;
    if (convpool_cpu_target() < CONVPOOL_TARGET_AVX512)
        return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ecx >> 11) & 1;
}
#else
static int convpool_cpu_target(void) { return CONVPOOL_TARGET_BASELINE; }
static int convpool_cpu_has_vnni(void) { return 0; }
#endif

#endif /* CONVPOOL_CPU_H */
