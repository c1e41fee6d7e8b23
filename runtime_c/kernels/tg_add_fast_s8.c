/* int8 addition of two tensors of the output's shape by tables: TFLM scales each input as
 * tg_requantize ((x + offset) << 20, multiplier, shift), a function of the int8 value alone,
 * which the generator tabulates (256 int32 values an input, indexed by the byte read as
 * unsigned: 0..127, then -128..-1). The sum is then requantized as tg_add_s8 does: the
 * same bytes in about a sixth of tg_add_s8's instructions on a Cortex-M4.
 *
 * The generator uses this kernel only where |table1| + |table2| stays within
 * tg_requantize_bounded's bound (tinygen/lowering/fast.py). Element i is read before it is
 * written, so the output may overwrite an input.
 */
#include "tg_fast.h"
#include "tg_kernels.h"

void tg_add_fast_s8(const tg_add_fast_params *p, const int8_t *input1, const int8_t *input2,
                    int8_t *output)
{
    const int32_t *t1 = p->table1, *t2 = p->table2;
    const uint8_t *x1 = (const uint8_t *)input1, *x2 = (const uint8_t *)input2;
    const int32_t size = p->size, m = p->output_multiplier, s = p->output_shift;
    const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    int32_t n;
    for (n = 0; n < size; ++n) {
        output[n] = tg_output_s8(t1[x1[n]] + t2[x2[n]], m, s, offset, lo, hi);
    }
}
