/* int8 fully connected layer: output[b][o] = sum_d input[b][d] * filter[o][d] + bias[o].
 *
 * The input offset is folded into the bias at generation time, so the inner
 * loop is a plain int8 dot product. The accumulator is requantized with one
 * rounding, as TensorFlow Lite's reference kernel does (TFLM rounds twice and is
 * off by one on some values).
 */
#include "tg_fast.h"
#include "tg_kernels.h"

#if defined(TG_DSP)
/* acc[r] += the dot product of a with row r of the four rows at f, rows `n` bytes apart. */
static void tg_fc_dot4(const int8_t *a, const int8_t *f, int32_t n, int32_t acc[4])
{
    int32_t r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    int32_t d;
    for (d = 0; d + 4 <= n; d += 4) {
        const int32_t x = tg_load4(a + d);
        const int32_t xe = __sxtb16(x), xo = tg_sxtb16_odd(x);
        int32_t w = tg_load4(f + d);
        r0 = __smlad(xe, __sxtb16(w), r0);
        r0 = __smlad(xo, tg_sxtb16_odd(w), r0);
        w = tg_load4(f + n + d);
        r1 = __smlad(xe, __sxtb16(w), r1);
        r1 = __smlad(xo, tg_sxtb16_odd(w), r1);
        w = tg_load4(f + 2 * n + d);
        r2 = __smlad(xe, __sxtb16(w), r2);
        r2 = __smlad(xo, tg_sxtb16_odd(w), r2);
        w = tg_load4(f + 3 * n + d);
        r3 = __smlad(xe, __sxtb16(w), r3);
        r3 = __smlad(xo, tg_sxtb16_odd(w), r3);
    }
    for (; d < n; ++d) {
        r0 += (int32_t)a[d] * f[d];
        r1 += (int32_t)a[d] * f[n + d];
        r2 += (int32_t)a[d] * f[2 * n + d];
        r3 += (int32_t)a[d] * f[3 * n + d];
    }
    acc[0] += r0;
    acc[1] += r1;
    acc[2] += r2;
    acc[3] += r3;
}
#endif

static int32_t tg_fc_dot(const int8_t *a, const int8_t *b, int32_t n)
{
    int32_t acc = 0;
    int32_t d;
    for (d = 0; d < n; ++d) {
        acc += (int32_t)a[d] * (int32_t)b[d];
    }
    return acc;
}

void tg_fully_connected_s8(const tg_fully_connected_params *p, const int8_t *input,
                           const int8_t *filter, int8_t *output)
{
    int32_t b, o, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + b * p->accum_depth;
        o = 0;
#if defined(TG_DSP)
        for (; p->filter_offset == 0 && o + 4 <= p->out_depth; o += 4) {
            int32_t acc[4];
            int32_t r;
            for (r = 0; r < 4; ++r) {
                acc[r] = p->bias[o + r];
            }
            tg_fc_dot4(in, filter + o * p->accum_depth, p->accum_depth, acc);
            for (r = 0; r < 4; ++r) {
                const int32_t q = p->per_channel ? o + r : 0;
                const int32_t v = tg_requantize_single(acc[r], p->multiplier[q], p->shift[q]);
                output[b * p->out_depth + o + r] =
                    (int8_t)tg_clamp(v + p->output_offset, p->act_min, p->act_max);
            }
        }
#endif
        for (; o < p->out_depth; ++o) {
            const int8_t *f = filter + o * p->accum_depth;
            const int32_t q = p->per_channel ? o : 0;
            int32_t acc = p->bias[o];
            if (p->filter_offset == 0) {
                acc += tg_fc_dot(in, f, p->accum_depth);
            } else {
                for (d = 0; d < p->accum_depth; ++d) {
                    acc += (int32_t)in[d] * ((int32_t)f[d] + p->filter_offset);
                }
            }
            acc = tg_requantize_single(acc, p->multiplier[q], p->shift[q]) + p->output_offset;
            output[b * p->out_depth + o] = (int8_t)tg_clamp(acc, p->act_min, p->act_max);
        }
    }
}
