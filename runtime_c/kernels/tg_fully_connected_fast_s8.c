/* int8 fully connected layer with per-tensor weights, four outputs at a time.
 *
 * The weights come in quads of rows (out_depth padded to a multiple of 4 with zero rows):
 * per group of four input values, four bytes of each row, then each row's last depth % 4
 * bytes. The input offset is in the bias. The accumulator is requantized with one rounding,
 * as TensorFlow Lite's reference kernel does, the output offset included:
 * (acc * multiplier + K) >> (32 + high_shift) for the 64-bit constant K (tinygen/lowering/
 * fast_fc.py), one SMLAL on the DSP extension.
 */
#include "tg_fast.h"
#include "tg_kernels.h"

static inline int32_t tg_fc_requantize(const tg_fully_connected_fast_params *p, int32_t acc)
{
    uint32_t low = (uint32_t)p->rounding_low;
    int32_t high = p->rounding_high;
#if defined(TG_DSP) && defined(__GNUC__)
    __asm__("smlal %0, %1, %2, %3" : "+r"(low), "+r"(high) : "r"(acc), "r"(p->multiplier));
#else
    const int64_t k = (int64_t)(((uint64_t)(uint32_t)high << 32) | low);
    high = (int32_t)(((int64_t)acc * p->multiplier + k) >> 32);
#endif
    return high >> p->high_shift;
}

void tg_fully_connected_fast_s8(const tg_fully_connected_fast_params *p, const int8_t *input,
                                int8_t *output)
{
    const int32_t depth = p->depth, groups = depth >> 2, rest = depth & 3;
    const int32_t lo = p->act_min, hi = p->act_max;
    int32_t b, o, k;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + b * depth, *tail = in + (depth & ~3);
        const int8_t *f = p->filter;
        int8_t *out = output + b * p->out_depth;
        for (o = 0; o < p->out_depth; o += 4) {
            int32_t acc[4];
            const int32_t n = p->out_depth - o < 4 ? p->out_depth - o : 4;
            for (k = 0; k < 4; ++k) {
                acc[k] = p->bias[o + k];
            }
            f = tg_quad_tails(tail, tg_dot4(in, f, groups, acc), rest, acc);
            for (k = 0; k < n; ++k) {
                out[o + k] = (int8_t)tg_clamp(tg_fc_requantize(p, acc[k]), lo, hi);
            }
        }
    }
}
