/* The quad kernels' dot products (tg_fast.h's tg_dot4 and tg_dot4w) with SSE2, the SIMD
 * every x86-64 processor has: a host build (tests, simulators, a Linux gateway) runs the
 * same library at a few times the speed of the scalar loops.
 *
 * Both sign-extend to int16 and multiply with PMADDWD, which sums adjacent products into
 * int32 lanes; every product is of two values of int8 range, so each lane sum is exact
 * and the results equal the portable loops' integers. Define TG_PORTABLE to build the
 * portable loops instead (the tests do, to check them on the host).
 */
#ifndef TG_SIMD_HOST_H
#define TG_SIMD_HOST_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(TG_PORTABLE) && !defined(TG_DSP)
#include <emmintrin.h>
#define TG_SSE2 1

/* Eight int8 values at a as int16 lanes (unaligned; reads 8 bytes). */
static inline __m128i tg_sse2_load8(const int8_t *a)
{
    const __m128i x = _mm_loadl_epi64((const __m128i *)(const void *)a);
    return _mm_srai_epi16(_mm_unpacklo_epi8(x, x), 8);
}

/* Four int8 values at a as int16 lanes 0-3 (reads 4 bytes). */
static inline __m128i tg_sse2_load4(const int8_t *a)
{
    int32_t word;
    __m128i x;
    memcpy(&word, a, 4);
    x = _mm_cvtsi32_si128(word);
    return _mm_srai_epi16(_mm_unpacklo_epi8(x, x), 8);
}

/* acc[c] += the two lanes of channel c: s01 holds channels 0 and 1, s23 channels 2 and 3,
 * two int32 lanes each. */
static inline void tg_sse2_add_pairs(__m128i s01, __m128i s23, int32_t acc[4])
{
    int32_t lanes[8];
    _mm_storeu_si128((__m128i *)(void *)lanes, s01);
    _mm_storeu_si128((__m128i *)(void *)(lanes + 4), s23);
    acc[0] += lanes[0] + lanes[1];
    acc[1] += lanes[2] + lanes[3];
    acc[2] += lanes[4] + lanes[5];
    acc[3] += lanes[6] + lanes[7];
}

/* s01, s23 += one group of int8 weights (16 bytes: four of each channel) times x, the
 * group's four inputs in both halves. */
static inline void tg_sse2_group8(const int8_t *f, __m128i x, __m128i *s01, __m128i *s23)
{
    const __m128i w = _mm_loadu_si128((const __m128i *)(const void *)f);
    const __m128i w01 = _mm_srai_epi16(_mm_unpacklo_epi8(w, w), 8);
    const __m128i w23 = _mm_srai_epi16(_mm_unpackhi_epi8(w, w), 8);
    *s01 = _mm_add_epi32(*s01, _mm_madd_epi16(w01, x));
    *s23 = _mm_add_epi32(*s23, _mm_madd_epi16(w23, x));
}

/* tg_dot4 with SSE2: two groups a turn, then the odd one. */
static inline const int8_t *tg_sse2_dot4(const int8_t *a, const int8_t *f, int32_t groups,
                                         int32_t acc[4])
{
    __m128i s01 = _mm_setzero_si128(), s23 = _mm_setzero_si128();
    for (; groups >= 2; groups -= 2, a += 8, f += 32) {
        const __m128i x = tg_sse2_load8(a);
        tg_sse2_group8(f, _mm_unpacklo_epi64(x, x), &s01, &s23);
        tg_sse2_group8(f + 16, _mm_unpackhi_epi64(x, x), &s01, &s23);
    }
    if (groups > 0) {
        const __m128i x = tg_sse2_load4(a);
        tg_sse2_group8(f, _mm_unpacklo_epi64(x, x), &s01, &s23);
        f += 16;
    }
    tg_sse2_add_pairs(s01, s23, acc);
    return f;
}

/* s01, s23 += one group of int16 weights (16 values: each channel's weights of inputs 0,
 * 2, 1, 3) times x, the group's inputs in that order in both halves. */
static inline void tg_sse2_group16(const int16_t *f, __m128i x, __m128i *s01, __m128i *s23)
{
    const __m128i w01 = _mm_loadu_si128((const __m128i *)(const void *)f);
    const __m128i w23 = _mm_loadu_si128((const __m128i *)(const void *)(f + 8));
    *s01 = _mm_add_epi32(*s01, _mm_madd_epi16(w01, x));
    *s23 = _mm_add_epi32(*s23, _mm_madd_epi16(w23, x));
}

/* tg_dot4w with SSE2: the inputs reordered 0, 2, 1, 3 to meet the weights' order. */
static inline const int16_t *tg_sse2_dot4w(const int8_t *a, const int16_t *f, int32_t groups,
                                           int32_t acc[4])
{
    __m128i s01 = _mm_setzero_si128(), s23 = _mm_setzero_si128();
    for (; groups >= 2; groups -= 2, a += 8, f += 32) {
        __m128i x = tg_sse2_load8(a);
        x = _mm_shufflehi_epi16(_mm_shufflelo_epi16(x, 0xd8), 0xd8);
        tg_sse2_group16(f, _mm_unpacklo_epi64(x, x), &s01, &s23);
        tg_sse2_group16(f + 16, _mm_unpackhi_epi64(x, x), &s01, &s23);
    }
    if (groups > 0) {
        const __m128i x = _mm_shufflelo_epi16(tg_sse2_load4(a), 0xd8);
        tg_sse2_group16(f, _mm_unpacklo_epi64(x, x), &s01, &s23);
        f += 16;
    }
    tg_sse2_add_pairs(s01, s23, acc);
    return f;
}

#endif /* SSE2 */

#endif /* TG_SIMD_HOST_H */
